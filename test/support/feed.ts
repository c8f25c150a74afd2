import { readFileSync } from 'node:fs';
import { inject } from 'vitest';
import { stateFiles } from '../../local/paths';
import type { Change } from '../../lambdas/sync/feed-entry';
import type { ChangesPage } from '../../lambdas/sync/feed-reader';
import { call } from './api';

export type { Change } from '../../lambdas/sync/feed-entry';
export type { ChangesPage } from '../../lambdas/sync/feed-reader';

export async function pull(token: string, since?: string, limit?: number): Promise<ChangesPage> {
  const query = new URLSearchParams();
  if (since !== undefined) query.set('since', since);
  if (limit !== undefined) query.set('limit', String(limit));
  const response = await call('GET', `/v1/changes${query.size > 0 ? `?${query}` : ''}`, { token });
  if (response.status !== 200) throw new Error(`pull failed: ${response.status} ${response.text}`);
  return response.json as ChangesPage;
}

/** Pulls until the feed says there is no more; returns everything and the last cursor. */
export async function pullAll(token: string, since?: string, limit?: number): Promise<{ changes: Change[]; cursor: string }> {
  const changes: Change[] = [];
  let cursor = since;
  for (;;) {
    const page = await pull(token, cursor, limit);
    changes.push(...page.changes);
    cursor = page.cursor;
    if (!page.hasMore) return { changes, cursor };
  }
}

/** Waits until the stream router has numbered at least `count` changes after `since`. */
export async function waitForChanges(token: string, since: string, count: number, timeoutMs = 15_000): Promise<Change[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { changes } = await pullAll(token, since);
    if (changes.length >= count || Date.now() > deadline) return changes;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Waits until the changes after `since` satisfy `done` (the router has caught up); returns them. */
export async function waitForFeed(token: string, since: string | undefined, done: (changes: Change[]) => boolean, timeoutMs = 15_000): Promise<Change[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { changes } = await pullAll(token, since);
    if (done(changes) || Date.now() > deadline) return changes;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** What a device holds after applying these changes in order: `type/key` → value. */
export function applyChanges(changes: readonly Change[], state = new Map<string, unknown>()): Map<string, unknown> {
  for (const c of changes) {
    if (c.op === 'upsert') state.set(`${c.type}/${c.key}`, c.value);
    else state.delete(`${c.type}/${c.key}`);
  }
  return state;
}

/** The local stack's cursor secret, so a test can make a cursor with any issue time. */
export const cursorSecret = () => readFileSync(stateFiles(inject('stateDir')).feedCursorSecret, 'utf8').trim();
