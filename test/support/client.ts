import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Client, type ClientOptions, createClient } from '../../client/src/index';
import { fileStore } from '../../client/src/file-store';
import { endpoints } from './api';
import { expectMatchesContract, requestBodyErrors } from './openapi-contract';

/**
 * A fetch that checks every request the client sends to the API and every answer it gets
 * against openapi.yaml, so the client's tests also prove it speaks the documented contract.
 */
export const contractFetch: typeof fetch = async (input, init) => {
  const url = new URL(String(input instanceof Request ? input.url : input));
  const response = await fetch(input, init);
  if (url.origin !== new URL(endpoints.api).origin) return response;
  const method = init?.method ?? 'GET';
  if (typeof init?.body === 'string') {
    const errors = requestBodyErrors(method, url.pathname, JSON.parse(init.body));
    if (errors.length > 0) throw new Error(`${method} ${url.pathname}: the client sent a body openapi.yaml does not allow: ${errors.join('; ')}`);
  }
  const text = await response.clone().text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  expectMatchesContract(method, `${url.pathname}${url.search}`, { status: response.status, headers: response.headers, contentType: response.headers.get('content-type') ?? '', json });
  return response;
};

export const scratchDir = (label: string) => mkdtempSync(path.join(tmpdir(), `playhead-client-${label}-`));

/** A client of the local stack with a file store, checked against the contract. */
export function fileClient(token: string, deviceId: string, file: string, options: Partial<ClientOptions> = {}): Client {
  return createClient({ baseUrl: endpoints.api, token: () => token, deviceId, store: fileStore(file), fetch: contractFetch, ...options });
}

/** Where nothing listens: a device without a network. */
export const UNREACHABLE = 'http://127.0.0.1:9';

/** JSON with object keys sorted: the server does not keep the key order of a dataset value. */
export const canonical = (value: unknown): string =>
  Array.isArray(value)
    ? `[${value.map(canonical).join(',')}]`
    : typeof value === 'object' && value !== null
      ? `{${Object.keys(value)
          .sort()
          .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
          .join(',')}}`
      : JSON.stringify(value);

/** Items of every type as plain data, for comparing two devices. */
export function snapshotOf(client: Client, types: string[]): Record<string, unknown[]> {
  return Object.fromEntries(types.map((type) => [type, client.items(type).slice().sort((a, b) => canonical(a).localeCompare(canonical(b)))]));
}

/** Synchronizes both clients until they hold the same items (the feed numbers changes a moment after they are written). */
export async function converge(clients: Client[], types: string[], timeoutMs = 40_000): Promise<Record<string, unknown[]>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const client of clients) await client.synchronize();
    const views = clients.map((c) => canonical(snapshotOf(c, types)));
    if (views.every((v) => v === views[0])) return snapshotOf(clients[0] as Client, types);
    if (Date.now() > deadline) throw new Error(`clients did not converge:\n${views.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
