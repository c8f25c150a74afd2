/**
 * Section 3: latency of the hot routes through the local gateway, measured at the client,
 * with the handler's own duration and the request units of every measured request.
 */
import { randomUUID } from 'node:crypto';
import { mintToken } from '../../local/local-auth';
import { type Call, LIST_SIZE, MEASURED_REQUESTS, note, type StackContext, WARM_UP_REQUESTS } from './context';
import { formatUnits, mean, median, ms, percentile, table } from './format';

export interface Latency {
  label: string;
  samplesMs: number[];
  handlerMs: number[];
  /** Distinct read/write unit pairs seen across the measured requests. */
  unitPairs: Set<string>;
}

export async function measureLatency({ expectStatus, capture, key }: StackContext, assets: readonly string[]): Promise<Latency[]> {
  const [first] = assets as [string, ...string[]];
  note(`measuring latency (${WARM_UP_REQUESTS} warm-up + ${MEASURED_REQUESTS} requests per route)`);
  const listener = await mintToken(key, { userId: `bench-latency-${randomUUID()}` });
  for (const assetId of assets) await expectStatus(200, 'PUT', `/v1/progress/${assetId}`, listener, { progress: 1 });

  async function measureRoute(label: string, send: (i: number) => Promise<Call>): Promise<Latency> {
    for (let i = 0; i < WARM_UP_REQUESTS; i++) await send(i);
    capture.take();
    const samplesMs: number[] = [];
    for (let i = 0; i < MEASURED_REQUESTS; i++) samplesMs.push((await send(WARM_UP_REQUESTS + i)).elapsedMs);
    const logs = capture.take();
    return {
      label,
      samplesMs,
      handlerMs: logs.map((l) => l.durationMs),
      unitPairs: new Set(logs.map((l) => `${formatUnits(l.dynamoReadUnits)} RCU + ${formatUnits(l.dynamoWriteUnits)} WCU`)),
    };
  }

  return [
    // One viewer's player reporting ever-later positions of the same title, as in production.
    await measureRoute('`PUT /v1/progress/{assetId}` (overwrite)', (i) => expectStatus(200, 'PUT', `/v1/progress/${first}`, listener, { progress: 100 + i })),
    await measureRoute(`\`GET /v1/progress\` (${LIST_SIZE} items)`, () => expectStatus(200, 'GET', '/v1/progress', listener)),
  ];
}

export function renderLatency(latency: readonly Latency[]): string {
  const putLatency = latency[0];
  return `## 3. Latency through the local gateway

The local stack (DynamoDB Local, the SQS/S3 emulator, the gateway with the unchanged handlers
in process) is started on free ports with a temporary state directory. One client sends
requests one after another over HTTP with a valid token: ${WARM_UP_REQUESTS} warm-up requests, then
${MEASURED_REQUESTS} measured ones per route. A request's time runs from sending until the whole body
is read, so it includes the gateway's JWT check and DynamoDB Local (a Java process persisting
to disk) on 127.0.0.1; "in handler" is the handler's own \`durationMs\` (the figure its log line
carries). As with \`npm start\`, the stream poller runs alongside and shares the CPUs. The
handlers log at WARN during the run (the figures come from the capacity meter), so writing their
INFO lines is not in these times. These are local figures for spotting regressions, not a
forecast of latency in AWS.

${table(
  ['Request', 'n', 'p50 ms', 'p95 ms', 'p99 ms', 'Mean ms', 'Max ms', 'In handler p50 ms'],
  latency.map((l) => {
    const sorted = [...l.samplesMs].sort((a, b) => a - b);
    return [
      l.label,
      String(sorted.length),
      ms(percentile(sorted, 50)),
      ms(percentile(sorted, 95)),
      ms(percentile(sorted, 99)),
      ms(mean(sorted)),
      ms(sorted.at(-1) ?? Number.NaN),
      ms(median(l.handlerMs)),
    ];
  }),
  ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
)}

Every one of the ${MEASURED_REQUESTS} measured progress writes consumed ${[...(putLatency?.unitPairs ?? [])].join(' or ')}.`;
}
