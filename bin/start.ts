/**
 * `npm start`: the whole backend on this machine, no AWS account and no Docker.
 * Configuration: PORT (default 3000), DYNAMODB_PORT (default 8000), MESSAGING_PORT (SQS and
 * S3 emulator, default 4566), PLAYHEAD_STATE_DIR (default .playhead/).
 */
import { javaMissingMessage } from '../local/java';
import { defaultStateDir } from '../local/paths';

const missingJava = javaMissingMessage();
if (missingJava) {
  console.error(missingJava);
  process.exit(1);
}

process.env.POWERTOOLS_SERVICE_NAME ??= 'playhead';
const portOf = (name: string, fallback: number): number => {
  const raw = process.env[name];
  const port = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`${name} must be a port number, not '${raw}'.`);
    process.exit(1);
  }
  return port;
};

const started = performance.now();
const { startLocalStack } = await import('../local/stack');
const stack = await startLocalStack({
  stateDir: process.env.PLAYHEAD_STATE_DIR || defaultStateDir,
  port: portOf('PORT', 3000),
  dynamodbPort: portOf('DYNAMODB_PORT', 8000),
  messagingPort: portOf('MESSAGING_PORT', 4566),
}).catch((error: unknown) => {
  console.error(`Playhead could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

const { endpoints } = stack;
// The demo page (examples/web/) on the gateway's localhost origin, calling the API on 127.0.0.1 (CORS), with tokens in its fragment.
const { loadOrCreateSigningKey, mintToken } = await import('../local/local-auth');
const { stateFiles } = await import('../local/paths');
const demoKey = await loadOrCreateSigningKey(stateFiles(process.env.PLAYHEAD_STATE_DIR || defaultStateDir).signingKey);
const demoTokens = `token=${await mintToken(demoKey, { userId: 'demo', ttl: '12h' })}&publisher=${await mintToken(demoKey, { userId: 'demo-publisher', scopes: ['catalog:write'], ttl: '12h' })}`;
const demoUrl = `${endpoints.api.replace('127.0.0.1', 'localhost')}/demo/#${demoTokens}`;
console.error(
  [
    '',
    `Playhead is running at ${endpoints.api}  (ready in ${((performance.now() - started) / 1000).toFixed(1)} s)`,
    `  health:     curl ${endpoints.api}/v1/health`,
    '  token:      TOKEN=$(npm run -s token -- alice --country US)',
    `  try:        curl -H "authorization: Bearer $TOKEN" ${endpoints.api}/v1/watchlist`,
    '  analytics:  npm run -s tail -- analytics',
    `  demo:       ${demoUrl}`,
    `  endpoints:  ${process.env.PLAYHEAD_STATE_DIR || defaultStateDir}/endpoints.json`,
    'Press Ctrl-C to stop.',
    '',
  ].join('\n'),
);

let stopping = false;
const shutdown = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.error(`\n${signal}: stopping Playhead…`);
  setTimeout(() => process.exit(1), 10_000).unref();
  void stack.stop().then(() => process.exit(0));
};
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));
