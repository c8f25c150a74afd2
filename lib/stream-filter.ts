/**
 * Which stream records reach a stream consumer, as Lambda's event filtering states it and as the
 * local poller applies it: one definition for both. Filtered records are never delivered, and
 * Lambda bills no invocation for them.
 */
import type { StreamTrigger } from './consumers';

type Image = Record<string, { S?: string } | undefined> | undefined;

/**
 * The filter patterns of the event source mapping (Lambda ORs them): a record passes when its
 * new image, or for a removal its old image, names an entity the trigger does not ignore.
 * A record of an item without an `entity` attribute passes neither.
 */
export function streamFilterPatterns(trigger: StreamTrigger): Record<string, unknown>[] {
  if (trigger.ignoredEntities === undefined) return [];
  const entity = { entity: { S: [{ 'anything-but': [...trigger.ignoredEntities] }] } };
  return [{ dynamodb: { NewImage: entity } }, { dynamodb: { OldImage: entity } }];
}

/** The same patterns, evaluated on a record in the stream's own (marshalled) form. */
export function passesStreamFilter(trigger: StreamTrigger, record: { dynamodb?: { NewImage?: unknown; OldImage?: unknown } }): boolean {
  const ignored = trigger.ignoredEntities;
  if (ignored === undefined) return true;
  const named = (image: unknown) => {
    const entity = (image as Image)?.entity?.S;
    return entity !== undefined && !ignored.includes(entity);
  };
  return named(record.dynamodb?.NewImage) || named(record.dynamodb?.OldImage);
}
