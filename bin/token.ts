/**
 * `npm run -s token -- <userId> [--scope catalog:write] [--country US] [--ttl 1h]`
 * prints a JWT that the local stack accepts, and nothing else.
 */
import { parseArgs } from 'node:util';
import { LOCAL_AUDIENCE, LOCAL_ISSUER, loadOrCreateSigningKey, mintToken } from '../local/local-auth';
import { defaultStateDir, stateFiles } from '../local/paths';

const usage = 'usage: npm run -s token -- <userId> [--scope <scope>]... [--country <CC>] [--ttl <1h|15m|3600>]';
function commandLine() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: { scope: { type: 'string', multiple: true }, country: { type: 'string' }, ttl: { type: 'string' } },
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    process.exit(2);
  }
}
const parsed = commandLine();
const [userId, ...extra] = parsed.positionals;
if (!userId || extra.length > 0) {
  console.error(usage);
  process.exit(2);
}
const ttl = parsed.values.ttl;
try {
  const key = await loadOrCreateSigningKey(stateFiles(process.env.PLAYHEAD_STATE_DIR || defaultStateDir).signingKey);
  const token = await mintToken(key, {
    userId,
    scopes: parsed.values.scope?.flatMap((s) => s.split(/[\s,]+/)).filter(Boolean),
    country: parsed.values.country?.toUpperCase(),
    ttl: ttl !== undefined && /^\d+$/.test(ttl) ? Number(ttl) : ttl,
    issuer: LOCAL_ISSUER,
    audience: LOCAL_AUDIENCE,
  });
  process.stdout.write(`${token}\n`);
} catch (error) {
  // A damaged key file or a lifetime too long: one line saying what to do, not a stack.
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
