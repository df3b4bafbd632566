/**
 * P1: check an exposition. The exposition parser alone and `scrapelint metrics` (parser + the promlint-like
 * hygiene rules, what `promtool check metrics` also does) against `promtool check metrics < file`, on the
 * generated exposer-style files (1M series, ~95 MB, and 100k series). Each tool is its own process under
 * /usr/bin/time, so each peak RSS is the tool's own; the order of the three rotates every repetition. Then
 * start-up on tiny inputs, the installed scrapelint against promtool (bench/startup.ts).
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { requireBinary } from '../deploy/binaries.js';
import { generateExposition } from './gen-exposition.js';
import { alternate, type BenchContext } from './context.js';
import { stats, timedProcess } from './lib.js';
import { ratioOf, type ComparisonResult, type Row, type Target } from './result.js';
import { compareStartup } from './startup.js';

interface ToolRun {
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly maxRssKiB: number;
  readonly exitCode: number;
}

type Tool = 'parser' | 'scrapelint' | 'promtool';
const TOOLS: readonly Tool[] = ['parser', 'scrapelint', 'promtool'];

export async function runP1(ctx: BenchContext): Promise<ComparisonResult> {
  const started = Date.now();
  const promtool = requireBinary('promtool');
  const plans = ctx.smoke
    ? [{ label: 'smoke', file: 'p1-smoke.txt', sources: 20, series: 50 }]
    : [
        { label: '1M', file: 'exposition-1m.txt', sources: 10_000, series: 100 },
        { label: '100k', file: 'exposition-100k.txt', sources: 1_000, series: 100 },
      ];
  const rows: Row[] = [];
  const targets: Target[] = [];
  const raw: Record<string, unknown> = {};
  const notes: string[] = [];
  for (const plan of plans) {
    const path = join(ctx.cacheDir, plan.file);
    if (!existsSync(path) || statSync(path).size === 0 || ctx.smoke) {
      await generateExposition(path, plan.sources, plan.series);
    }
    const bytes = statSync(path).size;
    const series = plan.sources * plan.series;
    const runs: Record<Tool, ToolRun[]> = { parser: [], scrapelint: [], promtool: [] };
    let parsedSamples = -1;
    await alternate(ctx.reps, async (rep, warmUp) => {
      const order = TOOLS.map((_, i) => TOOLS[(i + Math.max(0, rep)) % TOOLS.length]!);
      for (const tool of order) {
        let run;
        if (tool === 'parser') {
          run = await timedProcess(process.execPath, [ctx.bundles.parser, path]);
          const inner = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as { samples?: number };
          parsedSamples = inner.samples ?? -1;
        } else if (tool === 'scrapelint') {
          // Through stdin, as promtool reads it (scrapelint skips files under ignored directories such as .cache).
          run = await timedProcess(
            process.execPath,
            [ctx.bundles.scrapelint, 'metrics', '--hygiene', '--no-rc', '-'],
            {
              stdinFile: path,
            },
          );
        } else {
          run = await timedProcess(promtool, ['check', 'metrics'], { stdinFile: path });
        }
        if (!warmUp)
          runs[tool].push({
            wallMs: run.wallMs,
            cpuMs: run.cpuMs,
            maxRssKiB: run.maxRssKiB,
            exitCode: run.exitCode,
          });
        ctx.log(
          `P1 ${plan.label} ${warmUp ? 'warm-up' : `rep ${rep + 1}`} ${tool}: ${run.wallMs.toFixed(0)} ms, ${(run.maxRssKiB / 1024).toFixed(0)} MiB, exit ${run.exitCode}`,
        );
      }
    });
    if (parsedSamples !== series)
      notes.push(`${plan.label}: the parser read ${parsedSamples} samples, expected ${series}.`);
    const wall = (tool: Tool) => stats(runs[tool].map((r) => r.wallMs));
    const cpu = (tool: Tool) => stats(runs[tool].map((r) => r.cpuMs));
    const rss = (tool: Tool) => stats(runs[tool].map((r) => r.maxRssKiB / 1024));
    const what = `${plan.label} series (${(bytes / 1e6).toFixed(1)} MB)`;
    for (const tool of ['parser', 'scrapelint'] as const) {
      const speedup = ratioOf(wall('promtool').median, wall(tool).median);
      const share = ratioOf(rss(tool).median, rss('promtool').median);
      rows.push({
        what: `check ${what}: wall time`,
        unit: 'ms',
        ours: { tool, value: wall(tool) },
        peer: { tool: 'promtool check metrics', value: wall('promtool') },
        ratio: speedup,
        ratioLabel: 'x faster',
      });
      rows.push({
        what: `check ${what}: CPU time (user + system)`,
        unit: 'ms',
        ours: { tool, value: cpu(tool) },
        peer: { tool: 'promtool check metrics', value: cpu('promtool') },
        ratio: ratioOf(cpu('promtool').median, cpu(tool).median),
        ratioLabel: 'x less CPU',
      });
      rows.push({
        what: `check ${what}: peak RSS`,
        unit: 'MiB',
        ours: { tool, value: rss(tool) },
        peer: { tool: 'promtool check metrics', value: rss('promtool') },
        ratio: share * 100,
        ratioLabel: '% of the peer',
      });
      targets.push({
        target: `${tool}, ${plan.label}: >= 5x faster than promtool check metrics`,
        measured: `${speedup.toFixed(2)}x`,
        met: Number.isFinite(speedup) ? speedup >= 5 : null,
      });
      targets.push({
        target: `${tool}, ${plan.label}: <= 25 % of promtool's peak RSS`,
        measured: `${(share * 100).toFixed(0)} %`,
        met: Number.isFinite(share) ? share <= 0.25 : null,
      });
    }
    raw[plan.label] = { path, bytes, series, runs };
  }
  const startup = await compareStartup(ctx, promtool);
  rows.push(...startup.rows);
  notes.push(...startup.notes);
  raw['start-up'] = startup.raw;
  notes.push(
    'The parser row is parsing with duplicate-series tracking (bench/exposition-child.ts); scrapelint adds the hygiene rules, the closer match to what `promtool check metrics` does (it parses and runs promlint).',
    'Wall time includes process start (Node ~40 ms, the Go binary ~10 ms); the children are esbuild bundles run by plain node, as the built CLI runs.',
  );
  return {
    id: 'P1',
    title: 'check an exposition: parser and scrapelint vs promtool check metrics',
    date: new Date().toISOString(),
    smoke: ctx.smoke,
    reps: ctx.reps,
    machine: ctx.machine,
    commands: [
      'npx tsx bench/gen-exposition.ts   # .cache/bench/exposition-1m.txt (10,000 sources x 100) and -100k.txt',
      'node .cache/bench/exposition-child.mjs FILE          # the parser (bench/exposition-child.ts bundled)',
      'node .cache/bench/cli.mjs metrics --hygiene --no-rc - < FILE   # scrapelint with the promlint-parity rules (lint/cli.ts bundled)',
      'promtool check metrics < FILE',
      'node dist/lint/cli.js --version | metrics --no-rc - | config --no-rc FILE   # start-up (bench/startup.ts), against promtool --version | check metrics | check config FILE',
    ],
    rows,
    targets,
    notes,
    seconds: (Date.now() - started) / 1000,
    raw,
  };
}
