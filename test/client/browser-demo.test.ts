import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpoints, newUserId, tokenFor } from '../support/api';

/** Debian's chromium (apt-get install chromium; .ci/run installs it): no browser is ever downloaded. */
const CHROMIUM = '/usr/bin/chromium';
const FIRST = '0b5e7a4c-6d1e-4b8a-9a53-2f4a1d2c0001';
const SECOND = '0b5e7a4c-6d1e-4b8a-9a53-2f4a1d2c0002';

interface Snapshot {
  watchlist: string[];
  progress: number;
  notes: string[];
}

let browser: Browser;
beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does it)`);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-background-networking'] });
});
afterAll(async () => {
  await browser?.close();
});

const snapshotOf = async (page: Page, pane: string): Promise<Snapshot> => JSON.parse((await page.getAttribute(`#pane-${pane}`, 'data-snapshot')) ?? '{}') as Snapshot;
const pendingOf = async (page: Page, pane: string): Promise<number> => Number(await page.getAttribute(`#pane-${pane}`, 'data-pending'));
/** The first defined answer of `probe`, asked every 250 ms. */
async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
const ready = (page: Page) => Promise.all(['a', 'b'].map((pane) => page.waitForSelector(`#pane-${pane}[data-ready="true"]`)));

describe('the demo page in a real browser', () => {
  it('a pane edits offline, survives a reload with its outbox in IndexedDB, comes back, and both panes converge', async () => {
    const token = await tokenFor(newUserId('browser'));
    const publisher = await tokenFor('demo-publisher', { scopes: ['catalog:write'] });
    // The page from localhost, the API on 127.0.0.1: two origins, so every call goes through CORS.
    const demo = `http://localhost:${new URL(endpoints.api).port}/demo/#token=${token}&publisher=${publisher}`;
    const page = await browser.newPage();
    const failures: string[] = [];
    page.on('pageerror', (error) => failures.push(error.message));
    await page.goto(demo);
    await ready(page);

    await page.check('#pane-a .offline');
    await page.click(`#pane-a button[data-asset="${FIRST}"]`);
    await page.fill('#pane-a .note-text', 'written offline');
    await page.click('#pane-a .note-save');
    await page.$eval('#pane-a .progress', (input) => {
      (input as unknown as { value: string }).value = '42';
      input.dispatchEvent(new Event('input'));
      input.dispatchEvent(new Event('change'));
    });
    await expect.poll(() => pendingOf(page, 'a'), { timeout: 10_000 }).toBe(3);

    await page.reload();
    await ready(page);
    expect(await page.isChecked('#pane-a .offline')).toBe(true);
    expect(await pendingOf(page, 'a')).toBe(3);
    expect(await snapshotOf(page, 'a')).toMatchObject({ watchlist: [FIRST], progress: 42, notes: [expect.stringContaining('written offline')] });

    // Meanwhile the other device works online.
    await page.click(`#pane-b button[data-asset="${SECOND}"]`);
    await page.fill('#pane-b .note-text', 'from the other pane');
    await page.click('#pane-b .note-save');
    await expect.poll(() => pendingOf(page, 'b'), { timeout: 10_000 }).toBe(0);

    await page.uncheck('#pane-a .offline');
    let last = '';
    const converged = await waitFor(async () => {
      const [a, b] = await Promise.all([snapshotOf(page, 'a'), snapshotOf(page, 'b')]);
      last = `${JSON.stringify(a)} ${JSON.stringify(b)} ${await page.textContent('#pane-a .status')} | ${await page.textContent('#pane-b .status')}`;
      return JSON.stringify(a) === JSON.stringify(b) && a.watchlist.length === 2 && a.notes.length === 2 ? a : undefined;
    }, 45_000).catch((error: Error) => {
      throw new Error(`${error.message}: ${last}`);
    });
    expect(converged).toMatchObject({ watchlist: [FIRST, SECOND].sort(), progress: 42 });
    const notes = (await snapshotOf(page, 'a')).notes.join(' ');
    expect(notes).toContain('written offline');
    expect(notes).toContain('from the other pane');
    // Both notes carry server keys (UUIDs), not local ids.
    for (const note of (await snapshotOf(page, 'b')).notes) expect(note).toMatch(/^[0-9a-f-]{36}=/);
    expect(await pendingOf(page, 'a')).toBe(0);
    expect(failures).toEqual([]);
    await page.close();
    // The stream router numbers changes a moment after they are written; on a loaded machine, seconds.
  }, 90_000);
});
