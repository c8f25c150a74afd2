import { existsSync, readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REDOC_BUNDLE } from '../../local/api-docs';
import { OPENAPI_FILE } from '../support/openapi-contract';
import { endpoints } from '../support/api';

/** Debian's chromium (apt-get install chromium; .ci/run installs it): no browser is ever downloaded. */
const CHROMIUM = '/usr/bin/chromium';

describe('the local stack serves the contract and a rendered reference', () => {
  it('serves openapi.yaml as written and the same document as JSON', async () => {
    const yaml = await fetch(`${endpoints.api}/openapi.yaml`);
    expect(yaml.status).toBe(200);
    expect(yaml.headers.get('content-type')).toMatch(/^application\/yaml/);
    expect(await yaml.text()).toBe(readFileSync(OPENAPI_FILE, 'utf8'));

    const json = await fetch(`${endpoints.api}/openapi.json`);
    expect(json.status).toBe(200);
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await json.json()).toEqual(parse(readFileSync(OPENAPI_FILE, 'utf8')));
  });

  it('serves /docs/ with a policy that lets the page load nothing from elsewhere, and the renderer from node_modules', async () => {
    for (const path of ['/docs', '/']) {
      const bare = await fetch(`${endpoints.api}${path}`, { redirect: 'manual' });
      expect(bare.status).toBe(308);
      expect(bare.headers.get('location')).toBe('/docs/');
    }
    const page = await fetch(`${endpoints.api}/docs/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await page.text()).toContain('/openapi.json');
    expect(existsSync(REDOC_BUNDLE)).toBe(true);
    const script = await fetch(`${endpoints.api}/docs/redoc.standalone.js`);
    expect(script.status).toBe(200);
    expect((await script.text()).length).toBe(readFileSync(REDOC_BUNDLE, 'utf8').length);
  });

  it('renders the reference in a real browser, offline: operation titles appear and no request leaves the machine', async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does it)`);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-background-networking'] });
    try {
      const page = await browser.newPage();
      const origin = new URL(endpoints.api).origin;
      const local = (url: string) => url.startsWith(`${origin}/`) || url.startsWith('data:') || url.startsWith('blob:');
      // Redoc's attribution logo names a CDN; the page's policy blocks it in the browser, so it never goes out.
      const elsewhere: string[] = [];
      const failures: string[] = [];
      page.on('requestfinished', (request) => {
        if (!local(request.url())) elsewhere.push(request.url());
      });
      page.on('requestfailed', (request) => {
        if (!local(request.url()) && request.failure()?.errorText !== 'csp') elsewhere.push(`${request.url()} (${request.failure()?.errorText})`);
      });
      page.on('pageerror', (error) => failures.push(error.message));
      // Redoc gives each operation a page of its own, under the tag's name.
      await page.goto(`${endpoints.api}/docs/#/progress/putprogress`);
      await page.getByRole('heading', { name: 'Record the progress of one asset' }).waitFor({ timeout: 30_000 });
      // The contract's example is what the page shows as the request payload.
      await page.getByText('"progress": 754').first().waitFor({ timeout: 10_000 });
      expect(await page.title()).toBe('Playhead API reference');
      expect(elsewhere).toEqual([]);
      expect(failures).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
