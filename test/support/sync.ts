import { call } from './api';
import type { ChangesPage } from './feed';

export interface Session {
  sessionId: string;
  deviceId: string;
  since: number | null;
  until: number;
  expiresAt: string;
}

export async function openSession(token: string, deviceId: string): Promise<Session> {
  const response = await call('POST', '/v1/sync/sessions', { token, body: { deviceId } });
  if (response.status !== 201) throw new Error(`open failed: ${response.status} ${response.text}`);
  return response.json as Session;
}

export async function push(token: string, sessionId: string, mutations: unknown[]) {
  const response = await call('POST', `/v1/sync/sessions/${sessionId}/push`, { token, body: { mutations } });
  if (response.status !== 200) throw new Error(`push failed: ${response.status} ${response.text}`);
  return (response.json as { results: Record<string, unknown>[] }).results;
}

export async function pullWindow(token: string, sessionId: string, limit?: number): Promise<ChangesPage['changes']> {
  const changes: ChangesPage['changes'] = [];
  let cursor: string | undefined;
  for (;;) {
    const query = new URLSearchParams();
    if (cursor) query.set('cursor', cursor);
    if (limit) query.set('limit', String(limit));
    const response = await call('GET', `/v1/sync/sessions/${sessionId}/pull${query.size ? `?${query}` : ''}`, { token });
    if (response.status !== 200) throw new Error(`pull failed: ${response.status} ${response.text}`);
    const page = response.json as ChangesPage;
    changes.push(...page.changes);
    cursor = page.cursor;
    if (!page.hasMore) return changes;
  }
}

export async function complete(token: string, sessionId: string): Promise<number> {
  const response = await call('POST', `/v1/sync/sessions/${sessionId}/complete`, { token });
  if (response.status !== 200) throw new Error(`complete failed: ${response.status} ${response.text}`);
  return (response.json as { position: number }).position;
}
