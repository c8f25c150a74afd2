import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** Repository root, from which route entries are resolved. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Everything the laptop runtime keeps between runs lives here (gitignored). */
export const defaultStateDir = path.join(repoRoot, '.playhead');

export const stateFiles = (stateDir: string) => ({
  dynamodbData: path.join(stateDir, 'dynamodb'),
  signingKey: path.join(stateDir, 'jwt-signing-key.json'),
  feedCursorSecret: path.join(stateDir, 'feed-cursor-secret'),
  deploymentSecret: path.join(stateDir, 'deployment-secret'),
  endpoints: path.join(stateDir, 'endpoints.json'),
  streamCheckpoints: path.join(stateDir, 'stream-checkpoints.json'),
  pushCredentials: path.join(stateDir, 'push-credentials.json'),
});
