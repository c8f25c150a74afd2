import { describe, expect, it } from 'vitest';
import { changeNoticeSchema } from '../../lambdas/events/change-notices';
import { call, createAsset, newUserId, tokenFor } from '../support/api';
import { pull, waitForChanges } from '../support/feed';
import { queueReader } from '../support/queue-reader';

const noticesWhere = queueReader('changes', (body) => changeNoticeSchema.strict().parse(body));

describe('change notices on the changes queue', () => {
  it('sends one {userId, seq, type, key, op} per feed entry, matching the feed', async () => {
    const userId = newUserId('notices');
    const token = await tokenFor(userId);
    const start = (await pull(token)).cursor;
    const asset = await createAsset();
    await call('PUT', `/v1/watchlist/${asset}`, { token });
    await call('PUT', `/v1/progress/${asset}`, { token, body: { progress: 3 } });
    await call('DELETE', `/v1/watchlist/${asset}`, { token });
    const changes = await waitForChanges(token, start, 3);
    const notices = (await noticesWhere((n) => n.userId === userId, 3)).map((n) => n.message);
    expect(notices).toEqual(changes.map((c) => ({ userId, seq: c.seq, type: c.type, key: c.key, op: c.op })));
  });
});
