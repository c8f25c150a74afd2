import { gpodderRoute } from './gpodder-http';

/** `POST /gpodder/api/2/auth/{username}/login.json`: the wrapper has checked the credentials and sets the session cookie. */
export const handler = gpodderRoute({}, async () => ({ empty: true }));
