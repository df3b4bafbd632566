/**
 * The exposition parser alone vs `promtool check metrics < file`, on the same exposer-style files, alternating
 * runs. Both run as their own processes under /usr/bin/time, so each peak RSS is the tool's own. The parser
 * child is bundled with esbuild into plain JavaScript first (as the built CLI runs: no TypeScript loader).
 *
 *   npx tsx bench/exposition.ts              # 1M- and 100k-series files, 5 runs each (writes bench/results/exposition.json)
 *   npx tsx bench/exposition.ts --smoke      # tiny file, 1 run
 *   npx tsx bench/exposition.ts --runs 7
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { projectRoot } from '../scripts/project-root.js';
import { benchDir, generateExposition } from './gen-exposition.js';

interface Run {
  readonly wallMs: number;
  readonly maxRssKiB: number;
  /** User + system CPU time of the process (less sensitive than wall time to other load on the machine). */
  readonly cpuMs: number;
  readonly exitCode: number;
  /** The parser's own timing (excluding process start), when the tool reports one. */
  readonly innerMs?: number;
}

interface Stats {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

function stats(values: readonly number[]): Stats {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

/** Runs `command args < input` under /usr/bin/time; resolves with wall time, peak RSS and stdout. */
function timed(command: string, args: readonly string[], input: string): Promise<Run & { stdout: string }> {
  return new Promise((resolve, reject) => {
    const fd = openSync(input, 'r');
    const started = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-f', '__RSS__%M %U %S', command, ...args], {
      stdio: [fd, 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (error) => {
      closeSync(fd);
      reject(error);
    });
    child.on('close', (code) => {
      closeSync(fd);
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      const match = /__RSS__(\d+) ([\d.]+) ([\d.]+)/.exec(stderr);
      if (match === null) return reject(new Error(`${command}: no RSS reported: ${stderr.slice(-300)}`));
      const cpuMs = (Number(match[2]) + Number(match[3])) * 1000;
      resolve({ wallMs, maxRssKiB: Number(match[1]), cpuMs, exitCode: code ?? -1, stdout });
    });
  });
}

async function bundleChild(root: string, outDir: string): Promise<string> {
  const outfile = join(outDir, 'exposition-child.mjs');
  await build({
    entryPoints: [join(root, 'bench', 'exposition-child.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'warning',
  });
  return outfile;
}

async function benchFile(file: string, runs: number, child: string): Promise<Record<string, unknown>> {
  const parser: Run[] = [];
  const promtool: Run[] = [];
  for (let r = 0; r < runs; r++) {
    // Alternate which tool goes first so that neither always runs on a warmer cache.
    const order = r % 2 === 0 ? ['parser', 'promtool'] : ['promtool', 'parser'];
    for (const tool of order) {
      if (tool === 'parser') {
        const run = await timed(process.execPath, [child, '/dev/stdin'], file);
        const inner = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as {
          ms?: number;
          samples?: number;
        };
        parser.push({
          wallMs: run.wallMs,
          maxRssKiB: run.maxRssKiB,
          cpuMs: run.cpuMs,
          exitCode: run.exitCode,
          innerMs: inner.ms ?? NaN,
        });
      } else {
        const run = await timed('promtool', ['check', 'metrics'], file);
        promtool.push({
          wallMs: run.wallMs,
          maxRssKiB: run.maxRssKiB,
          cpuMs: run.cpuMs,
          exitCode: run.exitCode,
        });
      }
    }
  }
  const p = stats(parser.map((r) => r.wallMs));
  const t = stats(promtool.map((r) => r.wallMs));
  const pr = stats(parser.map((r) => r.maxRssKiB));
  const tr = stats(promtool.map((r) => r.maxRssKiB));
  const pc = stats(parser.map((r) => r.cpuMs));
  const tc = stats(promtool.map((r) => r.cpuMs));
  return {
    file,
    bytes: statSync(file).size,
    runs,
    parser: {
      wallMs: p,
      innerMs: stats(parser.map((r) => r.innerMs ?? NaN)),
      maxRssKiB: pr,
      cpuMs: pc,
      exitCodes: parser.map((r) => r.exitCode),
    },
    promtool: { wallMs: t, maxRssKiB: tr, cpuMs: tc, exitCodes: promtool.map((r) => r.exitCode) },
    /** Machine load while the benchmark ran: wall times are only comparable on a quiet machine. */
    loadAverage: loadavg(),
    speedup: t.median / p.median,
    cpuRatio: tc.median / pc.median,
    rssShare: pr.median / tr.median,
  };
}

async function main(): Promise<void> {
  const smoke = process.argv.includes('--smoke');
  const runsArg = process.argv.indexOf('--runs');
  const runs = runsArg !== -1 ? Number(process.argv[runsArg + 1]) : smoke ? 1 : 5;
  if (!existsSync('/usr/bin/time')) throw new Error('/usr/bin/time is needed (apt-get install time)');
  const root = projectRoot();
  const dir = benchDir();
  const files: string[] = [];
  if (smoke) {
    files.push((await generateExposition(join(dir, 'exposition-smoke.txt'), 20, 50)).path);
  } else {
    for (const [name, sources] of [
      ['exposition-1m.txt', 10_000],
      ['exposition-100k.txt', 1_000],
    ] as const) {
      const path = join(dir, name);
      if (!existsSync(path)) await generateExposition(path, sources, 100);
      files.push(path);
    }
  }
  const child = await bundleChild(root, dir);
  const results = [];
  for (const file of files) {
    const result = await benchFile(file, runs, child);
    results.push(result);
    const parser = result.parser as { wallMs: Stats; maxRssKiB: Stats };
    const promtool = result.promtool as { wallMs: Stats; maxRssKiB: Stats };
    console.log(
      `${file}: parser ${parser.wallMs.median.toFixed(0)} ms (${parser.wallMs.min.toFixed(0)}-${parser.wallMs.max.toFixed(0)}), ` +
        `${(parser.maxRssKiB.median / 1024).toFixed(0)} MiB | promtool ${promtool.wallMs.median.toFixed(0)} ms ` +
        `(${promtool.wallMs.min.toFixed(0)}-${promtool.wallMs.max.toFixed(0)}), ${(promtool.maxRssKiB.median / 1024).toFixed(0)} MiB | ` +
        `${(result.speedup as number).toFixed(2)}x faster (promtool/parser CPU time ${(result.cpuRatio as number).toFixed(2)}x), ` +
        `${((result.rssShare as number) * 100).toFixed(0)} % of the RSS (load average ${loadavg()[0]!.toFixed(1)})`,
    );
  }
  if (!smoke) {
    const out = join(root, 'bench', 'results');
    mkdirSync(out, { recursive: true });
    writeFileSync(
      join(out, 'exposition.json'),
      `${JSON.stringify({ date: new Date().toISOString(), node: process.version, command: 'npx tsx bench/exposition.ts', results }, null, 2)}\n`,
    );
    console.log(`wrote ${join(out, 'exposition.json')}`);
  }
}

await main();
