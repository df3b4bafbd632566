import { describe, expect, it } from 'vitest';
import { parseText } from '../exposition/index.js';
import { decodeRecord } from './decode.js';
import { SERIES_PER_ROUTE, SyntheticApp, renderMessage } from './workload.js';

describe('SyntheticApp (the load generator and demo app workload)', () => {
  it('has whole routes of series and the same samples in its message and its text', () => {
    const app = new SyntheticApp('shop', 'a:1', 100, 7);
    expect(app.seriesCount % SERIES_PER_ROUTE).toBe(0);
    expect(Math.abs(app.seriesCount - 100)).toBeLessThanOrEqual(SERIES_PER_ROUTE / 2);
    app.tick(2);
    const message = app.toMessage();
    const samples = message.metrics.reduce((n, f) => n + f.samples.length, 0);
    expect(samples).toBe(app.seriesCount);
    const { events, summary } = parseText(app.toText(), { format: 'text' });
    expect(events.filter((e) => e.kind === 'diagnostic')).toEqual([]);
    expect(summary.samples).toBe(app.seriesCount);
  });

  it('produces messages the exposer accepts, with counters that only go up', () => {
    const app = new SyntheticApp('shop', 'a:1', 24, 3);
    app.tick(1);
    const before = app.toMessage(1_700_000_000_000);
    app.tick(1);
    const after = app.toMessage();
    const total = (m: typeof before): number => m.metrics[0]!.samples.reduce((n, s) => n + s.value, 0);
    expect(total(after)).toBeGreaterThan(total(before));
    const decoded = decodeRecord({
      key: Buffer.from('shop/a:1'),
      value: Buffer.from(JSON.stringify(before)),
      headers: {},
      timestampMs: 1_700_000_000_000,
      partition: 0,
      offset: '0',
    });
    expect(decoded.ok).toBe(true);
  });

  it('is deterministic for a seed', () => {
    const a = new SyntheticApp('j', 'i', 36, 42);
    const b = new SyntheticApp('j', 'i', 36, 42);
    a.tick(3);
    b.tick(3);
    expect(a.toText()).toBe(b.toText());
  });

  it('writes the text the exposition renderer makes of its message, before and after every tick', () => {
    for (const [series, seed] of [
      [1, 1],
      [12, 2],
      [96, 3],
      [250, 4],
    ] as const) {
      const app = new SyntheticApp('shop', `a:${seed}`, series, seed);
      expect(app.toText()).toBe(renderMessage(app.toMessage()));
      for (const seconds of [0.01, 1, 30, 3600]) {
        app.tick(seconds);
        expect(app.toText()).toBe(renderMessage(app.toMessage()));
      }
    }
  });
});
