/**
 * Every user-owned item lives in the user's own partition, so one query can never reach
 * another user's data. This is the one place that knows the partition key format.
 */
export const userPartitionKey = (userId: string): string => `USER#${userId}`;
