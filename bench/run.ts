/**
 * `npm run bench`: the side-by-side comparisons P1..P5 (see bench/RESULTS.md), then a CPU profile of the exposer's
 * hot paths; writes `<out>/<id>.json` and regenerates RESULTS.md from every result file in `<out>`.
 *
 *   npm run bench                       # everything, 5 repetitions after a warm-up (~15 min on 2 cores)
 *   npm run bench -- --smoke            # tiny sizes, 1 repetition (CI)
 *   npm run bench -- --only P1,P3 --reps 7
 *   npm run bench -- --smoke --out /tmp/bench   # results and RESULTS.md elsewhere
 *
 * A Kafka broker is started in a temporary directory unless KAFKA_BROKERS names one.
 */
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { requireBinary } from '../deploy/binaries.js';
import { kafkaVersion, startBroker, stopBroker } from '../deploy/kafka/broker.js';
import { projectRoot } from '../scripts/project-root.js';
import { freePortPair } from '../test/ports.js';
import type { BenchContext } from './context.js';
import { summariseCpuProfile } from './cpuprofile.js';
import { runFleet } from './fleet.js';
import { benchDir } from './gen-exposition.js';
import { bundle, describeMachine } from './lib.js';
import { runP1 } from './p1-check.js';
import { runP5 } from './p5-delay.js';
import type { ProfileRun } from './profile.js';
import { renderResults, type ProfileSummary } from './report.js';
import { COMPARISON_IDS, type ComparisonResult } from './result.js';

export const STAGES = [...COMPARISON_IDS, 'profile'] as const;
export type Stage = (typeof STAGES)[number];

export interface BenchOptions {
  readonly smoke: boolean;
  readonly reps: number;
  readonly only: readonly Stage[];
  /** Directory of the result files (default bench/results). */
  readonly out: string;
  /** The markdown report (default bench/RESULTS.md, or <out>/RESULTS.md when --out is given). */
  readonly markdown: string;
  readonly log: (line: string) => void;
}

export interface BenchSummary {
  readonly written: readonly string[];
  readonly markdown: string;
  readonly seconds: number;
}

export function parseOnly(text: string): Stage[] {
  const wanted = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = wanted.filter((w) => !(STAGES as readonly string[]).includes(w));
  if (unknown.length > 0 || wanted.length === 0) {
    throw new InvalidArgumentError(
      `expected a comma-separated list of ${STAGES.join(', ')}; got ${JSON.stringify(text)}`,
    );
  }
  return wanted as Stage[];
}

export function parseReps(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 50)
    throw new InvalidArgumentError('expected a whole number from 1 to 50');
  return n;
}

function readResults(out: string): ComparisonResult[] {
  if (!existsSync(out)) return [];
  return readdirSync(out)
    .filter((f) => /^P\d\.json$/.test(f))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(out, f), 'utf8')) as ComparisonResult);
}

/** Runs the profile workload under `node --cpu-prof` and summarises the profile. */
async function runProfile(smoke: boolean, log: (line: string) => void): Promise<ProfileSummary> {
  const root = projectRoot();
  const dir = mkdtempSync(join(tmpdir(), 'queuefront-prof-'));
  const sources = smoke ? 50 : 1_000;
  const rounds = smoke ? 2 : 10;
  const args = [
    '--cpu-prof',
    '--cpu-prof-dir',
    dir,
    '--import',
    'tsx',
    join(root, 'bench', 'profile.ts'),
    '--sources',
    String(sources),
    '--rounds',
    String(rounds),
  ];
  try {
    const stdout = await new Promise<string>((resolveRun, reject) => {
      const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
      let text = '';
      const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
      child.stdout.on('data', (d: Buffer) => (text += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        if (code === 0) resolveRun(text);
        else reject(new Error(`profile run exited with ${code}`));
      });
    });
    const run = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as ProfileRun;
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (file === undefined) throw new Error(`node --cpu-prof wrote no profile in ${dir}`);
    // Module loading (tsx) and the fleet's body generation (with the exposition rendering it calls) are not the
    // exposer's hot path.
    const cpu = summariseCpuProfile(
      readFileSync(join(dir, file), 'utf8'),
      root,
      25,
      /^node:internal\/(modules|deps\/cjs-module-lexer|bootstrap)|tsx\/|^bench\//,
      /exposer\/workload\.ts$/,
    );
    const rate = (count: number, ms: number, unit: string): string =>
      `${Math.round((count / ms) * 1000).toLocaleString('en-US')} ${unit}/s`;
    log(
      `profile: decode ${run.decodeMs.toFixed(0)} ms, apply ${run.applyMs.toFixed(0)} ms, render ${run.renderMs.toFixed(0)} ms for ${run.samples} samples`,
    );
    return {
      command: `node --cpu-prof --import tsx bench/profile.ts --sources ${sources} --rounds ${rounds}`,
      date: new Date().toISOString(),
      records: run.records,
      seriesPerRecord: run.seriesPerRecord,
      sampledMs: cpu.sampledMs,
      stages: [
        {
          stage: 'decode (decodeRecord: UTF-8, parse text, validate)',
          ms: run.decodeMs,
          perSecond: rate(run.samples, run.decodeMs, 'samples'),
        },
        {
          stage: 'apply (Store.apply)',
          ms: run.applyMs,
          perSecond: rate(run.samples, run.applyMs, 'samples'),
        },
        {
          stage: 'decode + apply',
          ms: run.decodeMs + run.applyMs,
          perSecond: rate(run.samples, run.decodeMs + run.applyMs, 'samples'),
        },
        {
          stage: `render (renderMetrics, ${run.renders} scrapes of ${Math.round(run.samples / run.renders).toLocaleString('en-US')} series)`,
          ms: run.renderMs,
          perSecond: rate((run.samples / run.renders) * run.renders, run.renderMs, 'series'),
        },
      ],
      byFile: cpu.byFile.map(({ file, selfShare }) => ({ file, selfShare })),
      top: cpu.top.map(({ function: fn, file, line, selfShare }) => ({
        function: fn,
        file,
        line,
        selfShare,
      })),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runBench(options: BenchOptions): Promise<BenchSummary> {
  const started = Date.now();
  const wanted = new Set<Stage>(options.only);
  const needsKafka = ['P2', 'P3', 'P4', 'P5'].some((id) => wanted.has(id as Stage));
  if (wanted.has('P1')) requireBinary('promtool');
  if (needsKafka) {
    requireBinary('kcat');
    requireBinary('prometheus-pushgateway');
  }
  if (!existsSync('/usr/bin/time')) throw new Error('/usr/bin/time is needed (apt-get install time)');
  mkdirSync(options.out, { recursive: true });
  const cacheDir = benchDir();
  const log = options.log;
  log('bundling the children (esbuild)');
  const bundles = {
    exposer: await bundle('bench/exposer-child.ts', cacheDir),
    parser: await bundle('bench/exposition-child.ts', cacheDir),
    scrapelint: await bundle('lint/cli.ts', cacheDir),
  };

  let brokers = process.env['KAFKA_BROKERS'] ?? '';
  let stateDir: string | undefined;
  const stop = async (): Promise<void> => {
    if (stateDir !== undefined) {
      await stopBroker({ stateDir, graceMs: 15_000 });
      rmSync(stateDir, { recursive: true, force: true });
      stateDir = undefined;
    }
  };
  const onSignal = (): void => {
    void stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const written: string[] = [];
  try {
    if (needsKafka && brokers === '') {
      stateDir = mkdtempSync(join(tmpdir(), 'queuefront-bench-kafka-'));
      const broker = await startBroker({ port: await freePortPair(), stateDir, fresh: true }, log);
      brokers = broker.brokers;
    }
    const ctx: BenchContext = {
      smoke: options.smoke,
      reps: options.reps,
      cacheDir,
      machine: describeMachine(kafkaVersion()),
      brokers,
      bundles,
      log,
    };
    const save = (result: ComparisonResult): void => {
      if (!wanted.has(result.id)) return;
      const file = join(options.out, `${result.id}.json`);
      writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
      written.push(file);
      log(`wrote ${file}`);
    };
    if (wanted.has('P1')) save(await runP1(ctx));
    if (wanted.has('P2') || wanted.has('P3') || wanted.has('P4'))
      for (const r of await runFleet(ctx)) save(r);
    if (wanted.has('P5')) save(await runP5(ctx));
    if (wanted.has('profile')) {
      const profile = await runProfile(options.smoke, log);
      const file = join(options.out, 'profile.json');
      writeFileSync(file, `${JSON.stringify(profile, null, 2)}\n`);
      written.push(file);
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await stop();
  }
  const profileFile = join(options.out, 'profile.json');
  const profile = existsSync(profileFile)
    ? (JSON.parse(readFileSync(profileFile, 'utf8')) as ProfileSummary)
    : undefined;
  const previous = existsSync(options.markdown) ? readFileSync(options.markdown, 'utf8') : undefined;
  writeFileSync(options.markdown, renderResults(readResults(options.out), profile, previous));
  log(`wrote ${options.markdown}`);
  return { written, markdown: options.markdown, seconds: (Date.now() - started) / 1000 };
}

export function buildProgram(): Command {
  return new Command('bench')
    .description(
      'side-by-side benchmarks against promtool, the Pushgateway and kcat (P1..P5) and a CPU profile',
    )
    .option('--smoke', 'tiny sizes and 1 repetition (CI: checks that every comparison still runs)', false)
    .option('--only <ids>', `comma-separated subset of ${STAGES.join(',')}`, parseOnly)
    .option('--reps <n>', 'measured repetitions after the warm-up (default 5, 1 with --smoke)', parseReps)
    .option('--out <dir>', 'where the result files go (default bench/results)')
    .addHelpText(
      'after',
      '\nExamples:\n  npm run bench\n  npm run bench -- --smoke\n  npm run bench -- --only P1,P5 --reps 7\n\nKAFKA_BROKERS=host:port uses a running broker instead of starting one.',
    );
}

async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  program.parse([...argv], { from: 'user' });
  const flags = program.opts<{ smoke: boolean; only?: Stage[]; reps?: number; out?: string }>();
  const root = projectRoot();
  const out = resolve(flags.out ?? join(root, 'bench', 'results'));
  const summary = await runBench({
    smoke: flags.smoke,
    reps: flags.reps ?? (flags.smoke ? 1 : 5),
    only: flags.only ?? [...STAGES],
    out,
    markdown: flags.out === undefined ? join(root, 'bench', 'RESULTS.md') : join(out, 'RESULTS.md'),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stderr.write(`bench: done in ${summary.seconds.toFixed(0)} s\n`);
  return 0;
}

if (process.argv[1] !== undefined && import.meta.filename === resolve(process.argv[1])) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      // The stack too: a benchmark that fails in CI must say where (a kafkajs message alone does not).
      process.stderr.write(
        `bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(1);
    },
  );
}
