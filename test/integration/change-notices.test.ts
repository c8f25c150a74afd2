import { describe, expect, it } from 'vitest';
import { changeNoticeSchema } from '../../lambdas/events/change-notices';
import { call, createAsset, newUserId, tokenFor } from '../support/api';
import { pull, waitForFeed } from '../support/feed';
import { queueReader } from '../support/queue-reader';

const noticesWhere = queueReader('changes', (body) => changeNoticeSchema.strict().parse(body));

describe('change notices on the changes queue', () => {
  it('sends at most one {userId, seq, types} per user per router batch, the last naming the feed head', async () => {
    const userId = newUserId('notices');
    const token = await tokenFor(userId);
    const start = (await pull(token)).cursor;
    const asset = await createAsset();
    await call('PUT', `/v1/watchlist/${asset}`, { token });
    for (let progress = 1; progress <= 5; progress++) await call('PUT', `/v1/progress/${asset}`, { token, body: { progress } });
    await call('DELETE', `/v1/watchlist/${asset}`, { token });
    const changes = await waitForFeed(token, start, (cs) => cs.some((c) => c.op === 'delete'));
    const head = changes.at(-1)?.seq;
    const notices = (await noticesWhere((n) => n.userId === userId && n.seq === head, 1)).map((n) => n.message);
    expect(notices).toEqual([expect.objectContaining({ userId, seq: head, types: expect.arrayContaining(['watchlist']) })]);
    const all = (await noticesWhere((n) => n.userId === userId, 1)).map((n) => n.message);
    // Seven writes; the router saw them in one batch or several, never more notices than writes.
    expect(all.length).toBeLessThanOrEqual(7);
    for (const notice of all) expect(notice.types.every((t) => t === 'watchlist' || t === 'progress')).toBe(true);
  });
});
