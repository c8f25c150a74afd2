import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';

/** One committed change of one table item, as the table's stream describes it. */
export interface ItemChange {
  /** Stable id of the change (the stream record's eventID), the same on every redelivery. */
  changeId: string;
  /** The stream's sequence number for the change: its position in commit order. */
  streamSeq: string;
  /** When the stream saw the change; used when the item itself carries no time (removals). */
  occurredAt: string;
  keys: Record<string, unknown>;
  oldImage: Record<string, unknown> | undefined;
  newImage: Record<string, unknown> | undefined;
}

const image = (value: unknown) => (value === undefined ? undefined : unmarshall(value as Record<string, AttributeValue>));

export function itemChangeOf(record: DynamoDBRecord): ItemChange {
  const approx = record.dynamodb?.ApproximateCreationDateTime;
  return {
    changeId: record.eventID ?? `${record.dynamodb?.SequenceNumber}`,
    streamSeq: record.dynamodb?.SequenceNumber ?? '0',
    occurredAt: new Date(approx === undefined ? Date.now() : approx * 1000).toISOString(),
    keys: image(record.dynamodb?.Keys) ?? {},
    oldImage: image(record.dynamodb?.OldImage),
    newImage: image(record.dynamodb?.NewImage),
  };
}
