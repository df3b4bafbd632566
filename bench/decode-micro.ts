/**
 * What the exposer does to each Kafka record before the store: `decodeRecord` (UTF-8, headers, parse, validate)
 * or `parseText` alone, on the fleet's text records, timed by CPU time per record. Bundled with esbuild and run by
 * plain node in a child, as the built exposer runs (tsx's loader makes the same code about 40 % slower).
 *
 *   npx tsx bench/decode-micro.ts [--sources 1000] [--series 12] [--rounds 15] [--mode decode|parse]
 *
 * Prints one JSON line: CPU microseconds per record, median and min over the rounds (each round handles every
 * record 10 times). Not part of `npm run bench` (the side-by-side comparisons are); the quick loop behind the
 * decode and parser figures in bench/RESULTS.md and docs/exposition.md.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { decodeRecord } from '../exposer/decode.js';
import { parseText } from '../exposition/index.js';
import { isMain } from '../scripts/is-main.js';
import { projectRoot } from '../scripts/project-root.js';
import { bodies, fleet, textRecord } from './harness.js';
import { argValue, argWhole, bundle } from './lib.js';

export interface DecodeMicroResult {
  readonly mode: 'decode' | 'parse';
  readonly records: number;
  readonly seriesPerRecord: number;
  readonly medianUs: number;
  readonly minUs: number;
}

/** Runs the loop in this process (the bundled child does this). */
export function measure(
  mode: 'decode' | 'parse',
  sources: number,
  series: number,
  rounds: number,
): DecodeMicroResult {
  const apps = fleet(sources, series);
  const texts = bodies(apps);
  const records = apps.map((app, i) => textRecord(app, texts[i]!, i));
  const perRecord: number[] = [];
  let refused = 0;
  for (let round = 0; round < rounds; round++) {
    const before = process.cpuUsage();
    for (let repeat = 0; repeat < 10; repeat++) {
      if (mode === 'decode') {
        for (const record of records) if (!decodeRecord(record).ok) refused++;
      } else {
        for (const text of texts)
          if (parseText(text, { format: 'text', trackDuplicates: false }).summary.errors > 0) refused++;
      }
    }
    const cpu = process.cpuUsage(before);
    perRecord.push((cpu.user + cpu.system) / (10 * records.length));
  }
  if (refused > 0)
    throw new Error(`${refused} of the fleet's records were refused: the benchmark measures nothing`);
  perRecord.sort((a, b) => a - b);
  return {
    mode,
    records: records.length,
    seriesPerRecord: apps[0]?.seriesCount ?? 0,
    medianUs: perRecord[Math.floor(perRecord.length / 2)] ?? 0,
    minUs: perRecord[0] ?? 0,
  };
}

async function main(): Promise<void> {
  const mode = argValue('--mode', 'decode');
  if (mode !== 'decode' && mode !== 'parse') throw new RangeError('--mode must be decode or parse');
  const sources = argWhole('--sources', 1000);
  const series = argWhole('--series', 12);
  const rounds = argWhole('--rounds', 15);
  if (process.argv.includes('--child')) {
    console.log(JSON.stringify(measure(mode, sources, series, rounds)));
    return;
  }
  const file = await bundle('bench/decode-micro.ts', join(projectRoot(), '.cache', 'bench'));
  const args = [
    '--mode',
    mode,
    '--sources',
    String(sources),
    '--series',
    String(series),
    '--rounds',
    String(rounds),
  ];
  const run = spawnSync(process.execPath, [file, ...args, '--child'], { stdio: 'inherit', timeout: 600_000 });
  process.exitCode = run.status ?? 1;
}

// Run as a script (by tsx, or bundled with --child), not when imported by a test.
if (isMain(import.meta.filename)) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 2;
  });
}
