/**
 * Timestamps: the same pushed input (apps pushing with their own timestamps, delivered with jitter that
 * reorders records, plus one source flushing a 2-hour-old backlog) behind three exposers — `none`, `source` and
 * `drain` — each scraped by its own Prometheus, so that each Prometheus's own counters of samples it dropped as
 * out-of-order, duplicate or out-of-bounds belong to one mode. Then one app is killed: how long its series stay
 * queryable in each mode, and directly.
 */
import { SyntheticApp } from '../../exposer/workload.js';
import type { TimestampModeResult, TimestampsResult } from '../results.js';
import { firstFired, roundOrNull, scalar, type Watch } from '../prom.js';
import { startRelay } from '../relay.js';
import { phase, type ScenarioContext } from '../scenario.js';
import {
  createTopics,
  producer,
  startApps,
  startExposer,
  startLabPrometheus,
  targetOf,
  uniqueName,
} from '../stack.js';

const MODES = ['none', 'source', 'drain'] as const;
const BACKLOG_INSTANCE = 'backlog-host:9100';

export async function timestamps(context: ScenarioContext): Promise<TimestampsResult> {
  const config = context.quick
    ? {
        apps: 3,
        scrapeIntervalS: 1,
        pushIntervalS: 1,
        jitterS: 3,
        durationS: 15,
        observeAfterKillS: 12,
        backlogRecords: 5,
        backlogAgeS: 7200,
      }
    : {
        apps: 3,
        scrapeIntervalS: 1,
        pushIntervalS: 1,
        jitterS: 3,
        durationS: 90,
        // Longer than Prometheus's 5-minute lookback: timestamped samples linger for it after their source dies.
        observeAfterKillS: 360,
        backlogRecords: 5,
        backlogAgeS: 7200,
      };
  const { scope, broker } = context;
  const pushed = uniqueName('lab-ts-pushed');
  const delivered = uniqueName('lab-ts-delivered');
  context.progress('creating topics, starting the jittering relay and three exposers (none, source, drain)');
  await createTopics(broker.brokers, [pushed, delivered]);
  await startRelay(
    {
      brokers: broker.brokers,
      from: pushed,
      to: delivered,
      delayMs: () => Math.random() * config.jitterS * 1000,
    },
    scope,
  );
  const exposers = await Promise.all(
    MODES.map((mode) => startExposer({ brokers: broker.brokers, topic: delivered, timestamps: mode }, scope)),
  );
  const apps = await startApps(
    {
      count: config.apps,
      job: 'shop',
      series: 24,
      brokers: broker.brokers,
      topic: pushed,
      pushIntervalMs: config.pushIntervalS * 1000,
      timestamps: true,
    },
    scope,
  );
  const directTargets = apps.map((a) => targetOf(a.url));
  const proms = await Promise.all(
    exposers.map((exposer) =>
      startLabPrometheus(
        [
          { name: 'direct', targets: directTargets },
          { name: 'exposer', targets: [exposer.target] },
        ],
        scope,
        `${config.scrapeIntervalS}s`,
      ),
    ),
  );
  context.progress('waiting until every app is seen through each exposer');
  await Promise.all(
    proms.map((prometheus) =>
      prometheus.waitFor(
        'count by (exported_instance) (app_requests_total{job="exposer"})',
        (r) => r.length >= config.apps,
        90_000,
      ),
    ),
  );

  // A source that was cut off for two hours flushes what it buffered: records stamped two hours ago.
  context.progress(
    `flushing a ${config.backlogAgeS / 3600} h old backlog of ${config.backlogRecords} records`,
  );
  const backlog = new SyntheticApp('batch', BACKLOG_INSTANCE, 24, 7);
  const flush = producer(broker.brokers);
  await flush.connect();
  const oldest = Date.now() - config.backlogAgeS * 1000;
  for (let i = 0; i < config.backlogRecords; i++) {
    backlog.tick(1);
    await flush.send({
      topic: delivered,
      messages: [
        {
          key: `batch/${BACKLOG_INSTANCE}`,
          value: JSON.stringify(backlog.toMessage(oldest + i * 1000)),
        },
      ],
    });
  }
  await flush.disconnect();

  await phase(
    context,
    `apps pushing with timestamps through ${config.jitterS} s of jitter`,
    config.durationS * 1000,
  );
  const backlogVisible = await Promise.all(
    proms.map(
      async (p) =>
        (await p.query(`app_requests_total{job="exposer",exported_instance="${BACKLOG_INSTANCE}"}`)).length >
        0,
    ),
  );

  const victim = apps[0]!;
  const v = JSON.stringify(victim.instance);
  context.progress(`killing ${victim.instance}`);
  const killedAt = Date.now();
  await victim.stop();
  const gone = await Promise.all(
    proms.map((prometheus, i) => {
      const watches: Watch[] = [
        {
          id: 'exposer',
          expr: `app_requests_total{job="exposer",exported_instance=${v}}`,
          whenPresent: false,
        },
      ];
      if (i === 0) {
        watches.push({
          id: 'direct',
          expr: `app_requests_total{job="direct",instance=${v}}`,
          whenPresent: false,
        });
      }
      return firstFired(prometheus, watches, killedAt, killedAt + config.observeAfterKillS * 1000, 500, (n) =>
        context.progress(
          `${MODES[i]}: waiting for the dead app's series to go (${n} pending, ${Math.max(0, Math.round(config.observeAfterKillS - (Date.now() - killedAt) / 1000))} s left)`,
          true,
        ),
      );
    }),
  );
  // Wait out the rest of the window, so "present at end" means the same moment for every mode.
  const rest = killedAt + config.observeAfterKillS * 1000 - Date.now();
  if (rest > 0) await phase(context, 'observing the dead app', rest);

  const modes: TimestampModeResult[] = [];
  for (const [i, mode] of MODES.entries()) {
    const prometheus = proms[i]!;
    const counter = async (name: string): Promise<number> =>
      (await scalar(prometheus, `sum(prometheus_target_scrapes_${name}_total)`)) ?? 0;
    modes.push({
      mode,
      outOfOrder: await counter('sample_out_of_order'),
      duplicate: await counter('sample_duplicate_timestamp'),
      outOfBounds: await counter('sample_out_of_bounds'),
      deadSeriesPresentAtEnd:
        (await prometheus.query(`app_requests_total{job="exposer",exported_instance=${v}}`)).length > 0,
      deadSeriesGoneAfterS: roundOrNull(gone[i]?.get('exposer')),
      backlogVisible: backlogVisible[i] ?? false,
    });
  }
  return { config, modes, direct: { deadSeriesGoneAfterS: roundOrNull(gone[0]?.get('direct')) } };
}
