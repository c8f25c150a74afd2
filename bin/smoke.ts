/**
 * `npm run smoke -- <api-url> <token> [--publisher-token <jwt>]`: the smoke test of a stage,
 * deployed or local (bin/smoke-checks.ts). Prints a pass/fail table and what differs from the
 * local stack; exits 1 when a check fails.
 */
import { parseArgs } from 'node:util';
import { formatRows, runSmoke } from './smoke-checks';

const usage = 'usage: npm run smoke -- <api-url> <token> [--publisher-token <jwt>]';
function commandLine() {
  try {
    return parseArgs({ allowPositionals: true, options: { 'publisher-token': { type: 'string' } } });
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    process.exit(2);
  }
}
const parsed = commandLine();
const [apiUrl, token, ...extra] = parsed.positionals;
if (!apiUrl || !token || extra.length > 0 || !/^https?:\/\//.test(apiUrl)) {
  console.error(usage);
  process.exit(2);
}
const rows = await runSmoke({ apiUrl, token, publisherToken: parsed.values['publisher-token'] });
console.log(formatRows(rows));
process.exitCode = rows.some((row) => row.kind === 'check' && row.outcome === 'fail') ? 1 : 0;
