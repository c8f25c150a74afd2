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
// The AWS SDK's notice that its releases after January 2027 need Node 22 speaks of the SDK, not of
// this stack: package-lock.json pins releases that run here, and the Lambdas run a newer Node.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const portOf = (name: string, fallback: number): number => {
  const raw = process.env[name];
  const port = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`${name} must be a port number, not '${raw}'.`);
    process.exit(1);
  }
  return port;
};

const ports = { PORT: portOf('PORT', 3000), DYNAMODB_PORT: portOf('DYNAMODB_PORT', 8000), MESSAGING_PORT: portOf('MESSAGING_PORT', 4566) };
// A port another program holds would fail deep inside one engine's start; name the variable instead.
const { portTaken } = await import('../local/free-port');
for (const [name, port] of Object.entries(ports)) {
  if (port !== 0 && (await portTaken(port))) {
    console.error(`Port ${port} is in use (${name}): stop what holds it, or start with another, as ${name}=${port + 1} npm start (0 picks any free port).`);
    process.exit(1);
  }
}

const started = performance.now();
const { startLocalStack } = await import('../local/stack');
const stack = await startLocalStack({
  stateDir: process.env.PLAYHEAD_STATE_DIR || defaultStateDir,
  port: ports.PORT,
  dynamodbPort: ports.DYNAMODB_PORT,
  messagingPort: ports.MESSAGING_PORT,
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
    `  docs:       ${endpoints.api}/docs/   (the contract: ${endpoints.api}/openapi.yaml, /openapi.json)`,
    '  analytics:  npm run -s tail -- analytics   (runs until Ctrl-C; npm run -s tail -- --list names the queues)',
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
