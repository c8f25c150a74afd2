import { gpodderRoute } from './gpodder-http';

/** `POST /gpodder/api/2/auth/{username}/logout.json`: the cookie expires; the credential stays good for the app's next sign-in. */
export const handler = gpodderRoute({}, async () => ({ empty: true, expireSession: true }));
