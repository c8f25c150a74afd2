import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One real local stack (DynamoDB Local, SQS/S3 emulator, gateway, stream poller) for the whole run.
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    allowOnly: false,
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT' },
  },
});
