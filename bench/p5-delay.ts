/**
 * P5: propagation delay at 10k records/s, from the Kafka record timestamp (set by the producer when it sends) to
 * the record applied to the exposer's store, i.e. visible to the next scrape. Measured directly for every record
 * in the exposer process (bench/exposer-child.ts) and cross-checked with the exposer's own
 * `exposer_propagation_delay_seconds` histogram; a Prometheus-like scraper reads /metrics every second meanwhile.
 */
import { runLoadgen, type LoadgenSummary } from '../exposer/loadgen.js';
import { parseText } from '../exposition/index.js';
import { alternate, type BenchContext } from './context.js';
import { JOB, createTopic, deleteTopic, startExposerChild, uniqueName } from './harness.js';
import type { ChildStats } from './exposer-child.js';
import { quantile, scrape, stats } from './lib.js';
import type { ComparisonResult, Row, Target } from './result.js';

type Buckets = Map<number, number>;

/** The cumulative buckets of one histogram in a text exposition. */
export function histogramBuckets(body: string, name: string): Buckets {
  const buckets: Buckets = new Map();
  for (const event of parseText(body, { format: 'text', trackDuplicates: false }).events) {
    if (event.kind !== 'sample' || event.name !== `${name}_bucket`) continue;
    const le = event.labels.find((l) => l.name === 'le')?.value;
    if (le !== undefined) buckets.set(le === '+Inf' ? Infinity : Number(le), event.value);
  }
  return buckets;
}

/** Prometheus' histogram_quantile over the increase between two readings (linear within a bucket). */
export function histogramQuantile(q: number, before: Buckets, after: Buckets): number {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const counts = bounds.map((b) => (after.get(b) ?? 0) - (before.get(b) ?? 0));
  const total = counts[counts.length - 1] ?? 0;
  if (total <= 0) return NaN;
  const rank = q * total;
  for (let i = 0; i < bounds.length; i++) {
    if (counts[i]! >= rank) {
      const upper = bounds[i]!;
      const lower = i === 0 ? 0 : bounds[i - 1]!;
      if (upper === Infinity) return lower;
      const below = i === 0 ? 0 : counts[i - 1]!;
      return lower + ((upper - lower) * (rank - below)) / Math.max(1e-12, counts[i]! - below);
    }
  }
  return bounds[bounds.length - 2] ?? NaN;
}

const HISTOGRAM = 'exposer_propagation_delay_seconds';

export async function runP5(ctx: BenchContext): Promise<ComparisonResult> {
  const started = Date.now();
  const rate = ctx.smoke ? 1_000 : 10_000;
  const durationMs = ctx.smoke ? 1_500 : 8_000;
  const sources = ctx.smoke ? 50 : 1_000;
  const topic = uniqueName('bench-p5');
  await createTopic(ctx.brokers, topic);
  const child = await startExposerChild(ctx.bundles.exposer, {
    brokers: ctx.brokers,
    topics: [topic],
    group: uniqueName('bench-p5'),
    listen: '127.0.0.1:0',
    createTopic: false,
    partitions: 1,
  });
  const reps: {
    p50: number;
    p99: number;
    max: number;
    records: number;
    histogramP99: number;
    load: LoadgenSummary;
    scrapes: number;
  }[] = [];
  try {
    await child.call({ cmd: 'waitReady', timeoutMs: 60_000 }, 65_000);
    await alternate(ctx.reps, async (rep, warmUp) => {
      await child.call({ cmd: 'reset' });
      const before = histogramBuckets(
        (await scrape(`${child.url}/metrics`, { gzip: false })).body,
        HISTOGRAM,
      );
      let scraping = true;
      let scrapes = 0;
      const scraper = (async () => {
        while (scraping) {
          await new Promise((resolve) => setTimeout(resolve, 1000));
          if (!scraping) break;
          await scrape(`${child.url}/metrics`, { gzip: true });
          scrapes++;
        }
      })();
      const load = await runLoadgen({
        brokers: ctx.brokers.split(','),
        topic,
        sources,
        series: 12,
        rate,
        durationMs: warmUp ? Math.min(2_000, durationMs) : durationMs,
        format: 'text',
        job: JOB,
        timestamps: false,
        batch: Math.max(1, Math.round(rate / 50)),
      });
      scraping = false;
      await scraper;
      await child.call<ChildStats>({ cmd: 'waitRecords', records: load.records, timeoutMs: 60_000 }, 65_000);
      const delays = await child.call<number[]>({ cmd: 'delays' });
      const after = histogramBuckets((await scrape(`${child.url}/metrics`, { gzip: false })).body, HISTOGRAM);
      const run = {
        p50: quantile(delays, 0.5),
        p99: quantile(delays, 0.99),
        max: quantile(delays, 1),
        records: delays.length,
        histogramP99: histogramQuantile(0.99, before, after) * 1000,
        load,
        scrapes,
      };
      ctx.log(
        `P5 ${warmUp ? 'warm-up' : `rep ${rep + 1}`}: ${load.records} records at ${load.recordsPerSecond.toFixed(0)}/s, delay p50 ${run.p50} ms, p99 ${run.p99} ms, max ${run.max} ms (histogram p99 ~${run.histogramP99.toFixed(0)} ms)`,
      );
      if (!warmUp) reps.push(run);
    });
  } finally {
    await child.stop();
    await deleteTopic(ctx.brokers, topic).catch(() => undefined);
  }
  const p99 = stats(reps.map((r) => r.p99));
  const achieved = stats(reps.map((r) => r.load.recordsPerSecond));
  const rows: Row[] = [
    {
      what: 'records per second achieved by the producer',
      unit: 'records/s',
      ours: { tool: 'loadgen', value: achieved },
    },
    {
      what: 'propagation delay p50 (every record)',
      unit: 'ms',
      ours: { tool: 'exposer', value: stats(reps.map((r) => r.p50)) },
    },
    { what: 'propagation delay p99 (every record)', unit: 'ms', ours: { tool: 'exposer', value: p99 } },
    {
      what: 'propagation delay max',
      unit: 'ms',
      ours: { tool: 'exposer', value: stats(reps.map((r) => r.max)) },
    },
    {
      what: `p99 from the exposer's ${HISTOGRAM} histogram (interpolated)`,
      unit: 'ms',
      ours: { tool: 'exposer', value: stats(reps.map((r) => r.histogramP99)) },
    },
  ];
  const targets: Target[] = [
    {
      target: `propagation delay p99 <= 50 ms at ${rate.toLocaleString('en-US')} records/s`,
      measured: `${p99.median.toFixed(0)} ms (producer reached ${achieved.median.toFixed(0)} records/s)`,
      met: Number.isFinite(p99.median) ? p99.median <= 50 : null,
    },
  ];
  return {
    id: 'P5',
    title: 'propagation delay: record timestamp to visible at /metrics, at 10k records/s',
    date: new Date().toISOString(),
    smoke: ctx.smoke,
    reps: ctx.reps,
    machine: ctx.machine,
    commands: [
      `exposer loadgen --brokers B --topic T --sources ${sources} --series 12 --rate ${rate} --duration ${durationMs / 1000}s --format text   # runLoadgen, in the runner process`,
      'exposer serve --brokers B --topic T --partitions 1   # bench/exposer-child.ts; /metrics scraped every second meanwhile',
    ],
    rows,
    targets,
    notes: [
      `Each record is one source's 12 series (one route of SyntheticApp), so ${rate.toLocaleString('en-US')} records/s is ${(rate * 12).toLocaleString('en-US')} samples/s. The record timestamp is set by kafkajs when the producer sends; the delay ends when the record is in the store (same clock, same machine).`,
      'The producer shares the 2 cores with the broker and the exposer: a late producer shows as a lower achieved rate, not as delay.',
    ],
    seconds: (Date.now() - started) / 1000,
    raw: { reps: reps.map(({ load, ...rest }) => ({ ...rest, load })) },
  };
}
