import { expect } from 'vitest';
import { call, endpoints, newUserId, tokenFor } from './api';
import { expectMatchesContract } from './openapi-contract';

/** A Playhead user with one gpodder app password, as a listener sets up an app. */
export interface GpodderAccount {
  userId: string;
  token: string;
  username: string;
  password: string;
  credentialId: string;
}

export async function gpodderAccount(label = 'gpodder'): Promise<GpodderAccount> {
  const userId = newUserId(label);
  const token = await tokenFor(userId);
  return { userId, token, ...(await newCredential(token)) };
}

/** Another app password of the same user (another app installation). */
export async function newCredential(token: string): Promise<{ username: string; password: string; credentialId: string }> {
  const response = await call('POST', '/v1/gpodder/credentials', { token, body: { label: 'an app' } });
  expect(response.status).toBe(201);
  const created = response.json as { id: string; username: string; password: string };
  return { username: created.username, password: created.password, credentialId: created.id };
}

export const basic = (username: string, password: string): string => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

export interface GpodderResponse {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
  setCookies: string[];
}

export interface GpodderCall {
  /** HTTP Basic with these credentials. */
  basicAuth?: { username: string; password: string };
  cookie?: string;
  body?: unknown;
  rawBody?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

/** A request as gpodder clients make it: JSON under whatever content type they pick. Every answer is checked against openapi.yaml. */
export async function gpodder(method: string, path: string, options: GpodderCall = {}): Promise<GpodderResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.basicAuth) headers.authorization = basic(options.basicAuth.username, options.basicAuth.password);
  if (options.cookie) headers.cookie = options.cookie;
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (body !== undefined) headers['content-type'] = options.contentType ?? 'application/x-www-form-urlencoded';
  const response = await fetch(`${endpoints.api}${path}`, { method, headers, body });
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  const contentType = response.headers.get('content-type') ?? '';
  // OPML and text lists are checked as the strings they are.
  const documented = text === '' || /json/.test(contentType) ? json : text;
  expectMatchesContract(method, path.split('?')[0] as string, { status: response.status, headers: response.headers, contentType, json: documented });
  return { status: response.status, headers: response.headers, text, json, setCookies: response.headers.getSetCookie() };
}

/** The `name=value` part of the session cookie an answer set. */
export function sessionFrom(response: GpodderResponse): string {
  const cookie = response.setCookies.find((c) => c.startsWith('sessionid='));
  expect(cookie, 'a session cookie').toBeDefined();
  return (cookie as string).split(';')[0] as string;
}
