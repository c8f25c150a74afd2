import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { inject } from 'vitest';
import { loadOrCreateSigningKey, mintToken, type TokenRequest } from '../../local/local-auth';
import { stateFiles } from '../../local/paths';
import { expectMatchesContract } from './openapi-contract';

export const endpoints = inject('endpoints');
const signingKey = await loadOrCreateSigningKey(stateFiles(inject('stateDir')).signingKey);

/** A token the local gateway accepts, for a user id of the test's choosing. */
export const tokenFor = (userId: string, options: Omit<TokenRequest, 'userId'> = {}) => mintToken(signingKey, { userId, ...options });

/** A fresh user id per test keeps tests independent while they share one table. */
export const newUserId = (label = 'user') => `${label}-${randomUUID()}`;
export const newAssetId = () => randomUUID();

export interface ApiResponse {
  status: number;
  headers: Headers;
  contentType: string;
  text: string;
  json: unknown;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  /** Sent as is, instead of JSON-encoding `body`. */
  rawBody?: string;
  headers?: Record<string, string>;
}

/** One HTTP call to the local gateway; every response is recorded for the contract check. */
export async function call(method: string, path: string, options: CallOptions = {}): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await send(method, `${endpoints.api}${path}`, headers, body);
  const text = response.text;
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  const result = { status: response.status, headers: response.headers, contentType: response.headers.get('content-type') ?? '', text, json };
  // Every response an integration test receives must match openapi.yaml.
  expectMatchesContract(method, path, result);
  return result;
}

/** Creates a catalog asset as a publisher and returns its id. */
export async function createAsset(fields: { title?: string; durationSeconds?: number; regions?: string[] } = {}): Promise<string> {
  const assetId = newAssetId();
  const publisher = await tokenFor('publisher', { scopes: ['catalog:write'] });
  const response = await call('PUT', `/v1/catalog/assets/${assetId}`, { token: publisher, body: { title: 'A title', ...fields } });
  if (response.status !== 200) throw new Error(`could not create asset: ${response.status} ${response.text}`);
  return assetId;
}

/** node:http rather than fetch, because tests also send bodies on GET and DELETE. */
function send(method: string, url: string, headers: Record<string, string>, body: string | undefined) {
  return new Promise<{ status: number; headers: Headers; text: string }>((resolve, reject) => {
    const sized = body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) };
    const req = request(url, { method, headers: sized }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          if (value !== undefined) responseHeaders.set(name, Array.isArray(value) ? value.join(', ') : value);
        }
        resolve({ status: res.statusCode ?? 0, headers: responseHeaders, text: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
