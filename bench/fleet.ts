/**
 * P2, P3 and P4 share their set-up: a fleet of apps (1,000 sources x 96 series, then 10,000 x 96) made visible by
 * the exposer through Kafka and by the Pushgateway through PUTs, then scraped, and their memory read.
 *
 * Stage A (100k): repetitions alternate an exposer run (fresh topic and exposer process: produce one record per
 * source, time until the last record is in the store) and a Pushgateway run (fresh process: 1,000 sequential PUTs
 * of the same bodies). The last exposer and Pushgateway stay up for the P2 scrapes.
 * Stage B (1M): one topic of 10,000 records; repetitions alternate `kcat -C -e -o beginning` of the topic and a
 * fresh exposer replaying it (sustained samples/s and bytes/s on one core, memory at ~1M series); the last
 * exposer stays up for the 1M scrapes.
 */
import { freePort } from '../test/ports.js';
import { requireBinary } from '../deploy/binaries.js';
import { startPushgateway, type PushgatewayHandle } from '../deploy/pushgateway.js';
import { SERIES_PER_ROUTE } from '../exposer/workload.js';
import { checkScrape, type ScrapeCheck } from './check.js';
import { alternate, type BenchContext } from './context.js';
import type { ChildStats } from './exposer-child.js';
import {
  JOB,
  bodies,
  createTopic,
  deleteTopic,
  fleet,
  kcatConsume,
  produce,
  pushgatewayPut,
  startExposerChild,
  uniqueName,
  type ExposerChild,
} from './harness.js';
import { processRss, scrape, stats, type Stats } from './lib.js';
import { ratioOf, type ComparisonId, type ComparisonResult, type Row, type Target } from './result.js';

const CONCURRENT_SCRAPES = 16;

function seriesPerApp(series: number): number {
  return Math.max(1, Math.round(series / SERIES_PER_ROUTE)) * SERIES_PER_ROUTE;
}

interface ExposerRun {
  visibleMs: number;
  /** From the first send to the last acknowledged one (the producer runs in the runner, on the same 2 cores). */
  produceMs: number;
  applyWindowMs: number;
  samples: number;
  bytes: number;
  refused: number;
  baselineRss: number;
  rssDelta: number;
  heapDelta: number;
  newSpaceBytes: number;
  oldSpaceBytes: number;
  baselineNewSpaceBytes: number;
  series: number;
  check: ScrapeCheck;
}

interface PushgatewayRun {
  visibleMs: number;
  puts: number;
  failed: number;
  rssDeltaKiB: number;
  series: number;
  check: ScrapeCheck;
}

interface ReplayRun {
  applyWindowMs: number;
  endToEndMs: number;
  samples: number;
  bytes: number;
  /** Exposer CPU (user + system) from the first record applied to the last. */
  applyCpuMs: number;
  rssBytes: number;
  heapUsedBytes: number;
  newSpaceBytes: number;
  oldSpaceBytes: number;
  series: number;
}

function result(
  ctx: BenchContext,
  id: ComparisonId,
  title: string,
  started: number,
  commands: string[],
  rows: Row[],
  targets: Target[],
  notes: string[],
  raw: Record<string, unknown>,
): ComparisonResult {
  return {
    id,
    title,
    date: new Date().toISOString(),
    smoke: ctx.smoke,
    reps: ctx.reps,
    machine: ctx.machine,
    commands,
    rows,
    targets,
    notes,
    seconds: (Date.now() - started) / 1000,
    raw,
  };
}

export async function runFleet(ctx: BenchContext): Promise<ComparisonResult[]> {
  const started = Date.now();
  const kcat = requireBinary('kcat');
  const sources = ctx.smoke ? 20 : 1_000;
  const bigSources = ctx.smoke ? 60 : 10_000;
  const perApp = seriesPerApp(100);
  const expected = sources * perApp;
  const bigExpected = bigSources * perApp;
  /** A Pushgateway run stops at this budget (the run is then reported as incomplete). */
  const pushgatewayBudgetMs = ctx.smoke ? 30_000 : 150_000;
  const apps = fleet(sources, 100);
  const cleanup: (() => Promise<void>)[] = [];
  const topics: string[] = [];

  const exposerFlags = (topic: string) => ({
    brokers: ctx.brokers,
    topics: [topic],
    group: uniqueName('bench'),
    listen: '127.0.0.1:0',
    replayWindow: '1h',
    createTopic: false,
    partitions: 1,
  });

  // ---- Stage A: 100k series, exposer via Kafka vs Pushgateway via PUTs ----
  const exposerRuns: ExposerRun[] = [];
  const pushgatewayRuns: PushgatewayRun[] = [];
  let liveExposer: ExposerChild | undefined;
  let livePushgateway: PushgatewayHandle | undefined;
  let liveTopic = '';

  const exposerRun = async (keep: boolean): Promise<ExposerRun> => {
    const topic = uniqueName('bench-p3');
    topics.push(topic);
    await createTopic(ctx.brokers, topic);
    const child = await startExposerChild(ctx.bundles.exposer, exposerFlags(topic));
    try {
      await child.call({ cmd: 'waitReady', timeoutMs: 60_000 }, 65_000);
      const baseline = await child.stats(true);
      await child.call({ cmd: 'reset' });
      const texts = bodies(apps);
      const sent = await produce(ctx.brokers, topic, apps, texts);
      const after = await child.call<ChildStats>(
        { cmd: 'waitRecords', records: apps.length, timeoutMs: 120_000 },
        125_000,
      );
      const memory = await child.stats(true);
      const body = await scrape(`${child.url}/metrics`, { gzip: false });
      const run: ExposerRun = {
        // From the first send (the producer connected already) to the last record in the store.
        visibleMs: after.lastApplyMs - sent.startedMs,
        produceMs: sent.ms,
        applyWindowMs: after.lastApplyMs - after.firstApplyMs,
        samples: after.samples,
        bytes: after.bytes,
        refused: after.refused,
        baselineRss: baseline.rssBytes,
        rssDelta: memory.rssBytes - baseline.rssBytes,
        heapDelta: memory.heapUsedBytes - baseline.heapUsedBytes,
        newSpaceBytes: memory.newSpaceBytes,
        oldSpaceBytes: memory.oldSpaceBytes,
        baselineNewSpaceBytes: baseline.newSpaceBytes,
        series: memory.series,
        check: checkScrape(body.body, JOB, expected),
      };
      if (keep) {
        liveExposer = child;
        liveTopic = topic;
      }
      return run;
    } finally {
      if (liveExposer !== child) await child.stop();
    }
  };

  const pushgatewayRun = async (keep: boolean, limit = apps.length): Promise<PushgatewayRun> => {
    const pg = await startPushgateway({ port: await freePort() });
    try {
      await scrape(`${pg.url}/metrics`, { gzip: false });
      const before = processRss(pg.pid).rssKiB;
      const texts = bodies(apps);
      const t0 = Date.now();
      let puts = 0;
      let failed = 0;
      for (let i = 0; i < limit; i++) {
        const app = apps[i]!;
        const status = await pushgatewayPut(pg.url, app.job, app.instance, texts[i]!);
        puts++;
        if (status < 200 || status > 299) failed++;
        if (Date.now() - t0 > pushgatewayBudgetMs) break;
      }
      const visibleMs = Date.now() - t0;
      const after = processRss(pg.pid).rssKiB;
      const body = await scrape(`${pg.url}/metrics`, { gzip: false });
      const check = checkScrape(body.body, JOB, (puts - failed) * perApp);
      if (keep) livePushgateway = pg;
      return { visibleMs, puts, failed, rssDeltaKiB: after - before, series: check.series, check };
    } finally {
      if (livePushgateway !== pg) await pg.stop();
    }
  };

  try {
    await alternate(ctx.reps, async (rep, warmUp, order) => {
      const last = rep === ctx.reps - 1;
      for (const tool of order === 0 ? ['exposer', 'pushgateway'] : ['pushgateway', 'exposer']) {
        if (tool === 'exposer') {
          const run = await exposerRun(last);
          ctx.log(
            `P3 ${warmUp ? 'warm-up' : `rep ${rep + 1}`} exposer: ${run.series} series visible in ${run.visibleMs} ms (produced in ${run.produceMs} ms, apply window ${run.applyWindowMs} ms), RSS +${(run.rssDelta / 2 ** 20).toFixed(1)} MiB, ${run.check.complete && run.check.consistent ? 'complete' : run.check.problem}`,
          );
          if (!warmUp) exposerRuns.push(run);
        } else {
          // The Pushgateway (a Go binary, no JIT) warms up with a few PUTs only: a full warm-up costs minutes.
          const run = await pushgatewayRun(last, warmUp ? Math.min(50, apps.length) : apps.length);
          ctx.log(
            `P3 ${warmUp ? 'warm-up' : `rep ${rep + 1}`} pushgateway: ${run.puts} PUTs (${run.failed} failed) in ${run.visibleMs} ms, ${run.series} series, RSS +${(run.rssDeltaKiB / 1024).toFixed(1)} MiB`,
          );
          if (!warmUp) pushgatewayRuns.push(run);
        }
      }
    });
    if (liveExposer !== undefined) cleanup.push(() => liveExposer!.stop());
    if (livePushgateway !== undefined) cleanup.push(() => livePushgateway!.stop());

    // ---- P2 at 100k: sequential scrapes, alternating, then 16 concurrent scrapes during writes ----
    const scrapes: Record<string, number[]> = {
      'exposer gzip': [],
      'exposer identity': [],
      'pushgateway gzip': [],
      'pushgateway identity': [],
    };
    const incompleteScrapes: string[] = [];
    const concurrent: { tool: string; ms: number[]; wallMs: number; ok: number; problems: string[] }[] = [];
    if (liveExposer !== undefined && livePushgateway !== undefined) {
      const exposerUrl = `${liveExposer.url}/metrics`;
      const pushgatewayUrl = `${livePushgateway.url}/metrics`;
      const pgSeries = pushgatewayRuns.at(-1)?.series ?? expected;
      await alternate(ctx.reps, async (rep, warmUp, order) => {
        const tools = order === 0 ? ['exposer', 'pushgateway'] : ['pushgateway', 'exposer'];
        for (const gzip of [true, false]) {
          for (const tool of tools) {
            const s = await scrape(tool === 'exposer' ? exposerUrl : pushgatewayUrl, { gzip });
            const check = checkScrape(s.body, JOB, tool === 'exposer' ? expected : pgSeries);
            if (!check.complete) incompleteScrapes.push(`${tool}: ${check.problem}`);
            if (!warmUp) scrapes[`${tool} ${gzip ? 'gzip' : 'identity'}`]!.push(s.ms);
          }
        }
        if (!warmUp) ctx.log(`P2 100k rep ${rep + 1}: scraped both, gzip and identity`);
      });
      // Concurrent scrapes while the sources are being rewritten.
      const exposerChild = liveExposer;
      const pg = livePushgateway;
      for (let rep = 0; rep < ctx.reps; rep++) {
        for (const tool of ['exposer', 'pushgateway'] as const) {
          const texts = bodies(apps);
          const writer =
            tool === 'exposer'
              ? produce(ctx.brokers, liveTopic, apps, texts).then(() => undefined)
              : (async () => {
                  for (let i = 0; i < Math.min(20, apps.length); i++) {
                    await pushgatewayPut(pg.url, apps[i]!.job, apps[i]!.instance, texts[i]!);
                  }
                })();
          const t0 = Date.now();
          const answers = await Promise.all(
            Array.from({ length: CONCURRENT_SCRAPES }, () =>
              scrape(tool === 'exposer' ? `${exposerChild.url}/metrics` : `${pg.url}/metrics`, {
                gzip: true,
              }),
            ),
          );
          const wallMs = Date.now() - t0;
          await writer;
          const problems: string[] = [];
          let ok = 0;
          for (const a of answers) {
            const check = checkScrape(a.body, JOB, tool === 'exposer' ? expected : pgSeries);
            if (a.status === 200 && check.complete && check.consistent) ok++;
            else problems.push(`status ${a.status}: ${check.problem ?? 'incomplete'}`);
          }
          concurrent.push({ tool, ms: answers.map((a) => a.ms), wallMs, ok, problems });
          ctx.log(
            `P2 concurrent ${tool}: ${ok}/${CONCURRENT_SCRAPES} complete and consistent in ${wallMs} ms`,
          );
        }
      }
    }
    for (const stop of cleanup.splice(0)) await stop();

    const kcatRuns: { wallMs: number; records: number; bytes: number; maxRssKiB: number }[] = [];
    const replayRuns: ReplayRun[] = [];
    const bigScrapes: Record<string, number[]> = { gzip: [], identity: [] };
    let produced = { records: 0, bytes: 0, ms: 0 };
    let stageBError: string | undefined;
    // A failure in stage B keeps what stage A measured: its targets are then reported as not measured.
    try {
      // ---- Stage B: 1M series, exposer replay vs kcat raw consumption ----
      const bigApps = fleet(bigSources, 100);
      const bigTopic = uniqueName('bench-1m');
      topics.push(bigTopic);
      await createTopic(ctx.brokers, bigTopic);
      // 50 records of ~10 KB per request: the broker refuses a request over its message.max.bytes (1 MB).
      produced = await produce(ctx.brokers, bigTopic, bigApps, bodies(bigApps), 50);
      ctx.log(
        `P3 produced ${produced.records} records (${(produced.bytes / 1e6).toFixed(1)} MB) in ${produced.ms} ms`,
      );
      let bigExposer: ExposerChild | undefined;
      await alternate(ctx.reps, async (rep, warmUp, order) => {
        const last = rep === ctx.reps - 1;
        for (const tool of order === 0 ? ['exposer', 'kcat'] : ['kcat', 'exposer']) {
          if (tool === 'kcat') {
            const run = await kcatConsume(kcat, ctx.brokers, bigTopic);
            ctx.log(
              `P3 ${warmUp ? 'warm-up' : `rep ${rep + 1}`} kcat: ${run.records} records, ${(run.bytes / 1e6).toFixed(1)} MB in ${run.wallMs.toFixed(0)} ms`,
            );
            if (!warmUp) {
              kcatRuns.push({
                wallMs: run.wallMs,
                records: run.records,
                bytes: run.bytes,
                maxRssKiB: run.maxRssKiB,
              });
            }
            continue;
          }
          const t0 = Date.now();
          const child = await startExposerChild(ctx.bundles.exposer, exposerFlags(bigTopic));
          try {
            const after = await child.call<ChildStats>(
              { cmd: 'waitRecords', records: bigSources, timeoutMs: 300_000 },
              305_000,
            );
            const memory = await child.stats(true);
            const run: ReplayRun = {
              applyWindowMs: after.lastApplyMs - after.firstApplyMs,
              endToEndMs: after.lastApplyMs - t0,
              applyCpuMs: after.cpuMs - after.firstApplyCpuMs,
              samples: after.samples,
              bytes: after.bytes,
              rssBytes: memory.rssBytes,
              heapUsedBytes: memory.heapUsedBytes,
              newSpaceBytes: memory.newSpaceBytes,
              oldSpaceBytes: memory.oldSpaceBytes,
              series: memory.series,
            };
            ctx.log(
              `P3 ${warmUp ? 'warm-up' : `rep ${rep + 1}`} exposer replay: ${run.samples} samples in ${run.applyWindowMs} ms (${((run.samples / run.applyWindowMs) * 1000).toFixed(0)}/s), RSS ${(run.rssBytes / 2 ** 20).toFixed(0)} MiB`,
            );
            if (!warmUp) replayRuns.push(run);
            if (last) bigExposer = child;
          } finally {
            if (bigExposer !== child) await child.stop();
          }
        }
      });
      if (bigExposer !== undefined) cleanup.push(() => bigExposer!.stop());

      if (bigExposer !== undefined) {
        const url = `${bigExposer.url}/metrics`;
        await alternate(ctx.reps, async (rep, warmUp) => {
          for (const gzip of rep % 2 === 0 ? [true, false] : [false, true]) {
            const s = await scrape(url, { gzip, timeoutMs: 120_000 });
            const check = checkScrape(s.body, JOB, bigExpected);
            if (!check.complete) incompleteScrapes.push(`exposer 1M: ${check.problem}`);
            if (!warmUp) bigScrapes[gzip ? 'gzip' : 'identity']!.push(s.ms);
            ctx.log(
              `P2 1M ${warmUp ? 'warm-up' : `rep ${rep + 1}`} ${gzip ? 'gzip' : 'identity'}: ${s.ms.toFixed(0)} ms`,
            );
          }
        });
      }
    } catch (error) {
      stageBError = error instanceof Error ? error.message : String(error);
      ctx.log(`P3 stage B (1M) failed: ${stageBError}`);
    }
    for (const stop of cleanup.splice(0)) await stop();

    return [
      p2Result(
        ctx,
        started,
        scrapes,
        bigScrapes,
        concurrent,
        stageBError === undefined
          ? incompleteScrapes
          : [...incompleteScrapes, `1M stage failed: ${stageBError}`],
        expected,
        bigExpected,
      ),
      p3Result(
        ctx,
        started,
        exposerRuns,
        pushgatewayRuns,
        replayRuns,
        kcatRuns,
        produced,
        sources,
        perApp,
        bigExpected,
      ),
      p4Result(ctx, started, exposerRuns, pushgatewayRuns, replayRuns, expected),
    ];
  } finally {
    for (const stop of cleanup) await stop().catch(() => undefined);
    for (const topic of topics) await deleteTopic(ctx.brokers, topic).catch(() => undefined);
  }
}

const ms = (values: number[]): Stats => stats(values);

function p2Result(
  ctx: BenchContext,
  started: number,
  scrapes: Record<string, number[]>,
  bigScrapes: Record<string, number[]>,
  concurrent: { tool: string; ms: number[]; wallMs: number; ok: number; problems: string[] }[],
  incomplete: string[],
  expected: number,
  bigExpected: number,
): ComparisonResult {
  const rows: Row[] = [];
  const targets: Target[] = [];
  for (const encoding of ['gzip', 'identity']) {
    const ours = ms(scrapes[`exposer ${encoding}`] ?? []);
    const peer = ms(scrapes[`pushgateway ${encoding}`] ?? []);
    const speedup = ratioOf(peer.median, ours.median);
    rows.push({
      what: `scrape ${expected.toLocaleString('en-US')} series (${encoding})`,
      unit: 'ms',
      ours: { tool: 'exposer', value: ours },
      peer: { tool: 'Pushgateway', value: peer },
      ratio: speedup,
      ratioLabel: 'x faster',
    });
    targets.push({
      target: `scrape 100k series (${encoding}): >= 3x faster than the Pushgateway`,
      measured: `${speedup.toFixed(2)}x`,
      met: Number.isFinite(speedup) ? speedup >= 3 : null,
    });
  }
  for (const encoding of ['gzip', 'identity']) {
    const ours = ms(bigScrapes[encoding] ?? []);
    rows.push({
      what: `scrape ${bigExpected.toLocaleString('en-US')} series (${encoding})`,
      unit: 'ms',
      ours: { tool: 'exposer', value: ours },
    });
    targets.push({
      target: `scrape ~1M series (${encoding}) in <= 1 s`,
      measured: `${(ours.median / 1000).toFixed(2)} s`,
      met: Number.isFinite(ours.median) ? ours.median <= 1000 : null,
    });
  }
  for (const tool of ['exposer', 'pushgateway']) {
    const runs = concurrent.filter((c) => c.tool === tool);
    if (runs.length === 0) continue;
    rows.push({
      what: `${CONCURRENT_SCRAPES} concurrent scrapes during writes: each response`,
      unit: 'ms',
      ours: { tool, value: ms(runs.flatMap((r) => r.ms)) },
    });
    rows.push({
      what: `${CONCURRENT_SCRAPES} concurrent scrapes during writes: all answered`,
      unit: 'ms',
      ours: { tool, value: ms(runs.map((r) => r.wallMs)) },
    });
  }
  const exposerConcurrent = concurrent.filter((c) => c.tool === 'exposer');
  const ok = exposerConcurrent.reduce((n, c) => n + c.ok, 0);
  const total = exposerConcurrent.length * CONCURRENT_SCRAPES;
  targets.push({
    target: `${CONCURRENT_SCRAPES} concurrent scrapes during writes stay complete and consistent (exposer)`,
    measured: `${ok}/${total} responses complete and consistent`,
    met: total > 0 ? ok === total : null,
  });
  const notes = [
    'Scrape time: request sent to last byte received by a Node client in the runner process, `Accept-Encoding: gzip` as Prometheus sends it, or identity.',
    'Complete: the body parses with no diagnostic and holds exactly the expected series; consistent: per source and route the histogram `_count` equals its `+Inf` bucket and buckets never decrease (a scrape mixing two pushes of a source breaks this). The exposer is rewritten by a new round of 1,000 records during the concurrent scrapes, the Pushgateway by 20 PUTs.',
  ];
  const pgProblems = concurrent.filter((c) => c.tool === 'pushgateway').flatMap((c) => c.problems);
  if (pgProblems.length > 0)
    notes.push(`Pushgateway concurrent problems: ${pgProblems.slice(0, 3).join('; ')}`);
  const exposerProblems = exposerConcurrent.flatMap((c) => c.problems);
  if (exposerProblems.length > 0)
    notes.push(`Exposer concurrent problems: ${exposerProblems.slice(0, 3).join('; ')}`);
  if (incomplete.length > 0)
    notes.push(`Incomplete sequential scrapes: ${incomplete.slice(0, 3).join('; ')}`);
  return result(
    ctx,
    'P2',
    'scrape: the exposer vs the Pushgateway holding the same series',
    started,
    [
      'curl -H "Accept-Encoding: gzip" http://127.0.0.1:PORT/metrics   # as the runner does, with a Node client',
      'prometheus-pushgateway --web.listen-address=127.0.0.1:PORT --persistence.file=TMP/pushgateway.data',
    ],
    rows,
    targets,
    notes,
    { scrapes, bigScrapes, concurrent },
  );
}

function p3Result(
  ctx: BenchContext,
  started: number,
  exposerRuns: ExposerRun[],
  pushgatewayRuns: PushgatewayRun[],
  replayRuns: ReplayRun[],
  kcatRuns: { wallMs: number; records: number; bytes: number }[],
  produced: { records: number; bytes: number; ms: number },
  sources: number,
  perApp: number,
  bigExpected: number,
): ComparisonResult {
  const expected = sources * perApp;
  const visible = stats(exposerRuns.map((r) => r.visibleMs));
  const pgVisible = stats(pushgatewayRuns.map((r) => r.visibleMs));
  const speedup = ratioOf(pgVisible.median, visible.median);
  const pgIncomplete = pushgatewayRuns.filter((r) => r.puts < sources);
  const sustained = stats(replayRuns.map((r) => (r.samples / r.applyWindowMs) * 1000));
  const perCpuSecond = stats(replayRuns.map((r) => (r.samples / Math.max(1, r.applyCpuMs)) * 1000));
  const exposerBytes = stats(replayRuns.map((r) => ((r.bytes / r.applyWindowMs) * 1000) / 1e6));
  const exposerBytesE2E = stats(replayRuns.map((r) => ((r.bytes / r.endToEndMs) * 1000) / 1e6));
  const kcatBytes = stats(kcatRuns.map((r) => ((r.bytes / r.wallMs) * 1000) / 1e6));
  const share = ratioOf(exposerBytes.median, kcatBytes.median);
  const rows: Row[] = [
    {
      what: `make ${expected.toLocaleString('en-US')} series visible (1 record / 1 PUT per source)`,
      unit: 'ms',
      ours: { tool: 'exposer via Kafka', value: visible },
      peer: { tool: 'Pushgateway via PUTs', value: pgVisible },
      ratio: speedup,
      ratioLabel: 'x faster',
    },
    {
      what: `of which: the producer sending the ${sources.toLocaleString('en-US')} records (in the runner; first send to last acknowledgement)`,
      unit: 'ms',
      ours: { tool: 'kafkajs producer', value: stats(exposerRuns.map((r) => r.produceMs)) },
    },
    {
      what: `replay ${bigExpected.toLocaleString('en-US')} series: samples applied per second (first to last record applied)`,
      unit: 'samples/s',
      ours: { tool: 'exposer', value: sustained },
    },
    {
      what: `replay ${bigExpected.toLocaleString('en-US')} series: samples applied per CPU-second of the exposer process (user + system, first to last record applied; independent of the other load on the machine)`,
      unit: 'samples/s',
      ours: { tool: 'exposer', value: perCpuSecond },
    },
    {
      what: 'consume the same topic: record bytes per second',
      unit: 'MB/s',
      ours: { tool: 'exposer (applied)', value: exposerBytes },
      peer: { tool: 'kcat -C -e -o beginning', value: kcatBytes },
      ratio: share * 100,
      ratioLabel: '% of kcat',
    },
    {
      what: 'same, exposer counted from process start (includes start-up and group join)',
      unit: 'MB/s',
      ours: { tool: 'exposer (end to end)', value: exposerBytesE2E },
      peer: { tool: 'kcat -C -e -o beginning', value: kcatBytes },
      ratio: ratioOf(exposerBytesE2E.median, kcatBytes.median) * 100,
      ratioLabel: '% of kcat',
    },
  ];
  const targets: Target[] = [
    {
      target: 'make 100k series visible: >= 100x faster than the Pushgateway',
      measured: `${speedup.toFixed(1)}x`,
      met: Number.isFinite(speedup) ? speedup >= 100 : null,
    },
    {
      target: '>= 150k samples/s sustained on one core',
      measured: `${sustained.median.toFixed(0)} samples/s (wall clock); ${perCpuSecond.median.toFixed(0)} samples per CPU-second`,
      met: Number.isFinite(sustained.median) ? sustained.median >= 150_000 : null,
    },
    {
      target: ">= 25 % of kcat's bytes/s",
      measured: `${(share * 100).toFixed(0)} %`,
      met: Number.isFinite(share) ? share >= 0.25 : null,
    },
  ];
  const notes = [
    `Records are text 0.0.4 bodies of ${perApp} series each (SyntheticApp rounds 100 to whole routes of 12), with job/instance headers; the same bodies are PUT to the Pushgateway.`,
    'Exposer time: first record sent by the producer (in the runner) to the last record applied in the exposer process (then visible to the next scrape). Pushgateway time: first PUT sent to the last PUT answered (the Pushgateway answers a PUT once the push is applied).',
    `The 1M topic: ${produced.records.toLocaleString('en-US')} records, ${(produced.bytes / 1e6).toFixed(1)} MB, one partition, produced in ${produced.ms} ms. kcat prints each value's size (it still fetches every byte); its time includes its own start-up.`,
  ];
  const failedPuts = pushgatewayRuns.reduce((n, r) => n + r.failed, 0);
  if (failedPuts > 0) notes.push(`${failedPuts} Pushgateway PUTs failed.`);
  if (pgIncomplete.length > 0) {
    notes.push(
      `${pgIncomplete.length} Pushgateway run(s) stopped at the time budget before all PUTs: the ratio understates the gap.`,
    );
  }
  const refused = exposerRuns.reduce((n, r) => n + r.refused, 0);
  if (refused > 0) notes.push(`${refused} records were refused by the exposer.`);
  return result(
    ctx,
    'P3',
    'make 1,000 sources x 96 series visible: the exposer via Kafka vs the Pushgateway via PUTs; kcat as the ceiling',
    started,
    [
      'exposer serve --brokers B --topic T --partitions 1 --replay-window 1h   # bench/exposer-child.ts, one process per run',
      'curl -X PUT --data-binary @body http://127.0.0.1:PORT/metrics/job/bench/instance/app-N:8080   # x 1,000, sequential',
      `kcat -C -b B -t T -o beginning -e -q -f '%S\\n'`,
    ],
    rows,
    targets,
    notes,
    { exposerRuns, pushgatewayRuns, replayRuns, kcatRuns, produced },
  );
}

function p4Result(
  ctx: BenchContext,
  started: number,
  exposerRuns: ExposerRun[],
  pushgatewayRuns: PushgatewayRun[],
  replayRuns: ReplayRun[],
  expected: number,
): ComparisonResult {
  const perSeries = stats(exposerRuns.map((r) => r.rssDelta / Math.max(1, r.series)));
  const heapPerSeries = stats(exposerRuns.map((r) => r.heapDelta / Math.max(1, r.series)));
  const pgPerSeries = stats(pushgatewayRuns.map((r) => (r.rssDeltaKiB * 1024) / Math.max(1, r.series)));
  const baseline = stats(exposerRuns.map((r) => r.baselineRss)).median;
  const bigPerSeries = stats(replayRuns.map((r) => (r.rssBytes - baseline) / Math.max(1, r.series)));
  const bigSeries = replayRuns[0]?.series ?? 0;
  // The slope between the two sizes: what one more series costs once the fixed costs (code, the young
  // generation V8 grows to under load, buffers) are paid.
  const smallRss = stats(exposerRuns.map((r) => r.baselineRss + r.rssDelta)).median;
  const smallSeries = exposerRuns[0]?.series ?? 0;
  const marginal = stats(
    replayRuns.map((r) => (r.rssBytes - smallRss) / Math.max(1, r.series - smallSeries)),
  );
  const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
  const newSpace = stats(exposerRuns.map((r) => r.newSpaceBytes)).median;
  const bigNewSpace = stats(replayRuns.map((r) => r.newSpaceBytes)).median;
  const emptyNewSpace = stats(exposerRuns.map((r) => r.baselineNewSpaceBytes)).median;
  const rows: Row[] = [
    {
      what: `RSS per series at ${expected.toLocaleString('en-US')} series (RSS after - before, after GC)`,
      unit: 'bytes',
      ours: { tool: 'exposer', value: perSeries },
      peer: { tool: 'Pushgateway', value: pgPerSeries },
      ratio: ratioOf(perSeries.median, pgPerSeries.median) * 100,
      ratioLabel: '% of the peer',
    },
    {
      what: `JS heap per series at ${expected.toLocaleString('en-US')} series`,
      unit: 'bytes',
      ours: { tool: 'exposer', value: heapPerSeries },
    },
    {
      what: `RSS per series at ${bigSeries.toLocaleString('en-US')} series (RSS after replay - empty exposer's RSS)`,
      unit: 'bytes',
      ours: { tool: 'exposer', value: bigPerSeries },
    },
    {
      what: `RSS per additional series from ${smallSeries.toLocaleString('en-US')} to ${bigSeries.toLocaleString('en-US')} series (RSS difference / series difference)`,
      unit: 'bytes',
      ours: { tool: 'exposer', value: marginal },
    },
  ];
  const targets: Target[] = [
    {
      target: '<= 300 bytes per series at 100k (exposer RSS delta)',
      measured: `${perSeries.median.toFixed(0)} B (Pushgateway ${pgPerSeries.median.toFixed(0)} B)`,
      met: Number.isFinite(perSeries.median) ? perSeries.median <= 300 : null,
    },
    {
      target: '<= 300 bytes per series at 1M (exposer RSS delta)',
      measured: `${bigPerSeries.median.toFixed(0)} B`,
      met: Number.isFinite(bigPerSeries.median) ? bigPerSeries.median <= 300 : null,
    },
  ];
  return result(
    ctx,
    'P4',
    'memory per series: the exposer vs the Pushgateway',
    started,
    [
      'RSS from process.memoryUsage() in the exposer process after two forced GCs (node --expose-gc); the Pushgateway RSS from /proc/PID/status',
    ],
    rows,
    targets,
    [
      `The empty exposer's RSS (after GC) was ${(baseline / 2 ** 20).toFixed(0)} MiB. The Pushgateway at 1M series is not measured: 10,000 PUTs into a store that re-checks itself on every push would take hours (its PUT time grows with the store).`,
      'The Pushgateway delta is taken without a forced GC (Go frees lazily), so it may overstate its live memory somewhat.',
      `Part of the exposer's RSS does not grow with the series: V8's young generation, which grows to its maximum under the ingest burst and stays committed after GC (${mib(newSpace)} at ${smallSeries.toLocaleString('en-US')} series, ${mib(bigNewSpace)} at ${bigSeries.toLocaleString('en-US')}; the empty exposer's is ${mib(emptyNewSpace)}). The row "per additional series" leaves such fixed costs out.`,
    ],
    { exposerRuns, pushgatewayRuns, replayRuns },
  );
}
