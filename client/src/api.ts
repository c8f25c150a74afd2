import type { components } from './generated/openapi';

/** The API's own shapes, generated from openapi.yaml (`npm run client:types`). */
type Schemas = components['schemas'];

export type Change = Schemas['Change'];
export type ChangesPage = Schemas['ChangesPage'];
export type SyncSession = Schemas['SyncSession'];
export type SyncMutation = Schemas['SyncMutation'];
export type SyncPush = Schemas['SyncPush'];
export type SyncMutationResult = Schemas['SyncMutationResult'];
export type SyncPushResults = Schemas['SyncPushResults'];
export type SyncCompleted = Schemas['SyncCompleted'];
export type Problem = Schemas['Problem'];
export type WatchlistEntry = Schemas['WatchlistEntry'];
export type ProgressEntry = Schemas['ProgressEntry'];
export type Favourite = Schemas['Favourite'];
export type QueueEntry = Schemas['QueueEntry'];
export type QueueState = Schemas['QueueState'];
export type DatasetRecord = Schemas['DatasetRecord'];
export type EpisodeFetchResult = Schemas['EpisodeFetchResult'];
export type MessageSend = Schemas['MessageSend'];
export type MessageSent = Schemas['MessageSent'];
export type MessageContentType = Schemas['MessageContentType'];
export type MessageUploadConfirmed = Schemas['MessageUploadConfirmed'];
export type MessageState = Schemas['MessageState'];
export type MessageDownload = Schemas['MessageDownload'];
export type DeliveryState = Schemas['DeliveryState'];
export type InfoPacket = Schemas['InfoPacket'];
export type IncomingMessage = Schemas['IncomingMessage'];
export type OutgoingMessage = Schemas['OutgoingMessage'];

/** The type names of the change feed (`Change.type`). */
export type SyncedTypeName = SyncMutation['type'] | 'message-in' | 'message-out';

/** A push's limits, as openapi.yaml states them for `POST /v1/sync/sessions/{sessionId}/push` (a test keeps them equal). */
export const MAX_MUTATIONS_PER_PUSH = 100;
export const MAX_PUSH_BODY_BYTES = 512 * 1024;
