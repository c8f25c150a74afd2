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
    // The SDK's notice that releases after January 2027 need Node 22; package-lock.json pins releases that run on Node 20.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', POWERTOOLS_LOG_LEVEL: 'SILENT' },
  },
});
