/**
 * Section 4: the DynamoDB request units of each operation, one request each through the local
 * gateway, as the capacity meter tallied them for that request.
 */
import { randomUUID } from 'node:crypto';
import { mintToken } from '../../local/local-auth';
import type { RequestLog } from './capture';
import { LIST_SIZE, type StackContext } from './context';
import { formatUnits, metMark, table } from './format';

/** The hottest write, saving progress: one item under 1 KB and the catalog check. */
export const PROGRESS_PUT_TARGET = { writeUnits: 1, readUnits: 1 };

export interface UnitsRow {
  operation: string;
  request: string;
  note: string;
  log: RequestLog;
}

export interface UnitsFigures {
  units: UnitsRow[];
  /** The assets this section put in the catalog (LIST_SIZE of them); later sections reuse them. */
  assets: string[];
}

export async function measureUnits({ expectStatus, capture, key, publisher, newAsset }: StackContext): Promise<UnitsFigures> {
  const units: UnitsRow[] = [];
  /** One request, and the request units the capacity meter tallied for it. */
  async function measureOne(operation: string, note: string, status: number, method: string, route: string, token: string | undefined, body?: unknown) {
    capture.take();
    await expectStatus(status, method, route, token, body);
    const logs = capture.take();
    const log = logs[0];
    if (logs.length !== 1 || log === undefined) throw new Error(`expected one capacity report for ${method} ${route}, got ${logs.length}`);
    units.push({ operation, request: `${method} ${log.route.replace(/^\S+ /, '')}`, note, log });
  }

  const assets = Array.from({ length: LIST_SIZE }, () => randomUUID());
  const [first, ...others] = assets as [string, ...string[]];
  await measureOne('Create asset', 'new item', 200, 'PUT', `/v1/catalog/assets/${first}`, publisher, newAsset());
  await measureOne('Replace asset', 'existing item', 200, 'PUT', `/v1/catalog/assets/${first}`, publisher, newAsset());
  for (const assetId of others) await expectStatus(200, 'PUT', `/v1/catalog/assets/${assetId}`, publisher, newAsset());

  const viewer = await mintToken(key, { userId: `bench-viewer-${randomUUID()}` });
  await measureOne('Get asset', 'eventually consistent read', 200, 'GET', `/v1/catalog/assets/${first}`, viewer);

  await measureOne('Add to watchlist', 'catalog check + new item', 200, 'PUT', `/v1/watchlist/${first}`, viewer);
  for (const assetId of others) await expectStatus(200, 'PUT', `/v1/watchlist/${assetId}`, viewer);
  await measureOne('List watchlist', `${LIST_SIZE} items`, 200, 'GET', '/v1/watchlist', viewer);
  await measureOne('Remove from watchlist', 'existing item', 200, 'DELETE', `/v1/watchlist/${first}`, viewer);

  await measureOne('Save progress', 'catalog check + new item', 200, 'PUT', `/v1/progress/${first}`, viewer, { progress: 60 });
  await measureOne('Save progress', 'catalog check + overwrite', 200, 'PUT', `/v1/progress/${first}`, viewer, { progress: 65 });
  for (const assetId of others) await expectStatus(200, 'PUT', `/v1/progress/${assetId}`, viewer, { progress: 30 });
  await measureOne('Get progress', 'strongly consistent read', 200, 'GET', `/v1/progress/${first}`, viewer);
  await measureOne('List progress', `${LIST_SIZE} items`, 200, 'GET', '/v1/progress', viewer);
  await measureOne('Delete progress', 'existing item', 200, 'DELETE', `/v1/progress/${first}`, viewer);

  const doomed = randomUUID();
  await expectStatus(200, 'PUT', `/v1/catalog/assets/${doomed}`, publisher, newAsset());
  await measureOne('Delete asset', 'soft delete', 200, 'DELETE', `/v1/catalog/assets/${doomed}`, publisher);
  await measureOne('Health', 'no table access', 200, 'GET', '/v1/health', undefined);

  return { units, assets };
}

function progressPutMax(units: readonly UnitsRow[]) {
  const progressPuts = units.filter((u) => u.request === 'PUT /v1/progress/{assetId}');
  return { write: Math.max(...progressPuts.map((u) => u.log.dynamoWriteUnits)), read: Math.max(...progressPuts.map((u) => u.log.dynamoReadUnits)) };
}

/** The progress PUT's rows of the targets table. */
export function progressTargetRows(units: readonly UnitsRow[]): string[][] {
  const max = progressPutMax(units);
  return [
    [`Progress PUT ≤ ${PROGRESS_PUT_TARGET.writeUnits} WCU (item < 1 KB)`, `${formatUnits(max.write)} WCU`, metMark(max.write <= PROGRESS_PUT_TARGET.writeUnits)],
    [`Progress PUT ≤ ${PROGRESS_PUT_TARGET.readUnits} RCU`, `${formatUnits(max.read)} RCU`, metMark(max.read <= PROGRESS_PUT_TARGET.readUnits)],
  ];
}

export function renderUnits(units: readonly UnitsRow[]): string {
  const { write: maxProgressWrite, read: maxProgressRead } = progressPutMax(units);
  return `## 4. DynamoDB request units per operation

Every DynamoDB call the handlers make asks for \`ReturnConsumedCapacity: TOTAL\` and adds the
answer to a per-request tally (lambdas/shared/dynamo.ts, capacity-meter.ts), which the request's
log line reports and the meter hands to its listeners. The bench sends one request per operation
through the local gateway and reads that request's tally from the meter (bin/bench/capture.ts).
The units are what DynamoDB Local reports, by DynamoDB's rules: a write costs 1 WCU per KB of
item written, a strongly consistent read 1 RCU per 4 KB and an eventually consistent read half
that. Lists were measured with ${LIST_SIZE} small items in the user's partition.

${table(
  ['Operation', 'Request', 'Case', 'RCU', 'WCU', 'DynamoDB calls'],
  units.map((u) => [u.operation, `\`${u.request}\``, u.note, formatUnits(u.log.dynamoReadUnits), formatUnits(u.log.dynamoWriteUnits), String(u.log.dynamoRequests)]),
  ['l', 'l', 'l', 'r', 'r', 'r'],
)}

Target for the hottest write, saving progress: at most ${PROGRESS_PUT_TARGET.writeUnits} WCU (one item under 1 KB) and
at most ${PROGRESS_PUT_TARGET.readUnits} RCU (the catalog check). Measured: ${formatUnits(maxProgressWrite)} WCU and ${formatUnits(maxProgressRead)} RCU, so the
target is ${maxProgressWrite <= PROGRESS_PUT_TARGET.writeUnits && maxProgressRead <= PROGRESS_PUT_TARGET.readUnits ? 'met' : 'not met'}.`;
}
