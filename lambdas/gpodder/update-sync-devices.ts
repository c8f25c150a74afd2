import { gpodderRoute } from './gpodder-http';
import { syncDevicesBody } from './gpodder-schemas';
import { syncStatus } from './sync-groups';

/** `POST /gpodder/api/2/sync-devices/{username}.json`: accepted and answered with the status, which never changes: all devices are always in step. */
export const handler = gpodderRoute({ body: syncDevicesBody }, async ({ caller }) => ({ json: await syncStatus(caller.userId) }));
