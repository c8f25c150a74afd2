import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { contentKeyOfItem, tableKeyOfContent } from '../catalog/content-keys';
import { holderIndexAttributes, holderRefreshCondition } from '../catalog/holders-index';
import { documentClient, tableName } from '../shared/dynamo';
import { batchGetItems, batchPutItems, conditional, conditionalUpdate, queryAll, queryPage, type TableKey } from '../shared/table-access';
import type { Page } from '../shared/user-items';
import { catalogPartitionKey, isCatalogHeader } from './catalog-store';

/**
 * A curated catalog's members: `CATALOG#<catalogId>` / `KEY#<content key>`, in the catalog's
 * own partition and sorted by content key. A member keeps a copy of its content's `updatedAt`
 * and `deletedAt` (`contentUpdatedAt`, `contentDeletedAt`), so a diff reads the catalog's
 * partition alone, never the content items. While it is in the catalog (not removed) a member
 * is a holder of its content (its index entry is built by catalog/holders-index.ts), which is
 * how lambdas/propagation finds it and refreshes the copy when the content is edited or deleted.
 * A removed member stays, with `removedAt` and out of the index, so a diff can say since when a
 * key is gone.
 */
export const CATALOG_MEMBER_ENTITY = 'catalog-member';
const MEMBER_PREFIX = 'KEY#';

export const memberKey = (catalogId: string, contentKey: string) => ({ PK: catalogPartitionKey(catalogId), SK: `${MEMBER_PREFIX}${contentKey}` });

export const memberItemSchema = z.object({
  entity: z.literal(CATALOG_MEMBER_ENTITY),
  catalogId: z.string(),
  key: z.string(),
  addedAt: z.string(),
  removedAt: z.string().optional(),
  contentUpdatedAt: z.string(),
  contentDeletedAt: z.string().optional(),
  /** When this member's copy of the content was last written (by an add or a refresh); see catalog-diff.ts. */
  refreshedAt: z.string().optional(),
});
export type MemberItem = z.infer<typeof memberItemSchema>;

/** What a client sees of a member (GET /v1/catalogs/{catalogId}/keys). */
export interface CatalogMember {
  key: string;
  addedAt: string;
  /** The content's `updatedAt`. */
  updatedAt: string;
  /** The content's `deletedAt`, when it has been deleted. */
  deletedAt?: string;
  /** When the key was removed from the catalog. */
  removedAt?: string;
}

export function memberView(member: MemberItem): CatalogMember {
  return {
    key: member.key,
    addedAt: member.addedAt,
    updatedAt: member.contentUpdatedAt,
    ...(member.contentDeletedAt === undefined ? {} : { deletedAt: member.contentDeletedAt }),
    ...(member.removedAt === undefined ? {} : { removedAt: member.removedAt }),
  };
}

/** The copy of a content item a member keeps. */
export interface ContentStamp {
  updatedAt: string;
  deletedAt?: string | undefined;
}

const stampOfContent = (item: Record<string, unknown>): ContentStamp => ({
  updatedAt: String(item.updatedAt),
  deletedAt: typeof item.deletedAt === 'string' ? item.deletedAt : undefined,
});

/** A member in the catalog (new, revived or refreshed), as stored: with its holder index entry. */
export function liveMemberItem(catalogId: string, key: string, addedAt: string, content: ContentStamp, now: string): Record<string, unknown> {
  return {
    ...memberKey(catalogId, key),
    entity: CATALOG_MEMBER_ENTITY,
    catalogId,
    key,
    addedAt,
    contentUpdatedAt: content.updatedAt,
    ...(content.deletedAt === undefined ? {} : { contentDeletedAt: content.deletedAt }),
    refreshedAt: now,
    ...holderIndexAttributes(key, catalogPartitionKey(catalogId)),
  };
}

/** A member taken out of the catalog: it keeps its last copy, gains `removedAt` and leaves the holder index. */
export function removedMemberItem(member: MemberItem, now: string): Record<string, unknown> {
  // A MemberItem holds only the member's own attributes: the holder index entry is left out.
  return { ...memberKey(member.catalogId, member.key), ...member, removedAt: now };
}

/**
 * The content items these keys name, read strongly consistently: adding checks that each key's
 * content exists (a publisher may add what it created a moment ago), and the check after an add
 * must see every edit committed before it (catalog-membership.ts). One BatchGetItem per 100 keys.
 */
export async function readContentStamps(keys: readonly string[]): Promise<Map<string, ContentStamp>> {
  const items = await batchGetItems(keys.map(tableKeyOfContent), { consistent: true });
  const stamps = new Map<string, ContentStamp>();
  for (const item of items) {
    const key = contentKeyOfItem(item);
    if (key !== undefined) stamps.set(key, stampOfContent(item));
  }
  return stamps;
}

/** The catalog's members for these keys, strongly consistent: adds and removes decide from them what to write. */
export async function readMembers(catalogId: string, keys: readonly string[]): Promise<Map<string, MemberItem>> {
  const items = await batchGetItems(
    keys.map((key) => memberKey(catalogId, key)),
    { consistent: true },
  );
  return new Map(items.map((item) => memberItemSchema.parse(item)).map((member) => [member.key, member]));
}

export const putMembers = (items: readonly Record<string, unknown>[]): Promise<void> => batchPutItems(items);

/**
 * Brings a member's copy up to newer content, the way lambdas/propagation does: only when the
 * stored copy is older, so a late or repeated refresh never moves it back. A member that is no
 * longer there, or already newer, is left alone.
 */
export async function refreshMemberCopy(catalogId: string, key: string, content: ContentStamp, now: string): Promise<boolean> {
  return conditional(
    documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: memberKey(catalogId, key),
        UpdateExpression:
          content.deletedAt === undefined
            ? 'SET contentUpdatedAt = :u, refreshedAt = :now REMOVE contentDeletedAt'
            : 'SET contentUpdatedAt = :u, refreshedAt = :now, contentDeletedAt = :d',
        ConditionExpression: 'attribute_exists(PK) AND contentUpdatedAt < :u',
        ExpressionAttributeValues: { ':u': content.updatedAt, ':now': now, ...(content.deletedAt === undefined ? {} : { ':d': content.deletedAt }) },
      }),
    ),
  );
}

/**
 * The refresh lambdas/propagation makes on a member when its content changed, on condition that
 * the member still holds it and its copy is older: the content's `updatedAt` and deletion, and
 * `refreshedAt`, which a diff with `since` needs to list a copy that landed late (catalog-diff.ts).
 */
export function refreshMemberFromContent(memberItemKey: TableKey, contentKey: string, content: Record<string, unknown>, now: string): Promise<boolean> {
  const deletedAt = typeof content.deletedAt === 'string' ? content.deletedAt : undefined;
  const set = { contentUpdatedAt: content.updatedAt, contentDeletedAt: deletedAt, refreshedAt: now };
  return conditionalUpdate(memberItemKey, { set, remove: deletedAt === undefined ? ['contentDeletedAt'] : [] }, holderRefreshCondition(contentKey, content.updatedAt));
}

/** One page of a catalog's members (removed ones too), by content key. Eventually consistent, like every list. */
export async function listMembers(catalogId: string, limit: number, afterSortKey: string | undefined): Promise<Page<CatalogMember>> {
  const pk = catalogPartitionKey(catalogId);
  const page = await queryPage(
    { TableName: tableName, KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)', ExpressionAttributeValues: { ':pk': pk, ':prefix': MEMBER_PREFIX } },
    limit,
    afterSortKey === undefined ? undefined : { PK: pk, SK: afterSortKey },
  );
  return {
    items: page.items.map((item) => memberView(memberItemSchema.parse(item))),
    lastSortKey: page.more ? (page.items.at(-1)?.SK as string | undefined) : undefined,
  };
}

/** A list cursor's content: a member sort key this module wrote. */
export const isMemberSortKey = (value: string): boolean => /^KEY#(asset|show|episode):[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(value);

/** The part of a member a diff needs. */
const diffMemberSchema = memberItemSchema.pick({ key: true, removedAt: true, contentUpdatedAt: true, contentDeletedAt: true, refreshedAt: true });
export type DiffMember = z.infer<typeof diffMemberSchema>;

/**
 * The whole catalog in one Query (paged internally, 1 MB a page): the header (`CATALOG` sorts
 * before `KEY#`, so it comes first) and every member, by content key. Undefined when there is
 * no such catalog. Eventually consistent, half the read units; catalog-diff.ts explains why a
 * diff can afford it.
 */
export async function readWholeCatalog(catalogId: string): Promise<{ members: DiffMember[] } | undefined> {
  const pk = catalogPartitionKey(catalogId);
  const items = await queryAll({
    TableName: tableName,
    KeyConditionExpression: 'PK = :pk',
    ExpressionAttributeValues: { ':pk': pk },
    // Fewer bytes over the wire; DynamoDB charges for whole items either way.
    ProjectionExpression: 'SK, entity, #key, removedAt, contentUpdatedAt, contentDeletedAt, refreshedAt',
    ExpressionAttributeNames: { '#key': 'key' },
  });
  if (!items.some(isCatalogHeader)) return undefined;
  return { members: items.filter((item) => item.entity === CATALOG_MEMBER_ENTITY).map((item) => diffMemberSchema.parse(item)) };
}
