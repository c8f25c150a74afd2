/**
 * The designs the change feed was chosen over (docs/SYNC.md, "Designs considered, measured"),
 * written for real against DynamoDB Local so that their price is measured, not assumed, and
 * set next to the chosen design's price from section 5.
 */
import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Endpoints } from '../../local/stack';
import { type FeedFigures, dynamoItemBytes, feedDerived } from './feed';
import { formatUnits, table } from './format';

/** Repeats of each alternative design's write. */
const ALTERNATIVE_RUNS = 3;

export interface AlternativeRow {
  design: string;
  operation: string;
  /** What DynamoDB Local reported (ReturnConsumedCapacity TOTAL), per write. */
  reported: number;
  /** The same broken down, as DynamoDB Local reported it (INDEXES). */
  breakdown: string;
  /** DynamoDB's documented price for the same write, as a range where the documentation leaves room. */
  documented: readonly [number, number];
  documentedHow: string;
}

export interface FeedDesignFigures {
  rows: AlternativeRow[];
  /** Bytes of the progress item the transactions write. */
  transactionItemBytes: number;
}

/** Measures every alternative on the local stack's DynamoDB Local. */
export async function measureFeedDesigns(endpoints: Endpoints): Promise<FeedDesignFigures> {
  if (!new URL(endpoints.dynamodb).hostname.startsWith('127.')) throw new Error(`DynamoDB Local is not on 127.0.0.1: ${endpoints.dynamodb}`);
  const raw = new DynamoDBClient({ endpoint: endpoints.dynamodb, region: endpoints.region, credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
  try {
    return await measureAlternatives(raw, DynamoDBDocumentClient.from(raw), endpoints.tableName);
  } finally {
    raw.destroy();
  }
}

type Consumed = { CapacityUnits?: number; Table?: { CapacityUnits?: number }; LocalSecondaryIndexes?: Record<string, { CapacityUnits?: number }> };

const consumedTotal = (consumed: Consumed | Consumed[] | undefined) => (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []).reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);

function consumedBreakdown(consumed: Consumed | Consumed[] | undefined): string {
  const all = Array.isArray(consumed) ? consumed : consumed ? [consumed] : [];
  const table = all.reduce((sum, c) => sum + (c.Table?.CapacityUnits ?? 0), 0);
  const lsi = all.reduce((sum, c) => sum + Object.values(c.LocalSecondaryIndexes ?? {}).reduce((s, i) => s + (i.CapacityUnits ?? 0), 0), 0);
  return lsi > 0 ? `table ${formatUnits(table)} + LSI ${formatUnits(lsi)}` : `table ${formatUnits(table)}`;
}

/**
 * The designs the feed was chosen over, written for real against DynamoDB Local: Replicache's
 * per-user version (the item and a counter in one transaction), with and without a local
 * secondary index on the sequence, and a sequence stamped on the items themselves behind an
 * LSI. Items live under a throwaway partition (the stream router ignores it); the LSI needs a
 * table of its own, created here and deleted afterwards.
 */
async function measureAlternatives(raw: DynamoDBClient, doc: DynamoDBDocumentClient, tableName: string): Promise<{ rows: AlternativeRow[]; transactionItemBytes: number }> {
  const rows: AlternativeRow[] = [];
  const progressItem = (pk: string, assetId: string, progress: number, extra: Record<string, unknown>) => ({
    PK: pk,
    SK: `PROGRESS#${assetId}`,
    entity: 'progress',
    assetId,
    progress,
    updatedAt: new Date().toISOString(),
    ...extra,
  });
  let transactionItemBytes = 0;

  /** Replicache: put the item stamped with the next version and bump the counter if it is still the one read. */
  async function replicacheWrites(table: string, design: string, documented: (first: boolean) => { units: readonly [number, number]; how: string }) {
    const pk = `BENCH#${randomUUID()}`;
    await doc.send(new PutCommand({ TableName: table, Item: { PK: pk, SK: 'VERSION', version: 0 } }));
    const assetId = randomUUID();
    for (let version = 0; version < ALTERNATIVE_RUNS; version++) {
      const item = progressItem(pk, assetId, 100 + version, { seq: version + 1 });
      transactionItemBytes = dynamoItemBytes(item);
      const out = await doc.send(
        new TransactWriteCommand({
          ReturnConsumedCapacity: 'INDEXES',
          TransactItems: [
            { Put: { TableName: table, Item: item } },
            {
              Update: {
                TableName: table,
                Key: { PK: pk, SK: 'VERSION' },
                UpdateExpression: 'SET version = version + :one',
                ConditionExpression: 'version = :expected',
                ExpressionAttributeValues: { ':one': 1, ':expected': version },
              },
            },
          ],
        }),
      );
      if (version < 2) {
        const price = documented(version === 0);
        rows.push({
          design,
          operation: version === 0 ? 'progress write, new item' : 'progress write, overwrite',
          reported: consumedTotal(out.ConsumedCapacity),
          breakdown: consumedBreakdown(out.ConsumedCapacity),
          documented: price.units,
          documentedHow: price.how,
        });
      }
    }
  }

  await replicacheWrites(tableName, 'Replicache per-user version (transaction, no index)', () => ({ units: [4, 4], how: '2 items × 2 WCU (transactional writes cost double)' }));

  const lsiTable = `${tableName}-bench-lsi`;
  await raw.send(
    new CreateTableCommand({
      TableName: lsiTable,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'PK', AttributeType: 'S' },
        { AttributeName: 'SK', AttributeType: 'S' },
        { AttributeName: 'seq', AttributeType: 'N' },
      ],
      KeySchema: [
        { AttributeName: 'PK', KeyType: 'HASH' },
        { AttributeName: 'SK', KeyType: 'RANGE' },
      ],
      LocalSecondaryIndexes: [
        {
          IndexName: 'bySeq',
          KeySchema: [
            { AttributeName: 'PK', KeyType: 'HASH' },
            { AttributeName: 'seq', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
  try {
    await replicacheWrites(lsiTable, 'Replicache per-user version + LSI on (PK, seq)', (first) =>
      first
        ? { units: [5, 6], how: '2 items × 2 WCU + 1 LSI put (2 if doubled in a transaction)' }
        : { units: [6, 8], how: '2 items × 2 WCU + LSI delete and put, seq changed (4 if doubled)' },
    );

    // A sequence stamped on the item itself: the API writes the item as today, the stream
    // consumer then sets `seq` on it (conditionally, so a newer write is not renumbered).
    const pk = `BENCH#${randomUUID()}`;
    const assetId = randomUUID();
    for (let run = 0; run < 2; run++) {
      const put = await doc.send(new PutCommand({ TableName: lsiTable, ReturnConsumedCapacity: 'INDEXES', Item: progressItem(pk, assetId, 100 + run, {}) }));
      const stamp = await doc.send(
        new UpdateCommand({
          TableName: lsiTable,
          ReturnConsumedCapacity: 'INDEXES',
          Key: { PK: pk, SK: `PROGRESS#${assetId}` },
          UpdateExpression: 'SET seq = :seq',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeValues: { ':seq': Date.now() * 1000 + run },
        }),
      );
      rows.push({
        design: 'Sequence stamped on the item + LSI on (PK, seq)',
        operation: run === 0 ? 'API put + consumer stamp, new item' : 'API put + consumer stamp, overwrite',
        reported: consumedTotal(put.ConsumedCapacity) + consumedTotal(stamp.ConsumedCapacity),
        breakdown: `put ${consumedBreakdown(put.ConsumedCapacity)}; stamp ${consumedBreakdown(stamp.ConsumedCapacity)}`,
        documented: run === 0 ? [3, 3] : [4, 4],
        documentedHow: run === 0 ? 'put 1 + stamp 1 + LSI put 1' : 'put 1 + LSI delete 1 (seq dropped) + stamp 1 + LSI put 1',
      });
    }
  } finally {
    await raw.send(new DeleteTableCommand({ TableName: lsiTable }));
  }
  return { rows, transactionItemBytes };
}

export function renderFeedDesigns(designs: FeedDesignFigures, feed: FeedFigures): string {
  const { apiWrite, chosenTrickle } = feedDerived(feed);
  const misreported = designs.rows.filter((a) => a.reported < a.documented[0] || a.reported > a.documented[1]);
  const priceRange = ([low, high]: readonly [number, number]) => (low === high ? formatUnits(low) : `${formatUnits(low)}–${formatUnits(high)}`);
  return `### The designs considered, measured

How each design numbers a change, and why the chosen one won, is in docs/SYNC.md ("Designs
considered, measured"); this section measures their price. Each alternative was written for
real against DynamoDB Local with \`ReturnConsumedCapacity\`
(items under a throwaway partition of the table; the LSI variants in a throwaway table that has
one, \`bySeq\` on \`(PK, seq)\`, projecting all attributes as a feed read from it needs). The
progress item in the transactions is ${designs.transactionItemBytes} bytes. "Documented" is what AWS's pricing rules
give for the same write: a write costs 1 WCU per KB, a transactional write 2 WCU per KB per item,
each write to a local index 1 WCU more, and changing an index key writes the index twice (delete
and put). The documentation does not say whether index writes are doubled inside a transaction
(DynamoDB Local doubles them), so those rows give a range.

${table(
  ['Design', 'Write', 'Reported WCU', 'Reported breakdown', 'Documented WCU', 'Documented as'],
  [
    ...designs.rows.map((a) => [a.design, a.operation, formatUnits(a.reported), a.breakdown, priceRange(a.documented), a.documentedHow]),
    [
      '**Numbering in the stream consumer (chosen)**',
      'progress write, one change per batch',
      formatUnits(apiWrite + chosenTrickle.write),
      `API ${formatUnits(apiWrite)} + feed entry ${formatUnits(chosenTrickle.write)}; plus ${formatUnits(chosenTrickle.read)} RCU for the Query of the newest entries`,
      '2',
      'API put 1 + feed entry put 1',
    ],
  ],
  ['l', 'l', 'r', 'l', 'r', 'l'],
)}

${
  misreported.length === 0
    ? 'DynamoDB Local reported the documented price for every alternative.'
    : `DynamoDB Local's figures differ from the documented price for ${misreported.map((a) => `"${a.design}, ${a.operation}" (${formatUnits(a.reported)} reported, ${priceRange(a.documented)} documented)`).join('; ')}. Its accounting is not AWS's billing; read the documented column as the price in AWS.`
}`;
}
