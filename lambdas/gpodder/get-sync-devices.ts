import { gpodderRoute } from './gpodder-http';
import { syncStatus } from './sync-groups';

/** `GET /gpodder/api/2/sync-devices/{username}.json` (Kasts' "link all devices"). */
export const handler = gpodderRoute({}, async ({ caller }) => ({ json: await syncStatus(caller.userId) }));
