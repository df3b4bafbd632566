/**
 * R5 in-process: the cardinality bomb (10M distinct series offered in the full suite) through the consumer's own
 * path without the broker (decodeRecord -> Store.apply), where the heap can be measured exactly (forced GC before
 * each reading) and the per-source limit hit on its own. The same bomb through the real broker, against an exposer
 * child process, is cardinality.int.test.ts; this form is what proves the heap stops growing at the limit.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { decodeRecord, type RawRecord } from '../../exposer/decode.js';
import { createExposerMetrics } from '../../exposer/metrics.js';
import { renderMetrics } from '../../exposer/render.js';
import { Store } from '../../exposer/store.js';
import { figure, selfValue, size, valuesByInstance } from './harness.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapMiB(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

let offset = 0;
function record(value: unknown): RawRecord {
  return {
    key: null,
    value: Buffer.from(JSON.stringify(value)),
    headers: {},
    timestampMs: Date.now(),
    partition: 0,
    offset: String(offset++),
  };
}

const seriesRecord = (job: string, instance: string, from: number, count: number, value: number): RawRecord =>
  record({
    job,
    instance,
    metrics: [
      {
        name: job === 'bomb' ? 'bomb_series' : 'fault_seq',
        type: 'gauge',
        samples: Array.from({ length: count }, (_, i) => ({ labels: { id: `u${from + i}` }, value })),
      },
    ],
  });

describe('R5 cardinality bomb', () => {
  it(
    'holds at most the configured series, refuses and counts the rest, and keeps existing sources updating',
    { timeout: size(60_000, 1_200_000) },
    async () => {
      const maxSeries = size(100_000, 500_000);
      const maxSeriesPerSource = 20_000;
      const offered = size(300_000, 10_000_000);
      const perRecord = 1000;
      const metrics = createExposerMetrics({ defaultMetrics: false });
      const store = new Store(
        {
          maxSeries,
          maxSeriesPerSource,
          maxLabelNameLength: 128,
          maxLabelValueLength: 2048,
          maxLabelsPerSeries: 32,
          sourceTtlMs: 0,
          timestamps: 'none',
        },
        metrics,
      );
      const apply = (raw: RawRecord): string => {
        const decoded = decodeRecord(raw, { maxMessageBytes: 8 * 1024 * 1024 });
        if (!decoded.ok) return decoded.reason;
        const result = store.apply(decoded.message, {
          partition: 0,
          offset: raw.offset,
          recordTimestampMs: raw.timestampMs,
          nowMs: Date.now(),
        });
        return result.ok ? 'applied' : result.reason;
      };

      // The sources that were there before the bomb: 50 x 10 series.
      const existing = Array.from({ length: 50 }, (_, i) => `e${i}`);
      const update = (round: number): void => {
        for (const instance of existing)
          expect(apply(seriesRecord('fault', instance, 0, 10, round))).toBe('applied');
      };
      update(0);
      const heapBefore = heapMiB();

      const outcomes = new Map<string, number>();
      let heapAtLimit: number | undefined;
      let maxHeld = 0;
      let round = 0;
      const started = Date.now();
      for (let n = 0; n < offered; n += perRecord) {
        const outcome = apply(seriesRecord('bomb', `b${n / perRecord}`, n, perRecord, 1));
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
        maxHeld = Math.max(maxHeld, store.seriesCount());
        if (heapAtLimit === undefined && outcome === 'limit_series') heapAtLimit = heapMiB();
        if ((n / perRecord) % 100 === 0) update(++round);
      }
      // One source alone over its own limit.
      const perSource = apply(seriesRecord('bomb', 'one-source', 0, maxSeriesPerSource + 1, 1));
      update(++round);
      const heapAfter = heapMiB();

      const text = [...renderMetrics(store, 'text', Date.now())].join('');
      const { values } = valuesByInstance(text, 'fault_seq');
      const stale = existing.filter((i) => values.get(i) !== round);
      const counted = await metrics.registry.metrics();
      figure('R5 cardinality bomb', {
        seriesOffered: offered + maxSeriesPerSource + 1,
        maxSeries,
        maxSeriesPerSource,
        seriesHeld: store.seriesCount(),
        maxHeld,
        recordsApplied: outcomes.get('applied') ?? 0,
        recordsRefusedLimitSeries: outcomes.get('limit_series') ?? 0,
        existingSourcesUpdatedRounds: round,
        heapBeforeMiB: Math.round(heapBefore),
        heapAtLimitMiB: Math.round(heapAtLimit ?? NaN),
        heapAfterMiB: Math.round(heapAfter),
        seconds: (Date.now() - started) / 1000,
      });

      expect(maxHeld).toBeLessThanOrEqual(maxSeries);
      expect(perSource).toBe('limit_source_series');
      expect([...outcomes.keys()].sort()).toEqual(['applied', 'limit_series']);
      const admitted = outcomes.get('applied') ?? 0;
      expect(admitted * perRecord + existing.length * 10).toBeLessThanOrEqual(maxSeries);
      expect(stale).toEqual([]);
      // Every refusal counted by reason, on the exposer's own metrics.
      expect(selfValue(counted, 'exposer_records_rejected_total{reason="limit_series"}')).toBe(
        outcomes.get('limit_series'),
      );
      expect(selfValue(counted, 'exposer_records_rejected_total{reason="limit_source_series"}')).toBe(1);
      // The heap stops growing at the limit: what came after it added at most a small fraction.
      expect(heapAtLimit).toBeDefined();
      expect(heapAfter).toBeLessThan((heapAtLimit ?? 0) * 1.25 + 16);
    },
  );

  it('counts the refusals on /metrics under limit_series and limit_source_series', async () => {
    const metrics = createExposerMetrics({ defaultMetrics: false });
    const store = new Store(
      {
        maxSeries: 1000,
        maxSeriesPerSource: 600,
        maxLabelNameLength: 128,
        maxLabelValueLength: 2048,
        maxLabelsPerSeries: 32,
        sourceTtlMs: 0,
        timestamps: 'none',
      },
      metrics,
    );
    const outcomes: string[] = [];
    for (let i = 0; i < 5; i++) {
      const raw = seriesRecord('bomb', `b${i}`, i * 500, i === 4 ? 601 : 500, 1);
      const decoded = decodeRecord(raw);
      if (!decoded.ok) throw new Error(decoded.detail);
      const r = store.apply(decoded.message, {
        partition: 0,
        offset: raw.offset,
        recordTimestampMs: 0,
        nowMs: 0,
      });
      outcomes.push(r.ok ? 'applied' : r.reason);
    }
    const text = await metrics.registry.metrics();
    expect(outcomes).toEqual(['applied', 'applied', 'limit_series', 'limit_series', 'limit_source_series']);
    expect(selfValue(text, 'exposer_records_rejected_total{reason="limit_series"}')).toBe(2);
    expect(selfValue(text, 'exposer_records_rejected_total{reason="limit_source_series"}')).toBe(1);
    expect(selfValue(text, 'exposer_limit_hits_total{limit="series"}')).toBe(2);
    expect(selfValue(text, 'exposer_series')).toBe(1000);
  });
});
