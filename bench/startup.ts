/**
 * Start-up, part of P1: what each run costs before any real work, which is what a pre-commit hook pays on every
 * commit and a CI step per invocation. scrapelint against promtool on the same tiny inputs, the two alternating.
 * scrapelint runs as installed (dist/lint/cli.js, tsc's output, which the package's `bin` entry and the pre-commit
 * hooks run), not as the esbuild bundle P1 times on the large files. dist is rebuilt first when a source file is
 * newer than it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../scripts/project-root.js';
import { alternate, type BenchContext } from './context.js';
import { stats, timedProcess } from './lib.js';
import { ratioOf, type Row } from './result.js';

const EXPOSITION = '# HELP app_up_total Starts.\n# TYPE app_up_total counter\napp_up_total 1\n';
const CONFIG = `global:
  scrape_interval: 15s
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ['127.0.0.1:9100']
`;

interface Case {
  readonly what: string;
  readonly scrapelint: readonly string[];
  readonly promtool: readonly string[];
  readonly stdin?: string;
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
      newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** dist/lint/cli.js, built by `npm run build` when it is missing or older than the sources it is built from. */
export function builtCli(log: (line: string) => void): string {
  const root = projectRoot();
  const cli = join(root, 'dist/lint/cli.js');
  const sources = Math.max(...['lint', 'exposition'].map((d) => newestSource(join(root, d))));
  if (!existsSync(cli) || statSync(cli).mtimeMs < sources) {
    log('start-up: building dist (tsc -p tsconfig.build.json), older than its sources');
    const built = spawnSync(
      process.execPath,
      [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
      { cwd: root, encoding: 'utf8', timeout: 300_000 },
    );
    if (built.status !== 0) throw new Error(`npm run build failed: ${built.stdout}${built.stderr}`);
  }
  return cli;
}

export interface StartupComparison {
  readonly rows: Row[];
  readonly notes: string[];
  readonly raw: Record<string, { scrapelint: number[]; promtool: number[]; exitCodes: number[] }>;
}

export async function compareStartup(ctx: BenchContext, promtool: string): Promise<StartupComparison> {
  const cli = builtCli((line) => ctx.log(line));
  const exposition = join(ctx.cacheDir, 'startup.prom');
  const config = join(ctx.cacheDir, 'startup-prometheus.yml');
  writeFileSync(exposition, EXPOSITION);
  writeFileSync(config, CONFIG);
  const cases: Case[] = [
    { what: 'print the version', scrapelint: ['--version'], promtool: ['--version'] },
    {
      what: 'check a 3-line exposition on stdin',
      scrapelint: ['metrics', '--no-rc', '-'],
      promtool: ['check', 'metrics'],
      stdin: exposition,
    },
    {
      what: 'check a one-job Prometheus configuration',
      scrapelint: ['config', '--no-rc', config],
      promtool: ['check', 'config', config],
    },
  ];
  const rows: Row[] = [];
  const notes: string[] = [];
  const raw: StartupComparison['raw'] = {};
  for (const c of cases) {
    const wall = { scrapelint: [] as number[], promtool: [] as number[] };
    const exitCodes: number[] = [];
    await alternate(ctx.reps, async (rep, warmUp, order) => {
      for (const tool of order === 0
        ? (['scrapelint', 'promtool'] as const)
        : (['promtool', 'scrapelint'] as const)) {
        const run =
          tool === 'scrapelint'
            ? await timedProcess(process.execPath, [cli, ...c.scrapelint], stdinOf(c))
            : await timedProcess(promtool, c.promtool, stdinOf(c));
        if (warmUp) continue;
        wall[tool].push(run.wallMs);
        if (tool === 'scrapelint') exitCodes.push(run.exitCode);
      }
      if (!warmUp && rep === ctx.reps - 1)
        ctx.log(
          `P1 start-up, ${c.what}: scrapelint ${stats(wall.scrapelint).median.toFixed(0)} ms, promtool ${stats(wall.promtool).median.toFixed(0)} ms (medians)`,
        );
    });
    if (exitCodes.some((code) => code !== 0))
      notes.push(`start-up, ${c.what}: scrapelint exited ${exitCodes.join(', ')} (expected 0).`);
    const ours = stats(wall.scrapelint);
    const peer = stats(wall.promtool);
    rows.push({
      what: `start-up: ${c.what}, wall time`,
      unit: 'ms',
      ours: { tool: 'scrapelint (dist)', value: ours },
      peer: { tool: `promtool ${c.promtool.join(' ')}`, value: peer },
      ratio: ratioOf(peer.median, ours.median),
      ratioLabel: 'x faster',
    });
    raw[c.what] = { ...wall, exitCodes };
  }
  notes.push(
    'Start-up rows: the installed command (dist/lint/cli.js) on tiny inputs, what a pre-commit hook pays per commit. scrapelint imports a command when it runs and the YAML reader and the globbing only when needed (lint/startup.int.test.ts); what is left is Node itself and zod, which the rules validate their options with (~250 of its modules).',
  );
  return { rows, notes, raw };
}

function stdinOf(c: Case): { stdinFile?: string } {
  return c.stdin === undefined ? {} : { stdinFile: c.stdin };
}
