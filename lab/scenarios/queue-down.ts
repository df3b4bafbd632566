/**
 * Queue down: the Kafka broker is stopped for a while and started again on the same data. Meanwhile the apps
 * keep serving and pushing: what their producers do with the pushes (kafkajs holds no buffer: each send fails
 * after its retries and the push is lost), what Prometheus shows through the exposer (its `up` stays 1 and the
 * series stay at their last values: rate() reads zero traffic), what it shows directly (nothing changed), and
 * how long until the data through the exposer is fresh again.
 */
import type { QueueDownResult } from '../results.js';
import { firstFired, mean, queryRange, roundOrNull, valueAt, valuesOf } from '../prom.js';
import { phase, type ScenarioContext } from '../scenario.js';
import {
  createTopics,
  startAgent,
  startApps,
  startExposer,
  startLabPrometheus,
  targetOf,
  uniqueName,
} from '../stack.js';

export async function queueDown(context: ScenarioContext): Promise<QueueDownResult> {
  const config = context.quick
    ? { apps: 3, scrapeIntervalS: 1, pushIntervalS: 1, baselineS: 8, downS: 12, observeAfterS: 30 }
    : { apps: 3, scrapeIntervalS: 1, pushIntervalS: 1, baselineS: 60, downS: 120, observeAfterS: 120 };
  const freshThresholdS = 3 * config.pushIntervalS;
  const { scope, broker } = context;
  if (!broker.owned) throw new Error('queue-down needs a broker the lab started (it stops and restarts it)');
  const topic = uniqueName('lab-queue-down');
  context.progress('creating the topic, starting the exposer and the apps');
  await createTopics(broker.brokers, [topic]);
  const exposer = await startExposer({ brokers: broker.brokers, topic }, scope);
  const apps = await startApps(
    {
      count: config.apps,
      job: 'shop',
      series: 24,
      brokers: broker.brokers,
      topic,
      pushIntervalMs: config.pushIntervalS * 1000,
      timestamps: false,
    },
    scope,
  );
  const agent = await startAgent(apps, scope);
  const prometheus = await startLabPrometheus(
    [
      { name: 'direct', targets: apps.map((a) => targetOf(a.url)) },
      { name: 'exposer', targets: [exposer.target] },
      { name: 'lab', targets: [agent.target] },
    ],
    scope,
    `${config.scrapeIntervalS}s`,
  );
  context.progress('waiting until every app is seen through the exposer');
  await prometheus.waitFor(
    'count by (exported_instance) (app_requests_total{job="exposer"})',
    (r) => r.length >= config.apps,
    90_000,
  );
  const start = Date.now();
  await phase(context, 'baseline', config.baselineS * 1000);

  context.progress('stopping the broker');
  const downAt = Date.now();
  await broker.stop();
  const rest = downAt + config.downS * 1000 - Date.now();
  if (rest > 0) await phase(context, 'broker down', rest);
  const restartAt = Date.now();
  context.progress('starting the broker again on the same data');
  await broker.start();
  const upAt = Date.now();
  const fresh = await firstFired(
    prometheus,
    [
      { id: 'connected', expr: 'exposer_kafka_connected{job="exposer"} == 1', whenPresent: true },
      {
        id: 'fresh',
        expr: `count(time() - exposer_source_last_push_timestamp_seconds{job="exposer"} < ${freshThresholdS}) >= ${config.apps}`,
        whenPresent: true,
      },
    ],
    upAt,
    upAt + config.observeAfterS * 1000,
    250,
    (n) => context.progress(`waiting for recovery (${n} pending)`, true),
  );
  const end = Date.now();
  await phase(context, 'letting the last scrapes land', 2000);

  context.progress('reading the figures back from Prometheus');
  const range = (expr: string, from: number, to: number) => queryRange(prometheus, expr, from, to);
  const minOf = (values: number[]): number | null => (values.length === 0 ? null : Math.min(...values));
  const maxOf = (values: number[]): number | null => (values.length === 0 ? null : Math.max(...values));
  // The outage as Prometheus saw it: from the stop to the restart command, skipping the first rate window.
  const rateWindow = 5;
  const outageFrom = downAt + rateWindow * 1000;
  const directRate = `sum(rate(app_requests_total{job="direct"}[${rateWindow}s]))`;
  const exposerRate = `sum(rate(app_requests_total{job="exposer"}[${rateWindow}s]))`;
  const failed = 'sum(lab_app_pushes_total{job="lab",result="failed"})';
  const ok = 'sum(lab_app_pushes_total{job="lab",result="ok"})';
  const diff = async (expr: string): Promise<number> =>
    Math.max(
      0,
      ((await valueAt(prometheus, expr, restartAt)) ?? 0) - ((await valueAt(prometheus, expr, downAt)) ?? 0),
    );
  const mid = Math.round((downAt + restartAt) / 2);

  const timelineSeries = await Promise.all(
    [directRate, exposerRate, 'exposer_kafka_connected{job="exposer"}'].map(async (expr) => {
      const series = await range(expr, start, end);
      return new Map((series[0]?.values ?? []).map(([t, v]) => [Math.round(t), v]));
    }),
  );
  const timeline: QueueDownResult['timeline'] = [];
  const t0 = Math.round(downAt / 1000);
  for (let t = Math.round(start / 1000); t <= Math.round(end / 1000); t++) {
    timeline.push({
      t: t - t0,
      direct: roundOrNull(timelineSeries[0]?.get(t)),
      exposer: roundOrNull(timelineSeries[1]?.get(t)),
      kafkaConnected: roundOrNull(timelineSeries[2]?.get(t)),
    });
  }

  return {
    config,
    during: {
      exposerUpMin: minOf(valuesOf(await range('up{job="exposer"}', downAt, restartAt))),
      kafkaConnectedMin: minOf(
        valuesOf(await range('exposer_kafka_connected{job="exposer"}', downAt, restartAt)),
      ),
      directUpMin: minOf(valuesOf(await range('min(up{job="direct"})', downAt, restartAt))),
      exposerSeriesPresent:
        ((await valueAt(prometheus, 'count(app_requests_total{job="exposer"})', mid)) ?? 0) > 0,
      directRate: roundOrNull(mean(valuesOf(await range(directRate, outageFrom, restartAt)))),
      exposerRate: roundOrNull(mean(valuesOf(await range(exposerRate, outageFrom, restartAt)))),
      pushFailures: await diff(failed),
      pushSuccesses: await diff(ok),
      rssBeforeBytes: await valueAt(prometheus, 'process_resident_memory_bytes{job="lab"}', downAt),
      rssMaxDuringBytes: maxOf(
        valuesOf(await range('process_resident_memory_bytes{job="lab"}', downAt, restartAt)),
      ),
    },
    recovery: {
      brokerStartS: roundOrNull((upAt - restartAt) / 1000) ?? 0,
      consumerReconnectS: roundOrNull(fresh.get('connected')),
      freshDataS: roundOrNull(fresh.get('fresh')),
      freshThresholdS,
    },
    timeline,
  };
}
