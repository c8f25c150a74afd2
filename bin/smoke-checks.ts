import { randomUUID } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, generateKeyPair, SignJWT } from 'jose';

/**
 * The smoke test of a Playhead stage, deployed or local: health, auth, one write and one read
 * per capability, and the error format, through the public API only. Everything it writes is
 * its own (fresh ids) and is removed at the end, as far as the API can remove it.
 *
 * Two kinds of row. A check passes or fails. A note records what this stage answered where
 * API Gateway answers for itself in AWS (its 401, 404 and 413 bodies, headers on a 401 from a
 * route without the JWT authorizer), so an operator sees what differs from `npm start`.
 */

export interface SmokeOptions {
  apiUrl: string;
  /** A user's bearer token. With scope `catalog:write` it also makes the catalog items the user checks need. */
  token: string;
  /** A `catalog:write` token for the catalog items, when `token` lacks the scope. */
  publisherToken?: string;
  /** Per request; a deployed stage's cold starts take a second or two. */
  timeoutMs?: number;
}

export type RowKind = 'check' | 'note';

export interface SmokeRow {
  kind: RowKind;
  name: string;
  /** A check: pass or fail. A note: `same` as local, `differs`, or `skipped`. */
  outcome: 'pass' | 'fail' | 'same' | 'differs' | 'skipped';
  detail: string;
}

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

const PROBLEM_TYPE = 'application/problem+json';

export async function runSmoke(options: SmokeOptions): Promise<SmokeRow[]> {
  const base = options.apiUrl.replace(/\/+$/, '');
  const rows: SmokeRow[] = [];
  const cleanups: Array<{ name: string; run: () => Promise<Answer> }> = [];

  async function send(method: string, path: string, init: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
    const headers: Record<string, string> = { ...init.headers };
    if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
    let body = init.rawBody;
    if (init.body !== undefined) {
      body = JSON.stringify(init.body);
      headers['content-type'] ??= 'application/json';
    } else if (body !== undefined) headers['content-type'] ??= 'application/json';
    const response = await fetch(`${base}${path}`, { method, headers, body, signal: AbortSignal.timeout(options.timeoutMs ?? 15_000) });
    const text = await response.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json };
  }

  /** Runs one check; a thrown error or a false answer fails it with what was seen. */
  async function check(name: string, run: () => Promise<string | true>): Promise<boolean> {
    try {
      const result = await run();
      const passed = result === true || !result.startsWith('FAIL: ');
      rows.push({ kind: 'check', name, outcome: passed ? 'pass' : 'fail', detail: result === true ? '' : result.replace(/^FAIL: /, '') });
      return passed;
    } catch (error) {
      rows.push({ kind: 'check', name, outcome: 'fail', detail: error instanceof Error ? error.message : String(error) });
      return false;
    }
  }

  const skip = (name: string, why: string) => rows.push({ kind: 'check', name, outcome: 'skipped', detail: why });
  const note = (name: string, same: boolean, detail: string) => rows.push({ kind: 'note', name, outcome: same ? 'same' : 'differs', detail });

  /** `ok` when the status is the one expected, else why not. */
  function expectStatus(answer: Answer, status: number): string | true {
    return answer.status === status ? true : `FAIL: expected ${status}, got ${answer.status} ${answer.text.slice(0, 200)}`;
  }

  const isProblem = (answer: Answer) => (answer.headers.get('content-type') ?? '').startsWith(PROBLEM_TYPE) && typeof (answer.json as { type?: unknown } | undefined)?.type === 'string';
  const bodyShape = (answer: Answer) => (isProblem(answer) ? 'Playhead problem+json' : `${answer.headers.get('content-type') ?? 'no content-type'} ${answer.text.slice(0, 80)}`);

  const token = options.token;
  const scopes = tokenScopes(token);
  const publisher = scopes.has('catalog:write') ? token : options.publisherToken;

  // Health and auth.
  await check('health: GET /v1/health answers 200 {"status":"ok"}', async () => {
    const answer = await send('GET', '/v1/health');
    return answer.status === 200 && (answer.json as { status?: string })?.status === 'ok' ? true : `FAIL: ${answer.status} ${answer.text.slice(0, 200)}`;
  });

  const noToken = await send('GET', '/v1/watchlist');
  await check('auth: no token is 401', async () => expectStatus(noToken, 401));
  note('401 body without a token', isProblem(noToken), bodyShape(noToken));
  note('WWW-Authenticate on that 401', noToken.headers.get('www-authenticate') === 'Bearer', noToken.headers.get('www-authenticate') ?? 'absent');

  const forged = await forge(token);
  const forgedAnswer = await send('GET', '/v1/watchlist', { token: forged });
  await check('auth: a token signed by another key is 401', async () => expectStatus(forgedAnswer, 401));
  note('401 body for a forged token', isProblem(forgedAnswer), bodyShape(forgedAnswer));

  await check('auth: the token is accepted (GET /v1/watchlist is 200)', async () => expectStatus(await send('GET', '/v1/watchlist', { token }), 200));

  // The error format: Playhead's own, from a handler, on any stage.
  await check('errors: a malformed JSON body is 400 problem+json naming the field', async () => {
    const answer = await send('PUT', `/v1/datasets/smoke/records/${randomUUID()}`, { token, rawBody: '{"value":' });
    const fields = ((answer.json as { errors?: { field: string }[] } | undefined)?.errors ?? []).map((e) => e.field);
    return answer.status === 400 && isProblem(answer) && fields.includes('body') ? true : `FAIL: ${answer.status} ${answer.headers.get('content-type')} ${answer.text.slice(0, 200)}`;
  });
  await check('errors: a wrong type is 400 problem+json naming body.progress', async () => {
    const answer = await send('PUT', `/v1/progress/${randomUUID()}`, { token, body: { progress: 'ten' } });
    const fields = ((answer.json as { errors?: { field: string }[] } | undefined)?.errors ?? []).map((e) => e.field);
    return answer.status === 400 && isProblem(answer) && fields.includes('body.progress') ? true : `FAIL: ${answer.status} ${answer.text.slice(0, 200)}`;
  });
  await check('errors: a body over the route limit (16 KiB) is 413 problem+json', async () => {
    // The progress route: a refused body there can write nothing, even on a stage whose limit is wrong (no such asset).
    const answer = await send('PUT', `/v1/progress/${randomUUID()}`, { token, body: { progress: 1, padding: 'x'.repeat(20 * 1024) } });
    return answer.status === 413 && isProblem(answer) ? true : `FAIL: ${answer.status} ${answer.text.slice(0, 200)}`;
  });

  const unknownRoute = await send('GET', `/v1/no-such-route-${randomUUID().slice(0, 8)}`, { token });
  await check('errors: an unknown route is 404', async () => expectStatus(unknownRoute, 404));
  note('404 body for an unknown route', isProblem(unknownRoute), bodyShape(unknownRoute));

  // Over API Gateway's 10 MB: the gateway answers, not a handler.
  const huge = await send('PUT', `/v1/datasets/smoke/records/${randomUUID()}`, { token, rawBody: `{"value":"${'x'.repeat(10 * 1024 * 1024 + 1024)}"}` }).catch((error: unknown) => error as Error);
  if (huge instanceof Error) note('413 body over 10 MB', false, `the connection closed: ${huge.message}`);
  else {
    await check('errors: a body over 10 MB is 413', async () => expectStatus(huge, 413));
    note('413 body over 10 MB', isProblem(huge), bodyShape(huge));
  }

  // A route without the JWT authorizer answers its own 401; API Gateway must pass its WWW-Authenticate through.
  const gpodder = await send('GET', '/gpodder/api/2/devices/smoke-check.json');
  if (gpodder.status === 404) rows.push({ kind: 'note', name: 'WWW-Authenticate on a /gpodder/ 401', outcome: 'skipped', detail: 'this stage has no /gpodder/ routes (404)' });
  else note('WWW-Authenticate on a /gpodder/ 401', gpodder.status === 401 && /^Basic /i.test(gpodder.headers.get('www-authenticate') ?? ''), `${gpodder.status}, WWW-Authenticate: ${gpodder.headers.get('www-authenticate') ?? 'absent'}`);

  // Catalog items the user checks need, made by a publisher and removed at the end.
  const assetId = randomUUID();
  const showId = randomUUID();
  const episodeId = randomUUID();
  let catalogReady = false;
  if (publisher === undefined) {
    skip('catalog: publisher writes an asset, a show and an episode', 'the token has no catalog:write scope and no --publisher-token was given');
  } else {
    catalogReady = await check('catalog: publisher writes an asset, a show and an episode', async () => {
      const asset = await send('PUT', `/v1/catalog/assets/${assetId}`, { token: publisher, body: { title: 'Playhead smoke test', durationSeconds: 600 } });
      if (asset.status !== 200) return `FAIL: asset ${asset.status} ${asset.text.slice(0, 200)}`;
      cleanups.push({ name: 'asset', run: () => send('DELETE', `/v1/catalog/assets/${assetId}`, { token: publisher }) });
      const show = await send('PUT', `/v1/catalog/shows/${showId}`, { token: publisher, body: { title: 'Playhead smoke test' } });
      if (show.status !== 200) return `FAIL: show ${show.status} ${show.text.slice(0, 200)}`;
      cleanups.push({ name: 'show', run: () => send('DELETE', `/v1/catalog/shows/${showId}`, { token: publisher }) });
      const episode = await send('PUT', `/v1/catalog/shows/${showId}/episodes/${episodeId}`, {
        token: publisher,
        body: { title: 'Smoke episode', audioUrl: 'https://media.example/smoke.mp3', contentType: 'audio/mpeg', durationSeconds: 60, publishedAt: new Date(Date.now() - 60_000).toISOString() },
      });
      if (episode.status !== 200) return `FAIL: episode ${episode.status} ${episode.text.slice(0, 200)}`;
      cleanups.unshift({ name: 'episode', run: () => send('DELETE', `/v1/catalog/shows/${showId}/episodes/${episodeId}`, { token: publisher }) });
      return true;
    });
  }

  await check('catalog: a user reads the catalogs (GET /v1/catalogs)', async () => expectStatus(await send('GET', '/v1/catalogs', { token }), 200));

  const needsCatalog = async (name: string, run: () => Promise<string | true>) => {
    if (catalogReady) await check(name, run);
    else skip(name, 'no catalog items to use');
  };

  await needsCatalog('catalog: a user reads the asset back', async () => {
    const answer = await send('GET', `/v1/catalog/assets/${assetId}`, { token });
    return answer.status === 200 && (answer.json as { assetId?: string })?.assetId === assetId ? true : `FAIL: ${answer.status} ${answer.text.slice(0, 200)}`;
  });

  await needsCatalog('watchlist: add, then list', async () => {
    const put = await send('PUT', `/v1/watchlist/${assetId}`, { token });
    if (put.status !== 200) return `FAIL: PUT ${put.status} ${put.text.slice(0, 200)}`;
    cleanups.unshift({ name: 'watchlist item', run: () => send('DELETE', `/v1/watchlist/${assetId}`, { token }) });
    const list = await send('GET', '/v1/watchlist?limit=1000', { token });
    return list.status === 200 && JSON.stringify(list.json).includes(assetId) ? true : `FAIL: list ${list.status}, the item is not in it`;
  });

  await needsCatalog('progress: write, then read', async () => {
    const put = await send('PUT', `/v1/progress/${assetId}`, { token, body: { progress: 42 } });
    if (put.status !== 200) return `FAIL: PUT ${put.status} ${put.text.slice(0, 200)}`;
    cleanups.unshift({ name: 'progress', run: () => send('DELETE', `/v1/progress/${assetId}`, { token }) });
    const got = await send('GET', `/v1/progress/${assetId}`, { token });
    return got.status === 200 && (got.json as { progress?: number })?.progress === 42 ? true : `FAIL: GET ${got.status} ${got.text.slice(0, 200)}`;
  });

  await needsCatalog('favourites: follow a show, then list', async () => {
    const put = await send('PUT', `/v1/favourites/${showId}`, { token });
    if (put.status !== 200) return `FAIL: PUT ${put.status} ${put.text.slice(0, 200)}`;
    cleanups.unshift({ name: 'favourite', run: () => send('DELETE', `/v1/favourites/${showId}`, { token }) });
    const list = await send('GET', '/v1/favourites?limit=1000', { token });
    return list.status === 200 && JSON.stringify(list.json).includes(showId) ? true : `FAIL: list ${list.status}, the show is not in it`;
  });

  await needsCatalog('podcasts: episodes of the show are listed', async () => {
    const list = await send('GET', `/v1/catalog/shows/${showId}/episodes`, { token });
    return list.status === 200 && JSON.stringify(list.json).includes(episodeId) ? true : `FAIL: ${list.status} ${list.text.slice(0, 200)}`;
  });

  await needsCatalog('queue: add an episode, then list', async () => {
    const put = await send('PUT', `/v1/queue/${episodeId}`, { token });
    if (put.status !== 200) return `FAIL: PUT ${put.status} ${put.text.slice(0, 200)}`;
    cleanups.unshift({ name: 'queue entry', run: () => send('DELETE', `/v1/queue/${episodeId}`, { token }) });
    const list = await send('GET', '/v1/queue?limit=1000', { token });
    return list.status === 200 && JSON.stringify(list.json).includes(episodeId) ? true : `FAIL: list ${list.status}, the episode is not in it`;
  });

  const dataset = `smoke-${randomUUID().slice(0, 8)}`;
  await check('datasets: write a record, then read it', async () => {
    const put = await send('PUT', `/v1/datasets/${dataset}/records/written`, { token, body: { value: { smoke: true } } });
    if (put.status !== 200) return `FAIL: PUT ${put.status} ${put.text.slice(0, 200)}`;
    cleanups.unshift({ name: 'dataset record', run: () => send('DELETE', `/v1/datasets/${dataset}/records/written`, { token }) });
    const got = await send('GET', `/v1/datasets/${dataset}/records/written`, { token });
    return got.status === 200 && JSON.stringify((got.json as { value?: unknown })?.value) === '{"smoke":true}' ? true : `FAIL: GET ${got.status} ${got.text.slice(0, 200)}`;
  });

  await check('sync: open, push, pull, complete', async () => {
    const opened = await send('POST', '/v1/sync/sessions', { token, body: { deviceId: `smoke-${randomUUID().slice(0, 8)}` } });
    if (opened.status !== 201) return `FAIL: open ${opened.status} ${opened.text.slice(0, 200)}`;
    const { sessionId } = opened.json as { sessionId: string };
    const pushed = await send('POST', `/v1/sync/sessions/${sessionId}/push`, { token, body: { mutations: [{ id: 'smoke-1', type: 'dataset-record', op: 'upsert', key: `${dataset}/pushed`, value: 1 }] } });
    if (pushed.status !== 200) return `FAIL: push ${pushed.status} ${pushed.text.slice(0, 200)}`;
    cleanups.unshift({ name: 'pushed dataset record', run: () => send('DELETE', `/v1/datasets/${dataset}/records/pushed`, { token }) });
    const status = (pushed.json as { results?: { status?: string }[] }).results?.[0]?.status;
    if (status !== 'applied') return `FAIL: the mutation was answered ${status}`;
    const pulled = await send('GET', `/v1/sync/sessions/${sessionId}/pull`, { token });
    if (pulled.status !== 200) return `FAIL: pull ${pulled.status} ${pulled.text.slice(0, 200)}`;
    const completed = await send('POST', `/v1/sync/sessions/${sessionId}/complete`, { token });
    return completed.status === 200 ? true : `FAIL: complete ${completed.status} ${completed.text.slice(0, 200)}`;
  });

  await check('messages: an upload URL is signed for a new message', async () => {
    const sent = await send('POST', '/v1/messages', { token, body: { recipientId: `smoke-recipient-${randomUUID()}`, contentType: 'video/mp4', sizeBytes: 1024 } });
    const upload = (sent.json as { upload?: { url?: string; method?: string } } | undefined)?.upload;
    // Nothing is uploaded: the message expires by itself a day after its URL.
    return sent.status === 201 && upload?.method === 'PUT' && /^https?:\/\//.test(upload.url ?? '') ? true : `FAIL: ${sent.status} ${sent.text.slice(0, 200)}`;
  });

  // Clean up in reverse order of creation; a failed removal is a failed check, so nothing is left unnoticed.
  const leftovers: string[] = [];
  for (const cleanup of cleanups) {
    const answer = await cleanup.run().catch((error: unknown) => ({ status: 0, text: String(error) }) as Answer);
    if (answer.status !== 200 && answer.status !== 204) leftovers.push(`${cleanup.name} (${answer.status})`);
  }
  rows.push({ kind: 'check', name: 'cleanup: everything written is removed', outcome: leftovers.length === 0 ? 'pass' : 'fail', detail: leftovers.length === 0 ? 'catalog items are soft-deleted; the unsent message expires' : `not removed: ${leftovers.join(', ')}` });
  return rows;
}

function tokenScopes(token: string): Set<string> {
  try {
    const claims = decodeJwt(token);
    const scope = typeof claims.scope === 'string' ? claims.scope : typeof claims.scp === 'string' ? claims.scp : '';
    return new Set(scope.split(' ').filter(Boolean));
  } catch {
    return new Set();
  }
}

/** The same claims, signed by a key nobody trusts: a gateway that checks signatures refuses it. */
async function forge(token: string): Promise<string> {
  let claims: Record<string, unknown> = { sub: 'smoke-forger', exp: Math.floor(Date.now() / 1000) + 600 };
  let kid: string | undefined;
  try {
    claims = decodeJwt(token) as Record<string, unknown>;
    kid = decodeProtectedHeader(token).kid;
  } catch {
    // Not a JWT: forge one with claims of our own.
  }
  const { privateKey } = await generateKeyPair('ES256');
  return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'JWT', ...(kid === undefined ? {} : { kid }) }).sign(privateKey);
}

/** The pass/fail table, then the notes, as plain text for a terminal. */
export function formatRows(rows: readonly SmokeRow[]): string {
  const checks = rows.filter((row) => row.kind === 'check');
  const notes = rows.filter((row) => row.kind === 'note');
  const width = Math.max(...rows.map((row) => row.name.length));
  const line = (row: SmokeRow) => `${row.outcome.toUpperCase().padEnd(8)} ${row.name.padEnd(width)}  ${row.detail}`.trimEnd();
  const failed = checks.filter((row) => row.outcome === 'fail').length;
  const passed = checks.filter((row) => row.outcome === 'pass').length;
  const skipped = checks.length - failed - passed;
  return [
    ...checks.map(line),
    '',
    'What this stage answers where API Gateway may answer for itself (compare with npm start):',
    ...notes.map(line),
    '',
    `${passed} of ${checks.length} checks passed${failed > 0 ? `, ${failed} failed` : ''}${skipped > 0 ? `, ${skipped} skipped` : ''}.`,
  ].join('\n');
}
