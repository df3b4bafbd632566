/**
 * Misalignment: what Prometheus sees through the exposer is the app's state at some earlier push, delivered
 * some time later. The scenario measures the propagation delay and the sample age at scrape (the exposer's own
 * histograms, as Prometheus scraped them), compares rate() of the same counter direct and through the exposer,
 * and injects a delivery delay (a relay holding records) to count the seconds in which live apps looked gone
 * through an exposer with a source TTL while their `up` said they were fine.
 */
import type { MisalignmentResult } from '../results.js';
import { mean, queryRange, round, roundOrNull, valueAt, type RangeSeries } from '../prom.js';
import { startRelay } from '../relay.js';
import { phase, type ScenarioContext } from '../scenario.js';
import { createTopics, startApps, startExposer, startLabPrometheus, targetOf, uniqueName } from '../stack.js';

function quantileAt(
  prometheus: { url: string },
  q: number,
  metric: string,
  fromMs: number,
  toMs: number,
): Promise<number | null> {
  const window = Math.max(1, Math.round((toMs - fromMs) / 1000));
  return valueAt(
    prometheus,
    `histogram_quantile(${q}, sum by (le) (increase(${metric}_bucket{job="exposer"}[${window}s])))`,
    toMs,
  );
}

/** Steps (seconds) where `when(direct, exposer)` held, over the points between fromS and toS. */
function secondsWhere(
  points: MisalignmentResult['rate']['points'],
  fromS: number,
  toS: number,
  when: (direct: number, exposer: number) => boolean,
): number {
  return points.filter(
    (p) => p.t >= fromS && p.t < toS && p.direct !== null && p.exposer !== null && when(p.direct, p.exposer),
  ).length;
}

function asMap(series: readonly RangeSeries[]): Map<number, number> {
  return new Map((series[0]?.values ?? []).map(([t, v]) => [Math.round(t), v]));
}

export async function misalignment(context: ScenarioContext): Promise<MisalignmentResult> {
  const config = context.quick
    ? {
        apps: 2,
        scrapeIntervalS: 1,
        pushIntervalS: 2,
        injectedDelayS: 6,
        exposerTtlS: 3,
        rateWindowS: 10,
        baselineS: 16,
        delayedS: 10,
        recoveryS: 8,
      }
    : {
        apps: 3,
        scrapeIntervalS: 1,
        pushIntervalS: 2,
        injectedDelayS: 30,
        exposerTtlS: 10,
        rateWindowS: 30,
        baselineS: 120,
        delayedS: 60,
        recoveryS: 60,
      };
  const { scope, broker } = context;
  const pushed = uniqueName('lab-mis-pushed');
  const delivered = uniqueName('lab-mis-delivered');
  context.progress('creating topics, starting the relay and two exposers');
  await createTopics(broker.brokers, [pushed, delivered]);
  let delayMs = 0;
  await startRelay(
    { brokers: broker.brokers, from: pushed, to: delivered, delayMs: () => delayMs, keepOrder: true },
    scope,
  );
  const [plain, withTtl] = await Promise.all([
    startExposer({ brokers: broker.brokers, topic: delivered }, scope),
    startExposer({ brokers: broker.brokers, topic: delivered, sourceTtl: `${config.exposerTtlS}s` }, scope),
  ]);
  const apps = await startApps(
    {
      count: config.apps,
      job: 'shop',
      series: 24,
      brokers: broker.brokers,
      topic: pushed,
      pushIntervalMs: config.pushIntervalS * 1000,
      timestamps: false,
    },
    scope,
  );
  const prometheus = await startLabPrometheus(
    [
      { name: 'direct', targets: apps.map((a) => targetOf(a.url)) },
      { name: 'exposer', targets: [plain.target] },
      { name: 'exposer_ttl', targets: [withTtl.target] },
    ],
    scope,
    `${config.scrapeIntervalS}s`,
  );
  context.progress('waiting until every app is seen directly and through both exposers');
  for (const job of ['exposer', 'exposer_ttl']) {
    await prometheus.waitFor(
      `count by (exported_instance) (app_requests_total{job="${job}"})`,
      (r) => r.length >= config.apps,
      90_000,
    );
  }
  // The rate window must fill before the comparison starts.
  await phase(context, 'filling the rate window', config.rateWindowS * 1000);

  const start = Date.now();
  await phase(context, 'baseline, no injected delay', config.baselineS * 1000);
  const delayedAt = Date.now();
  delayMs = config.injectedDelayS * 1000;
  await phase(context, `delivery delayed by ${config.injectedDelayS} s`, config.delayedS * 1000);
  const recoveredAt = Date.now();
  delayMs = 0;
  await phase(context, 'delay removed, recovering', config.recoveryS * 1000);
  const end = Date.now();
  // Let the last scrape land before reading the range back.
  await phase(context, 'letting the last scrapes land', 2000);

  context.progress('reading the figures back from Prometheus');
  const phases = [
    { phase: 'baseline', from: start, to: delayedAt },
    { phase: 'delayed', from: delayedAt, to: recoveredAt },
    { phase: 'recovery', from: recoveredAt, to: end },
  ];
  const propagation: MisalignmentResult['propagation'] = [];
  const sampleAge: MisalignmentResult['sampleAge'] = [];
  for (const p of phases) {
    propagation.push({
      phase: p.phase,
      p50S: roundOrNull(await quantileAt(prometheus, 0.5, 'exposer_propagation_delay_seconds', p.from, p.to)),
      p99S: roundOrNull(
        await quantileAt(prometheus, 0.99, 'exposer_propagation_delay_seconds', p.from, p.to),
      ),
    });
    sampleAge.push({
      phase: p.phase,
      p50S: roundOrNull(await quantileAt(prometheus, 0.5, 'exposer_sample_age_seconds', p.from, p.to)),
      p99S: roundOrNull(await quantileAt(prometheus, 0.99, 'exposer_sample_age_seconds', p.from, p.to)),
    });
  }

  const w = `${config.rateWindowS}s`;
  const direct = asMap(
    await queryRange(prometheus, `sum(rate(app_requests_total{job="direct"}[${w}]))`, start, end),
  );
  const exposed = asMap(
    await queryRange(prometheus, `sum(rate(app_requests_total{job="exposer"}[${w}]))`, start, end),
  );
  const t0 = Math.round(start / 1000);
  const points: MisalignmentResult['rate']['points'] = [];
  for (let t = t0; t <= Math.round(end / 1000); t++) {
    const d = direct.get(t);
    const e = exposed.get(t);
    points.push({ t: t - t0, direct: roundOrNull(d), exposer: roundOrNull(e) });
  }
  const baselineEnd = (delayedAt - start) / 1000;
  const relErrors = points
    .filter((p) => p.t < baselineEnd && p.direct !== null && p.exposer !== null && p.direct > 0)
    .map((p) => Math.abs(p.exposer! - p.direct!) / p.direct!);

  const ttlPresent = await queryRange(
    prometheus,
    `count(count by (exported_instance) (app_requests_total{job="exposer_ttl"})) or vector(0)`,
    start,
    end,
  );
  const directDown = await queryRange(prometheus, `count(up{job="direct"} == 0) or vector(0)`, start, end);
  const presentValues = ttlPresent[0]?.values ?? [];

  return {
    config,
    propagation,
    sampleAge,
    rate: {
      baselineMeanRelError: roundOrNull(mean(relErrors)),
      baselineMaxRelError: relErrors.length === 0 ? null : round(Math.max(...relErrors)),
      underReportedS: secondsWhere(points, baselineEnd, Infinity, (d, e) => d > 0 && e < d * 0.5),
      overReportedS: secondsWhere(points, baselineEnd, Infinity, (d, e) => d > 0 && e > d * 1.5),
      points,
    },
    wronglyAbsentS: presentValues.filter(([, v]) => v < config.apps).length,
    directDownS: (directDown[0]?.values ?? []).filter(([, v]) => v > 0).length,
  };
}
