import { gpodderRoute } from './gpodder-http';
import { subscriptionList } from './subscription-formats';
import { subscribedUrls } from './subscription-rules';

/** `GET /gpodder/subscriptions/{username}.{json,opml,txt}`: all of the user's subscriptions (gPodder's "download my subscriptions"). */
export const handler = gpodderRoute({ formats: ['json', 'opml', 'txt'] }, async ({ caller, format, nowMs }) => subscriptionList(await subscribedUrls(caller.userId, nowMs), format));
