/**
 * Every user-owned item lives in the user's own partition, so one query can never reach
 * another user's data. This is the one place that knows the partition key format.
 */
const USER_PREFIX = 'USER#';

export const userPartitionKey = (userId: string): string => `${USER_PREFIX}${userId}`;

/** The owner of a user-owned item, from its partition key; undefined for shared items (catalog). */
export const userIdOfPartitionKey = (partitionKey: unknown): string | undefined =>
  typeof partitionKey === 'string' && partitionKey.startsWith(USER_PREFIX) ? partitionKey.slice(USER_PREFIX.length) : undefined;
