import { gpodderRoute } from './gpodder-http';
import { subscriptionList } from './subscription-formats';
import { subscribedUrls } from './subscription-rules';

/** `GET /gpodder/subscriptions/{username}/{deviceId}.{json,opml,txt}`: the simple API; every device has the user's one set. */
export const handler = gpodderRoute({ formats: ['json', 'opml', 'txt'] }, async ({ caller, format, nowMs }) => subscriptionList(await subscribedUrls(caller.userId, nowMs), format));
