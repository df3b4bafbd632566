/**
 * The exposer's RSS at 96k series with V8's young generation bounded or not: the stage A set-up of P4 (a fresh
 * exposer child, 1,000 records of 96 series through a broker of its own) once per Node flag set, alternating.
 * Not part of `npm run bench`: an experiment for choosing the exposer's Node flags (bench/RESULTS.md, findings).
 *
 *   npx tsx bench/young-generation.ts [--reps 2] [--flags "|--max-semi-space-size=2|--max-semi-space-size=4"]
 *
 * `--flags` lists the flag sets separated by `|`; an empty one is Node's default. Prints one JSON line per run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, stopBroker } from '../deploy/kafka/broker.js';
import { freePortPair } from '../test/ports.js';
import type { ChildStats } from './exposer-child.js';
import { benchDir } from './gen-exposition.js';
import { bodies, createTopic, fleet, produce, startExposerChild, uniqueName } from './harness.js';
import { bundle } from './lib.js';

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at === -1 ? fallback : (process.argv[at + 1] ?? fallback);
}

async function main(): Promise<void> {
  const reps = Number(option('--reps', '2'));
  if (!Number.isInteger(reps) || reps < 1 || reps > 20) throw new RangeError('--reps must be 1 to 20');
  const flagSets = option('--flags', '|--max-semi-space-size=2|--max-semi-space-size=4')
    .split('|')
    .map((set) => set.split(' ').filter(Boolean));
  const exposer = await bundle('bench/exposer-child.ts', benchDir());
  const stateDir = mkdtempSync(join(tmpdir(), 'queuefront-young-gen-'));
  const { brokers } = await startBroker(
    { port: await freePortPair(), stateDir, fresh: true },
    () => undefined,
  );
  const apps = fleet(1_000, 100);
  try {
    for (let rep = 0; rep < reps; rep++) {
      const order = rep % 2 === 0 ? flagSets : [...flagSets].reverse();
      for (const execArgv of order) {
        const topic = uniqueName('young-gen');
        await createTopic(brokers, topic);
        const child = await startExposerChild(
          exposer,
          {
            brokers,
            topics: [topic],
            group: uniqueName('young-gen'),
            listen: '127.0.0.1:0',
            replayWindow: '1h',
            createTopic: false,
            partitions: 1,
          },
          execArgv,
        );
        try {
          await child.call({ cmd: 'waitReady', timeoutMs: 60_000 }, 65_000);
          const before = await child.stats(true);
          await child.call({ cmd: 'reset' });
          await produce(brokers, topic, apps, bodies(apps));
          const after = await child.call<ChildStats>(
            { cmd: 'waitRecords', records: apps.length, timeoutMs: 120_000 },
            125_000,
          );
          const memory = await child.stats(true);
          const mib = (bytes: number): number => +(bytes / 2 ** 20).toFixed(1);
          console.log(
            JSON.stringify({
              flags: execArgv.join(' ') || '(default)',
              series: memory.series,
              rssBytesPerSeries: Math.round((memory.rssBytes - before.rssBytes) / memory.series),
              heapBytesPerSeries: Math.round((memory.heapUsedBytes - before.heapUsedBytes) / memory.series),
              newSpaceMiB: mib(memory.newSpaceBytes),
              oldSpaceMiB: mib(memory.oldSpaceBytes),
              applyWindowMs: after.lastApplyMs - after.firstApplyMs,
              applyCpuMs: Math.round(after.cpuMs - after.firstApplyCpuMs),
            }),
          );
        } finally {
          await child.stop();
        }
      }
    }
  } finally {
    await stopBroker({ stateDir, graceMs: 15_000 });
    rmSync(stateDir, { recursive: true, force: true });
  }
}

await main();
