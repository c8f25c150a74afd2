/**
 * The gpodder figures of `npm run bench`: what a subscription upload and 100 episode actions
 * cost in request units, and how long a new app's first sync of 1,000 episode actions takes.
 * Runs against the local stack bin/bench/run.ts started, through the gateway with HTTP Basic
 * as the apps sign in; units come from the capacity meter, times are the client's.
 */
import { randomUUID } from 'node:crypto';
import { mintToken } from '../../local/local-auth';
import type { RequestLog } from './capture';
import { bytesOf, note, REQUEST_TIMEOUT_MS, type StackContext } from './context';
import { formatUnits, kb, median, ms, table } from './format';

/** Subscriptions a listener already has when one more is uploaded. */
const HELD_SUBSCRIPTIONS = 100;
const UPLOAD_RUNS = 10;
/** gPodder uploads episode actions in batches of 100. */
const ACTIONS_PER_BATCH = 100;
const FIRST_SYNC_ACTIONS = 1000;
const FIRST_SYNC_RUNS = 3;

interface Measured {
  ms: number;
  readUnits: number;
  writeUnits: number;
  requests: number;
  bytes: number;
}

export interface GpodderFigures {
  firstUpload: Measured;
  oneMore: Measured[];
  newActions: Measured[];
  repeatActions: Measured[];
  firstSync: Measured[];
  incremental: Measured[];
}

interface Account {
  username: string;
  password: string;
}

const feed = (user: string, i: number) => `https://feeds.example.org/bench/${user}/${i}.xml`;
const episodeAction = (user: string, i: number, position: number) => ({
  podcast: feed(user, i % 20),
  episode: `https://cdn.example.org/bench/${user}/${i}.mp3`,
  action: 'play',
  // Whole seconds, and later for a later position: each repeat is a newer play.
  timestamp: new Date(Date.UTC(2026, 0, 1) + i * 1000 + position * 60_000).toISOString().slice(0, 19),
  started: 0,
  position,
  total: 3600,
});

export async function measureGpodder(ctx: StackContext): Promise<GpodderFigures> {
  note('measuring the gpodder surface');
  const account = async (): Promise<Account> => {
    const token = await mintToken(ctx.key, { userId: `bench-gpodder-${randomUUID()}` });
    const created = JSON.parse((await ctx.expectStatus(201, 'POST', '/v1/gpodder/credentials', token, { label: 'bench' })).text) as { username: string; password: string };
    return created;
  };
  const send = async (who: Account, method: string, route: string, body?: unknown): Promise<Measured> => {
    ctx.capture.take();
    const started = performance.now();
    const response = await fetch(`${ctx.endpoints.api}/gpodder${route}`, {
      method,
      headers: { authorization: `Basic ${Buffer.from(`${who.username}:${who.password}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS * 4),
    });
    const text = await response.text();
    const elapsed = performance.now() - started;
    if (response.status !== 200) throw new Error(`${method} /gpodder${route} answered ${response.status}: ${text.slice(0, 300)}`);
    const logs: RequestLog[] = ctx.capture.take();
    return {
      ms: elapsed,
      readUnits: logs.reduce((sum, l) => sum + l.dynamoReadUnits, 0),
      writeUnits: logs.reduce((sum, l) => sum + l.dynamoWriteUnits, 0),
      requests: logs.reduce((sum, l) => sum + l.dynamoRequests, 0),
      bytes: bytesOf(text),
    };
  };

  const listener = await account();
  const subscriptions = `/api/2/subscriptions/${listener.username}/bench-phone.json`;
  const firstUpload = await send(listener, 'POST', subscriptions, { add: Array.from({ length: HELD_SUBSCRIPTIONS }, (_, i) => feed(listener.username, i)), remove: [] });
  const oneMore: Measured[] = [];
  for (let run = 0; run < UPLOAD_RUNS; run++) oneMore.push(await send(listener, 'POST', subscriptions, { add: [feed(listener.username, HELD_SUBSCRIPTIONS + run)], remove: [] }));

  const episodes = `/api/2/episodes/${listener.username}.json`;
  const newActions: Measured[] = [];
  const repeatActions: Measured[] = [];
  for (let batch = 0; batch < FIRST_SYNC_ACTIONS / ACTIONS_PER_BATCH; batch++) {
    const actions = Array.from({ length: ACTIONS_PER_BATCH }, (_, i) => episodeAction(listener.username, batch * ACTIONS_PER_BATCH + i, 600));
    newActions.push(await send(listener, 'POST', episodes, actions));
  }
  for (let run = 0; run < 3; run++) {
    const actions = Array.from({ length: ACTIONS_PER_BATCH }, (_, i) => episodeAction(listener.username, i, 900 + run));
    repeatActions.push(await send(listener, 'POST', episodes, actions));
  }

  // A new app of the same listener: its first sync reads every episode's state.
  const firstSync: Measured[] = [];
  for (let run = 0; run < FIRST_SYNC_RUNS; run++) firstSync.push(await send(listener, 'GET', `${episodes}?since=0`));
  // Another app's read right after 100 plays changed: every state written in the last minute is in its window.
  const since = Math.floor(Date.now() / 1000);
  await send(listener, 'POST', episodes, Array.from({ length: ACTIONS_PER_BATCH }, (_, i) => episodeAction(listener.username, i, 1000)));
  const incremental: Measured[] = [];
  for (let run = 0; run < FIRST_SYNC_RUNS; run++) incremental.push(await send(listener, 'GET', `${episodes}?since=${since}`));
  return { firstUpload, oneMore, newActions, repeatActions, firstSync, incremental };
}

const row = (label: string, samples: readonly Measured[], per = 1): string[] => [
  label,
  formatUnits(median(samples.map((s) => s.readUnits)) / per),
  formatUnits(median(samples.map((s) => s.writeUnits)) / per),
  ms(median(samples.map((s) => s.ms))),
  kb(median(samples.map((s) => s.bytes))),
];

export function renderGpodder(figures: GpodderFigures): string {
  return [
    '## gpodder sync',
    '',
    'The gpodder.net API v2 surface (`lambdas/gpodder/`, docs/GPODDER.md) through the local gateway, signed in with HTTP Basic as podcast apps do. Units are read and write request units DynamoDB reported (medians); times are at the client, on this machine.',
    '',
    table(
      ['request', 'read units', 'write units', 'ms', 'answer KiB'],
      [
        row(`subscription upload: a first sync of ${HELD_SUBSCRIPTIONS} feeds`, [figures.firstUpload]),
        row(`subscription upload: one more feed (${HELD_SUBSCRIPTIONS}+ held)`, figures.oneMore),
        row(`${ACTIONS_PER_BATCH} episode actions, new episodes`, figures.newActions),
        row(`${ACTIONS_PER_BATCH} episode actions, episodes already known`, figures.repeatActions),
        row(`first sync: GET episodes since=0 with ${FIRST_SYNC_ACTIONS} episodes`, figures.firstSync),
        row(`GET episodes since=(before 100 new plays), all ${FIRST_SYNC_ACTIONS} within its minute of overlap`, figures.incremental),
      ],
      ['l', 'r', 'r', 'r', 'r'],
    ),
    '',
    `A first sync of ${FIRST_SYNC_ACTIONS} actions answers in ${ms(median(figures.firstSync.map((s) => s.ms)))} ms here. A subscription upload reads the user's whole subscription set (a Playhead-side follow may have to be taken in first), so its read units grow with the set; an episode upload reads the episodes it names in one batch and writes each changed one, with its index entry (two write units). A \`since\` read is a range read of the local index; up to 64 changed episodes are then read by key (a unit each), more by one query of every state (a unit per 4 KB), which is what the last row shows: here every state changed within the read's minute of overlap.`,
    '',
  ].join('\n');
}
