/**
 * `@playhead/client`: an offline-first client for the Playhead API. Writes apply locally at
 * once and wait in a persistent outbox; `synchronize()` pushes them and pulls the server's
 * changes. This entry imports nothing from Node, so it runs in browsers, React Native and
 * Node 20+; the Node file store is `@playhead/client/file-store`.
 */
export { createClient, type Client, type ClientOptions, type PushHandled } from './client';
export { memoryStore, type Store } from './store';
export { indexedDbStore } from './indexeddb-store';
export type { Conflict, Rejection, SyncReport } from './synchronize';
export type { ItemChange, PendingMutation, TrackedMessage } from './replica';
export type { Inbox, SendOptions } from './messages';
export { ApiError, NetworkError, type RetryOptions } from './transport';
export { type Clock, type ManualClock, manualClock } from './clock';
export type * from './api';
export { MAX_MUTATIONS_PER_PUSH, MAX_PUSH_BODY_BYTES } from './api';
