/**
 * `npm run -s token -- <userId> [--scope catalog:write] [--country US] [--ttl 1h]`
 * prints a JWT that the local stack accepts, and nothing else.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_TOKEN_TTL, LOCAL_AUDIENCE, LOCAL_ISSUER, loadOrCreateSigningKey, mintToken } from '../local/local-auth';
import { defaultStateDir, stateFiles } from '../local/paths';

const usage = `usage: npm run -s token -- <userId> [--scope <scope>]... [--country <CC>] [--ttl <lifetime>]

Prints a JWT signed with the local stack's key (made under PLAYHEAD_STATE_DIR, default .playhead/,
on first use), for the user <userId> (its sub claim).

  --scope <scope>   a scope to grant, as catalog:write (publishers); repeat it or separate with commas
  --country <CC>    the viewer's ISO 3166-1 alpha-2 country (claim country), for region-restricted titles
  --ttl <lifetime>  how long the token is valid: 1h, 15m, 30s, 7d or seconds (default ${DEFAULT_TOKEN_TTL}, at most 30 days)
  -h, --help        this text

example: TOKEN=$(npm run -s token -- alice --country US)`;

function commandLine() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: { scope: { type: 'string', multiple: true }, country: { type: 'string' }, ttl: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${usage}`);
    process.exit(2);
  }
}
const parsed = commandLine();
if (parsed.values.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}
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
