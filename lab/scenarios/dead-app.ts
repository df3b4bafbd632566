/**
 * Dead app: one of N apps is killed. How long until an alerting expression notices, scraped directly (`up == 0`),
 * through the exposer (its series keep their last value: absent() only fires when a source TTL drops them, and
 * a push-age alert needs a threshold somebody must choose) and through the Pushgateway (no TTL by design).
 */
import type { DeadAppResult } from '../results.js';
import { firstFired, roundOrNull, type Watch } from '../prom.js';
import { phase, type ScenarioContext } from '../scenario.js';
import {
  createTopics,
  startApps,
  startExposer,
  startLabPrometheus,
  startLabPushgateway,
  targetOf,
  uniqueName,
} from '../stack.js';

export async function deadApp(context: ScenarioContext): Promise<DeadAppResult> {
  const config = context.quick
    ? { apps: 3, scrapeIntervalS: 1, pushIntervalS: 1, exposerTtlS: 8, pushAgeThresholdS: 3, windowS: 20 }
    : { apps: 3, scrapeIntervalS: 1, pushIntervalS: 1, exposerTtlS: 60, pushAgeThresholdS: 5, windowS: 150 };
  const { scope, broker } = context;
  const topic = uniqueName('lab-dead-app');
  context.progress('creating topic, starting Pushgateway and two exposers');
  await createTopics(broker.brokers, [topic]);
  const pushgateway = await startLabPushgateway(scope);
  const [plain, withTtl] = await Promise.all([
    startExposer({ brokers: broker.brokers, topic }, scope),
    startExposer({ brokers: broker.brokers, topic, sourceTtl: `${config.exposerTtlS}s` }, scope),
  ]);
  context.progress(`starting ${config.apps} demo apps`);
  const apps = await startApps(
    {
      count: config.apps,
      job: 'shop',
      series: 24,
      brokers: broker.brokers,
      topic,
      pushIntervalMs: config.pushIntervalS * 1000,
      timestamps: false,
      pushgateway: pushgateway.url,
    },
    scope,
  );
  const interval = `${config.scrapeIntervalS}s`;
  const prometheus = await startLabPrometheus(
    [
      { name: 'direct', targets: apps.map((a) => targetOf(a.url)) },
      { name: 'exposer', targets: [plain.target] },
      { name: 'exposer_ttl', targets: [withTtl.target] },
      { name: 'pushgateway', targets: [pushgateway.target] },
    ],
    scope,
    interval,
  );

  context.progress('waiting until every app is seen on every path');
  for (const [job, label] of [
    ['direct', 'instance'],
    ['exposer', 'exported_instance'],
    ['exposer_ttl', 'exported_instance'],
    ['pushgateway', 'exported_instance'],
  ] as const) {
    await prometheus.waitFor(
      `count by (${label}) (app_requests_total{job="${job}"})`,
      (r) => r.length >= config.apps,
      90_000,
    );
  }
  await phase(context, 'steady state', 3000);

  const victim = apps[0]!;
  const v = JSON.stringify(victim.instance);
  const threshold = config.pushAgeThresholdS;
  const watches: (Watch & { label: string; path: 'direct' | 'exposer' | 'pushgateway' })[] = [
    {
      id: 'direct-up',
      label: 'direct: up == 0',
      path: 'direct',
      expr: `up{job="direct",instance=${v}} == 0`,
      whenPresent: true,
    },
    {
      id: 'exposer-absent',
      label: 'exposer, no TTL: absent(series)',
      path: 'exposer',
      expr: `absent(app_requests_total{job="exposer",exported_instance=${v}})`,
      whenPresent: true,
    },
    {
      id: 'exposer-ttl-absent',
      label: `exposer, TTL ${config.exposerTtlS} s: absent(series)`,
      path: 'exposer',
      expr: `absent(app_requests_total{job="exposer_ttl",exported_instance=${v}})`,
      whenPresent: true,
    },
    {
      id: 'exposer-push-age',
      label: `exposer: push age > ${threshold} s`,
      path: 'exposer',
      expr: `time() - exposer_source_last_push_timestamp_seconds{job="exposer",exported_instance=${v}} > ${threshold}`,
      whenPresent: true,
    },
    {
      id: 'pushgateway-absent',
      label: 'Pushgateway: absent(series)',
      path: 'pushgateway',
      expr: `absent(app_requests_total{job="pushgateway",exported_instance=${v}})`,
      whenPresent: true,
    },
    {
      id: 'pushgateway-push-age',
      label: `Pushgateway: push age > ${threshold} s`,
      path: 'pushgateway',
      expr: `time() - push_time_seconds{job="pushgateway",exported_instance=${v}} > ${threshold}`,
      whenPresent: true,
    },
  ];
  // Sanity: nothing fires before the kill (else a figure would measure a broken setup, not the design).
  for (const watch of watches) {
    const early = await prometheus.query(watch.expr);
    if (early.length > 0) throw new Error(`${watch.expr} already fires before the app was killed`);
  }

  context.progress(`killing ${victim.instance}`);
  const killedAt = Date.now();
  await victim.stop();
  const fired = await firstFired(
    prometheus,
    watches,
    killedAt,
    killedAt + config.windowS * 1000,
    250,
    (pending) =>
      context.progress(
        `${pending} alert(s) not yet fired, ${Math.max(0, Math.round(config.windowS - (Date.now() - killedAt) / 1000))} s left`,
        true,
      ),
  );

  const lingering: DeadAppResult['lingering'] = [];
  for (const [id, label, selector] of [
    ['direct', 'direct', `job="direct",instance=${v}`],
    ['exposer', 'exposer, no TTL', `job="exposer",exported_instance=${v}`],
    ['exposer-ttl', `exposer, TTL ${config.exposerTtlS} s`, `job="exposer_ttl",exported_instance=${v}`],
    ['pushgateway', 'Pushgateway', `job="pushgateway",exported_instance=${v}`],
  ] as const) {
    const present = (await prometheus.query(`app_requests_total{${selector}}`)).length > 0;
    lingering.push({ id, label, seriesPresentAtEnd: present });
  }

  return {
    config,
    detections: watches.map((w) => ({
      id: w.id,
      label: w.label,
      path: w.path,
      expr: w.expr,
      detectedAfterS: roundOrNull(fired.get(w.id)),
    })),
    lingering,
  };
}
