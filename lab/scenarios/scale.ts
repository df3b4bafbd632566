/**
 * Scale: sources x series grow behind one exposer, scraped every 2 s with a 1 s timeout, until its
 * scrape_duration_seconds reaches the timeout and its single `up` turns 0 — at which moment every app behind it
 * looks dead at once. A few apps of the same size scraped directly are the contrast: each is its own target,
 * with its own `up` and its own small scrape. Growth stops at a bounded maximum; the result says whether the
 * exposer's scrape ever failed.
 */
import { runLoadgen } from '../../exposer/loadgen.js';
import type { ScaleResult, ScaleStep } from '../results.js';
import { queryRange, round, valuesOf } from '../prom.js';
import { phase, type ScenarioContext } from '../scenario.js';
import { createTopics, startApps, startExposer, startLabPrometheus, targetOf, uniqueName } from '../stack.js';

/** Series per source: 100 routes of 12 series (the demo workload's unit). */
const SERIES_PER_SOURCE = 1200;

export async function scale(context: ScenarioContext): Promise<ScaleResult> {
  const steps = context.quick
    ? [12_000, 60_000, 180_000, 360_000]
    : [12_000, 60_000, 120_000, 240_000, 360_000, 480_000, 720_000, 960_000];
  const config = {
    scrapeIntervalS: 2,
    scrapeTimeoutS: 1,
    seriesPerSource: SERIES_PER_SOURCE,
    maxSeries: steps[steps.length - 1] ?? 0,
  };
  const observeScrapes = context.quick ? 3 : 5;
  const { scope, broker } = context;
  const topic = uniqueName('lab-scale');
  context.progress('creating the topic, starting the exposer and 3 directly scraped apps');
  await createTopics(broker.brokers, [topic]);
  const exposer = await startExposer(
    { brokers: broker.brokers, topic, maxSeries: config.maxSeries * 2 },
    scope,
  );
  const direct = await startApps(
    { count: 3, job: 'direct', series: SERIES_PER_SOURCE, topic, pushIntervalMs: 1000, timestamps: false },
    scope,
  );
  const timing = { interval: `${config.scrapeIntervalS}s`, timeout: `${config.scrapeTimeoutS}s` };
  const prometheus = await startLabPrometheus(
    [
      { name: 'exposer', targets: [exposer.target], ...timing },
      { name: 'direct', targets: direct.map((a) => targetOf(a.url)), ...timing },
    ],
    scope,
    '1s',
  );
  const scenarioStart = Date.now();

  const results: ScaleStep[] = [];
  let failedAtSeries: number | null = null;
  for (const target of steps) {
    const sources = Math.ceil(target / SERIES_PER_SOURCE);
    // The fleet keeps pushing while Prometheus scrapes, as real apps do: each source about every 5 s, at most
    // 50 records a second in all.
    const rate = Math.min(50, Math.max(1, sources / 5));
    context.progress(`pushing ${sources} sources x ${SERIES_PER_SOURCE} series (${target} series)`);
    const stopLoad = new AbortController();
    const load = runLoadgen({
      brokers: broker.brokers.split(','),
      topic,
      sources,
      series: SERIES_PER_SOURCE,
      rate,
      durationMs: 30 * 60_000,
      format: 'json',
      job: 'fleet',
      timestamps: false,
      // ~110 KB a record: 4 a request stay under the broker's 1 MB message.max.bytes.
      batch: 4,
      signal: stopLoad.signal,
    });
    let from: number;
    let to: number;
    let summary;
    try {
      context.progress(`waiting until the exposer holds ${target} series, or its scrape fails`);
      // exposer_series is only updated in Prometheus while scrapes succeed: a failing scrape also ends the wait.
      await prometheus.waitFor(
        `exposer_series{job="exposer"} >= ${Math.floor(target * 0.98)} or up{job="exposer"} == 0`,
        (r) => r.length > 0,
        context.quick ? 90_000 : 180_000,
      );
      from = Date.now();
      await phase(
        context,
        `observing ${observeScrapes} scrapes at ${target} series`,
        observeScrapes * config.scrapeIntervalS * 1000,
      );
      to = Date.now();
    } finally {
      stopLoad.abort();
      summary = await load;
    }
    if (summary.records === 0) {
      throw new Error(
        `the load generator could not push to Kafka: ${summary.lastError ?? 'no record acknowledged'}`,
      );
    }
    const durations = valuesOf(
      await queryRange(prometheus, 'scrape_duration_seconds{job="exposer"}', from, to),
    );
    const ups = valuesOf(await queryRange(prometheus, 'up{job="exposer"}', from, to));
    const held = valuesOf(await queryRange(prometheus, 'exposer_series{job="exposer"}', from, to));
    const step: ScaleStep = {
      sources,
      targetSeries: target,
      series: held.length === 0 ? null : Math.max(...held),
      scrapeDurationMaxS: durations.length === 0 ? 0 : round(Math.max(...durations)),
      upMin: ups.length === 0 ? 0 : Math.min(...ups),
      scrapes: observeScrapes,
      pushedRecordsPerS: round(summary.recordsPerSecond, 1),
    };
    results.push(step);
    context.progress(
      `${target} series: scrape ${step.scrapeDurationMaxS} s (timeout ${config.scrapeTimeoutS} s), up ${step.upMin}`,
    );
    if (step.upMin === 0) {
      failedAtSeries = target;
      break;
    }
  }

  const end = Date.now();
  const directDurations = valuesOf(
    await queryRange(prometheus, 'max(scrape_duration_seconds{job="direct"})', scenarioStart, end),
  );
  const directUps = valuesOf(await queryRange(prometheus, 'min(up{job="direct"})', scenarioStart, end));
  return {
    config,
    steps: results,
    failedAtSeries,
    direct: {
      targets: direct.length,
      seriesPerTarget: SERIES_PER_SOURCE,
      scrapeDurationMaxS: directDurations.length === 0 ? 0 : round(Math.max(...directDurations)),
      upMin: directUps.length === 0 ? 0 : Math.min(...directUps),
    },
  };
}
