/**
 * The status page in a real browser: Debian's Chromium driven by playwright-core, on a phone-sized and a
 * desktop-sized viewport. Needs `/usr/bin/chromium` (deploy/setup.sh installs it).
 */
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, startServer, type RunningServer } from './http.js';
import { createExposerMetrics } from './metrics.js';
import type { PushFamily } from './schema.js';
import { DEFAULT_STORE_OPTIONS, Store } from './store.js';

const NOW = 1_764_000_000_000;

let browser: Browser;
let server: RunningServer;

beforeAll(async () => {
  const metrics = createExposerMetrics({ defaultMetrics: false });
  const store = new Store({ ...DEFAULT_STORE_OPTIONS, sourceTtlMs: 600_000 }, metrics);
  const family = (n: number): PushFamily => ({
    name: 'requests_total',
    type: 'counter',
    samples: Array.from({ length: n }, (_, i) => ({
      name: 'requests_total',
      labels: [['n', String(i)]],
      value: i,
    })),
  });
  const push = (job: string, instance: string, ageMs: number, n: number) =>
    store.apply(
      {
        job,
        instance,
        op: 'replace',
        labels: [['zone', 'eu-west-1a']],
        families: [family(n)],
        format: 'json',
        bytes: 0,
      },
      { partition: 1, offset: '7', recordTimestampMs: NOW - ageMs, nowMs: NOW },
    );
  push('checkout', 'checkout-1.prod.internal.example.com:8080', 5_000, 3);
  push('checkout', 'checkout-2.prod.internal.example.com:8080', 400_000, 2);
  push('billing', 'billingworker0with0a0very0long0instance0name0that0must0wrap0on0a0phone:9100', 590_000, 1);
  push('evil', '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>', 1_000, 1);
  const app = createApp({ store, metrics, readiness: () => ({ ready: true }), now: () => NOW });
  server = await startServer(app, { listen: '127.0.0.1:0' });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('status page in Chromium', () => {
  it('on a phone: every source readable, nothing wider than the screen, labels shown per cell', async () => {
    const page = await browser.newPage({ viewport: { width: 375, height: 740 }, deviceScaleFactor: 2 });
    try {
      await page.goto(`${server.url}/`);
      expect(await page.title()).toBe('exposer: 4 sources');
      // Browser-side code as strings: the project's TypeScript has no DOM types.
      const overflow = await page.evaluate<number>(
        'document.documentElement.scrollWidth - document.documentElement.clientWidth',
      );
      expect(overflow).toBeLessThanOrEqual(0);
      // The header row is hidden; each cell names its column itself.
      expect(await page.locator('thead').isVisible()).toBe(false);
      const before = await page.evaluate<string>(
        `getComputedStyle(document.querySelector('tbody td[data-h="series"]'), '::before').content`,
      );
      expect(before).toBe('"series: "');
      const rows = page.locator('tbody tr');
      expect(await rows.count()).toBe(4);
      const text = await page.locator('tbody').innerText();
      expect(text).toContain('billingworker0with0a0very0long0instance0name0that0must0wrap0on0a0phone:9100');
      // Font size stays readable (no zoomed-out desktop layout).
      const fontPx = await page.evaluate<number>('parseFloat(getComputedStyle(document.body).fontSize)');
      expect(fontPx).toBeGreaterThanOrEqual(14);
    } finally {
      await page.close();
    }
  });

  it('shows staleness against the TTL and the series counts', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    try {
      await page.goto(`${server.url}/`);
      expect(await page.locator('thead').isVisible()).toBe(true);
      const rowOf = (needle: string) => page.locator('tbody tr', { hasText: needle });
      expect(await rowOf('checkout-1.prod').getAttribute('class')).toBe('fresh');
      expect(await rowOf('checkout-2.prod').getAttribute('class')).toBe('aging');
      expect(await rowOf('billingworker0').getAttribute('class')).toBe('stale');
      expect(await rowOf('billingworker0').innerText()).toContain('9m50s ago');
      expect(await page.locator('#series').innerText()).toBe('7');
    } finally {
      await page.close();
    }
  });

  it('renders pushed markup as text and runs none of it', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${server.url}/`);
      expect(await page.evaluate<unknown>('window.pwned')).toBeUndefined();
      expect(await page.locator('img').count()).toBe(0);
      expect(await page.locator('tbody script').count()).toBe(0);
      expect(await page.locator('tbody tr', { hasText: 'evil' }).innerText()).toContain(
        '<script>window.pwned=2</script>',
      );
    } finally {
      await page.close();
    }
  });
});
