/**
 * The route table: every HTTP route exists here once. The CDK API stack creates one Lambda
 * per entry, the local gateway dispatches with it, and a contract test checks that
 * openapi.yaml documents exactly these routes. Functions that are not routes are in
 * lib/consumers.ts.
 */
export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';

export interface RouteDefinition {
  /** Stable id: the CDK construct id and the function name suffix. Renaming replaces the function. */
  id: string;
  method: HttpMethod;
  /** API Gateway path template, `{name}` for path parameters. */
  path: string;
  /** Handler module (exports `handler`), relative to the repository root. */
  entry: string;
  /**
   * `jwt`: the JWT authorizer must accept the bearer token before the handler runs. `gpodder`:
   * no authorizer; the handler signs the caller in with HTTP Basic or its session cookie
   * (lambdas/gpodder/gpodder-auth.ts), since no authorizer can answer with the Basic challenge
   * gpodder clients wait for, nor set the cookie.
   */
  auth: 'none' | 'jwt' | 'gpodder';
  /** The least table access the handler needs. */
  table: 'none' | 'read' | 'readwrite';
  /** Queues the handler sends to (by logical name). */
  sendsTo?: readonly string[];
  /** The handler signs or checks feed cursors and needs the cursor secret. */
  feedCursor?: boolean;
  /** The handler derives keys from the deployment secret (lambdas/shared/deployment-secret.ts). */
  deploymentSecret?: boolean;
  /**
   * Access to message videos in the media bucket: `read` signs downloads, `readwrite` also
   * inspects, tags and deletes uploads. Signing a URL grants nothing by itself; the URL works
   * only with the signer's own permission, so a route that signs uploads needs `put`.
   */
  media?: 'read' | 'readwrite' | 'put';
  /**
   * A throttle below the stage's (lib/throttle.ts) for a route whose one request can spend
   * hundreds of request units: it bounds the units per second the route may spend, whoever calls.
   */
  throttle?: { rateLimit: number; burstLimit: number };
}

export const routes = [
  { id: 'GetHealth', method: 'GET', path: '/v1/health', entry: 'lambdas/health/get-health.ts', auth: 'none', table: 'none' },

  { id: 'GetAsset', method: 'GET', path: '/v1/catalog/assets/{assetId}', entry: 'lambdas/catalog/get-asset.ts', auth: 'jwt', table: 'read' },
  { id: 'PutAsset', method: 'PUT', path: '/v1/catalog/assets/{assetId}', entry: 'lambdas/catalog/put-asset.ts', auth: 'jwt', table: 'readwrite' },
  { id: 'DeleteAsset', method: 'DELETE', path: '/v1/catalog/assets/{assetId}', entry: 'lambdas/catalog/delete-asset.ts', auth: 'jwt', table: 'readwrite' },

  { id: 'ListWatchlist', method: 'GET', path: '/v1/watchlist', entry: 'lambdas/watchlist/list-watchlist.ts', auth: 'jwt', table: 'read' },
  { id: 'PutWatchlistItem', method: 'PUT', path: '/v1/watchlist/{assetId}', entry: 'lambdas/watchlist/put-watchlist-item.ts', auth: 'jwt', table: 'readwrite' },
  { id: 'DeleteWatchlistItem', method: 'DELETE', path: '/v1/watchlist/{assetId}', entry: 'lambdas/watchlist/delete-watchlist-item.ts', auth: 'jwt', table: 'readwrite' },

  { id: 'ListProgress', method: 'GET', path: '/v1/progress', entry: 'lambdas/progress/list-progress.ts', auth: 'jwt', table: 'read' },
  { id: 'GetProgress', method: 'GET', path: '/v1/progress/{assetId}', entry: 'lambdas/progress/get-progress.ts', auth: 'jwt', table: 'read' },
  { id: 'PutProgress', method: 'PUT', path: '/v1/progress/{assetId}', entry: 'lambdas/progress/put-progress.ts', auth: 'jwt', table: 'readwrite' },
  { id: 'DeleteProgress', method: 'DELETE', path: '/v1/progress/{assetId}', entry: 'lambdas/progress/delete-progress.ts', auth: 'jwt', table: 'readwrite' },

  { id: 'ListDatasets', method: 'GET', path: '/v1/datasets', entry: 'lambdas/datasets/list-datasets.ts', auth: 'jwt', table: 'read' },
  { id: 'ListDatasetRecords', method: 'GET', path: '/v1/datasets/{dataset}/records', entry: 'lambdas/datasets/list-dataset-records.ts', auth: 'jwt', table: 'read' },
  { id: 'GetDatasetRecord', method: 'GET', path: '/v1/datasets/{dataset}/records/{key}', entry: 'lambdas/datasets/get-dataset-record.ts', auth: 'jwt', table: 'read' },
  { id: 'PutDatasetRecord', method: 'PUT', path: '/v1/datasets/{dataset}/records/{key}', entry: 'lambdas/datasets/put-dataset-record.ts', auth: 'jwt', table: 'readwrite' },
  { id: 'DeleteDatasetRecord', method: 'DELETE', path: '/v1/datasets/{dataset}/records/{key}', entry: 'lambdas/datasets/delete-dataset-record.ts', auth: 'jwt', table: 'readwrite' },

  { id: 'GetShow', method: 'GET', path: '/v1/catalog/shows/{showId}', entry: 'lambdas/catalog/get-show.ts', auth: 'jwt', table: 'read' },
  { id: 'PutShow', method: 'PUT', path: '/v1/catalog/shows/{showId}', entry: 'lambdas/catalog/put-show.ts', auth: 'jwt', table: 'readwrite' },
  { id: 'DeleteShow', method: 'DELETE', path: '/v1/catalog/shows/{showId}', entry: 'lambdas/catalog/delete-show.ts', auth: 'jwt', table: 'readwrite' },

  { id: 'ListEpisodes', method: 'GET', path: '/v1/catalog/shows/{showId}/episodes', entry: 'lambdas/catalog/list-episodes.ts', auth: 'jwt', table: 'read' },
  { id: 'GetEpisode', method: 'GET', path: '/v1/catalog/shows/{showId}/episodes/{episodeId}', entry: 'lambdas/catalog/get-episode.ts', auth: 'jwt', table: 'read' },
  { id: 'PutEpisode', method: 'PUT', path: '/v1/catalog/shows/{showId}/episodes/{episodeId}', entry: 'lambdas/catalog/put-episode.ts', auth: 'jwt', table: 'readwrite' },
  { id: 'DeleteEpisode', method: 'DELETE', path: '/v1/catalog/shows/{showId}/episodes/{episodeId}', entry: 'lambdas/catalog/delete-episode.ts', auth: 'jwt', table: 'readwrite' },

  { id: 'BatchGetCatalogItems', method: 'POST', path: '/v1/catalog/items:batchGet', entry: 'lambdas/catalogs/batch-get-items.ts', auth: 'jwt', table: 'read' },
  { id: 'ListCatalogs', method: 'GET', path: '/v1/catalogs', entry: 'lambdas/catalogs/list-catalogs.ts', auth: 'jwt', table: 'read' },
  { id: 'GetCatalog', method: 'GET', path: '/v1/catalogs/{catalogId}', entry: 'lambdas/catalogs/get-catalog.ts', auth: 'jwt', table: 'read' },
  { id: 'PutCatalog', method: 'PUT', path: '/v1/catalogs/{catalogId}', entry: 'lambdas/catalogs/put-catalog.ts', auth: 'jwt', table: 'readwrite' },
  { id: 'ListCatalogKeys', method: 'GET', path: '/v1/catalogs/{catalogId}/keys', entry: 'lambdas/catalogs/list-catalog-keys.ts', auth: 'jwt', table: 'read' },
  { id: 'AddCatalogKeys', method: 'POST', path: '/v1/catalogs/{catalogId}/keys:add', entry: 'lambdas/catalogs/add-catalog-keys.ts', auth: 'jwt', table: 'readwrite' },
  { id: 'RemoveCatalogKeys', method: 'POST', path: '/v1/catalogs/{catalogId}/keys:remove', entry: 'lambdas/catalogs/remove-catalog-keys.ts', auth: 'jwt', table: 'readwrite' },
  // One query of the whole catalog's partition per call: about 457 read units for 10,000 keys.
  { id: 'DiffCatalog', method: 'POST', path: '/v1/catalogs/{catalogId}/diff', entry: 'lambdas/catalogs/diff-catalog.ts', auth: 'jwt', table: 'read', throttle: { rateLimit: 5, burstLimit: 10 } },

  { id: 'ListFavourites', method: 'GET', path: '/v1/favourites', entry: 'lambdas/favourites/list-favourites.ts', auth: 'jwt', table: 'read' },
  { id: 'PutFavourite', method: 'PUT', path: '/v1/favourites/{showId}', entry: 'lambdas/favourites/put-favourite.ts', auth: 'jwt', table: 'readwrite' },
  { id: 'DeleteFavourite', method: 'DELETE', path: '/v1/favourites/{showId}', entry: 'lambdas/favourites/delete-favourite.ts', auth: 'jwt', table: 'readwrite' },

  { id: 'ListQueue', method: 'GET', path: '/v1/queue', entry: 'lambdas/queue/list-queue.ts', auth: 'jwt', table: 'read' },
  { id: 'PutQueueEntry', method: 'PUT', path: '/v1/queue/{episodeId}', entry: 'lambdas/queue/put-queue-entry.ts', auth: 'jwt', table: 'readwrite' },
  { id: 'PatchQueueEntry', method: 'PATCH', path: '/v1/queue/{episodeId}', entry: 'lambdas/queue/patch-queue-entry.ts', auth: 'jwt', table: 'readwrite' },
  { id: 'DeleteQueueEntry', method: 'DELETE', path: '/v1/queue/{episodeId}', entry: 'lambdas/queue/delete-queue-entry.ts', auth: 'jwt', table: 'readwrite' },
  // A query per favourite show and a transaction per show with news: 20 shows, about 340 write units.
  { id: 'FetchEpisodes', method: 'POST', path: '/v1/episodes/fetch', entry: 'lambdas/episodes/fetch-episodes.ts', auth: 'jwt', table: 'readwrite', throttle: { rateLimit: 20, burstLimit: 40 } },

  { id: 'SendMessage', method: 'POST', path: '/v1/messages', entry: 'lambdas/messages/send-message.ts', auth: 'jwt', table: 'readwrite', media: 'put' },
  { id: 'GetMessageInbox', method: 'GET', path: '/v1/messages/inbox', entry: 'lambdas/messages/get-inbox.ts', auth: 'jwt', table: 'read' },
  { id: 'ConfirmMessageUpload', method: 'POST', path: '/v1/messages/{messageId}/uploaded', entry: 'lambdas/messages/confirm-upload.ts', auth: 'jwt', table: 'readwrite', media: 'readwrite' },
  { id: 'SetMessageState', method: 'POST', path: '/v1/messages/{messageId}/state', entry: 'lambdas/messages/set-message-state.ts', auth: 'jwt', table: 'readwrite', media: 'readwrite' },
  { id: 'GetMessageDownload', method: 'GET', path: '/v1/messages/{messageId}/download', entry: 'lambdas/messages/download-message.ts', auth: 'jwt', table: 'read', media: 'read' },

  { id: 'RegisterDevice', method: 'PUT', path: '/v1/devices/{deviceId}', entry: 'lambdas/devices/put-device.ts', auth: 'jwt', table: 'readwrite' },
  { id: 'ListDevices', method: 'GET', path: '/v1/devices', entry: 'lambdas/devices/list-devices.ts', auth: 'jwt', table: 'read' },
  { id: 'DeleteDevice', method: 'DELETE', path: '/v1/devices/{deviceId}', entry: 'lambdas/devices/delete-device.ts', auth: 'jwt', table: 'readwrite' },

  { id: 'CreateGpodderCredential', method: 'POST', path: '/v1/gpodder/credentials', entry: 'lambdas/gpodder/create-credential.ts', auth: 'jwt', table: 'readwrite', deploymentSecret: true },
  { id: 'ListGpodderCredentials', method: 'GET', path: '/v1/gpodder/credentials', entry: 'lambdas/gpodder/list-credentials.ts', auth: 'jwt', table: 'read' },
  { id: 'RevokeGpodderCredential', method: 'DELETE', path: '/v1/gpodder/credentials/{credentialId}', entry: 'lambdas/gpodder/revoke-credential.ts', auth: 'jwt', table: 'readwrite' },

  // The gpodder.net API v2 as podcast apps call it, under the base URL /gpodder (docs/GPODDER.md).
  { id: 'GpodderLogin', method: 'POST', path: '/gpodder/api/2/auth/{username}/login.json', entry: 'lambdas/gpodder/login.ts', auth: 'gpodder', table: 'readwrite', deploymentSecret: true },
  { id: 'GpodderLogout', method: 'POST', path: '/gpodder/api/2/auth/{username}/logout.json', entry: 'lambdas/gpodder/logout.ts', auth: 'gpodder', table: 'readwrite', deploymentSecret: true },
  { id: 'GpodderListDevices', method: 'GET', path: '/gpodder/api/2/devices/{userFile}', entry: 'lambdas/gpodder/list-devices.ts', auth: 'gpodder', table: 'readwrite', deploymentSecret: true },
  { id: 'GpodderUpdateDevice', method: 'POST', path: '/gpodder/api/2/devices/{username}/{deviceFile}', entry: 'lambdas/gpodder/update-device.ts', auth: 'gpodder', table: 'readwrite', deploymentSecret: true },
  { id: 'GpodderGetSubscriptionChanges', method: 'GET', path: '/gpodder/api/2/subscriptions/{username}/{deviceFile}', entry: 'lambdas/gpodder/get-subscription-changes.ts', auth: 'gpodder', table: 'readwrite', deploymentSecret: true },
  { id: 'GpodderUploadSubscriptionChanges', method: 'POST', path: '/gpodder/api/2/subscriptions/{username}/{deviceFile}', entry: 'lambdas/gpodder/upload-subscription-changes.ts', auth: 'gpodder', table: 'readwrite', deploymentSecret: true },
  { id: 'GpodderGetDeviceSubscriptions', method: 'GET', path: '/gpodder/subscriptions/{username}/{deviceFile}', entry: 'lambdas/gpodder/get-device-subscriptions.ts', auth: 'gpodder', table: 'readwrite', deploymentSecret: true },
  { id: 'GpodderPutDeviceSubscriptions', method: 'PUT', path: '/gpodder/subscriptions/{username}/{deviceFile}', entry: 'lambdas/gpodder/put-device-subscriptions.ts', auth: 'gpodder', table: 'readwrite', deploymentSecret: true },
  { id: 'GpodderGetUserSubscriptions', method: 'GET', path: '/gpodder/subscriptions/{userFile}', entry: 'lambdas/gpodder/get-user-subscriptions.ts', auth: 'gpodder', table: 'readwrite', deploymentSecret: true },
  { id: 'GpodderGetEpisodeActions', method: 'GET', path: '/gpodder/api/2/episodes/{userFile}', entry: 'lambdas/gpodder/get-episode-actions.ts', auth: 'gpodder', table: 'readwrite', deploymentSecret: true },
  { id: 'GpodderUploadEpisodeActions', method: 'POST', path: '/gpodder/api/2/episodes/{userFile}', entry: 'lambdas/gpodder/upload-episode-actions.ts', auth: 'gpodder', table: 'readwrite', deploymentSecret: true },
  { id: 'GpodderGetSyncDevices', method: 'GET', path: '/gpodder/api/2/sync-devices/{userFile}', entry: 'lambdas/gpodder/get-sync-devices.ts', auth: 'gpodder', table: 'readwrite', deploymentSecret: true },
  { id: 'GpodderUpdateSyncDevices', method: 'POST', path: '/gpodder/api/2/sync-devices/{userFile}', entry: 'lambdas/gpodder/update-sync-devices.ts', auth: 'gpodder', table: 'readwrite', deploymentSecret: true },

  { id: 'GetChanges', method: 'GET', path: '/v1/changes', entry: 'lambdas/sync/get-changes.ts', auth: 'jwt', table: 'read', feedCursor: true },
  { id: 'OpenSyncSession', method: 'POST', path: '/v1/sync/sessions', entry: 'lambdas/sync/open-session.ts', auth: 'jwt', table: 'readwrite' },
  // Up to 100 mutations per push, each a conditional write.
  { id: 'PushSyncSession', method: 'POST', path: '/v1/sync/sessions/{sessionId}/push', entry: 'lambdas/sync/push-session.ts', auth: 'jwt', table: 'readwrite', throttle: { rateLimit: 50, burstLimit: 100 } },
  { id: 'PullSyncSession', method: 'GET', path: '/v1/sync/sessions/{sessionId}/pull', entry: 'lambdas/sync/pull-session.ts', auth: 'jwt', table: 'read', feedCursor: true },
  { id: 'CompleteSyncSession', method: 'POST', path: '/v1/sync/sessions/{sessionId}/complete', entry: 'lambdas/sync/complete-session.ts', auth: 'jwt', table: 'readwrite' },
] as const satisfies readonly RouteDefinition[];

/** A parameter segment that is not percent-encoded UTF-8 (`%ZZ`, `%`, `%E0%A4%A`): a bad request, not an unknown route. */
export class MalformedPathParameter extends Error {
  constructor(readonly parameter: string) {
    super(`path parameter ${parameter} is not valid percent-encoded UTF-8`);
    this.name = 'MalformedPathParameter';
  }
}

/**
 * Matches a concrete request path against a route's template; returns the path parameters
 * (in a map without a prototype, so no parameter name can reach Object.prototype), or throws
 * MalformedPathParameter when the path has the route's shape but a parameter does not decode.
 */
export function matchPath(template: string, path: string): Record<string, string> | undefined {
  const want = template.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const isParameter = (segment: string) => segment.startsWith('{') && segment.endsWith('}');
  // The shape first: a segment of some other route's shape says nothing about this one's parameters.
  if (want.some((w, i) => (isParameter(w) ? got[i] === '' : w !== got[i]))) return undefined;
  const params: Record<string, string> = Object.create(null) as Record<string, string>;
  want.forEach((w, i) => {
    if (!isParameter(w)) return;
    const name = w.slice(1, -1);
    try {
      params[name] = decodeURIComponent(got[i] as string);
    } catch {
      throw new MalformedPathParameter(name);
    }
  });
  return params;
}
