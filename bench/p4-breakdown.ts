/**
 * Where P4's RSS delta at 96k series goes, and what each lever changes. P4's stage A (a fresh exposer process,
 * 1,000 records of 96 series produced through a broker of its own, RSS after - before with two forced GCs), once
 * per variant, the variants alternating; for each run the delta broken down into
 *
 *   - process.memoryUsage() (heapTotal, heapUsed, external, arrayBuffers) and every V8 heap space (committed, used),
 *   - /proc/PID/smaps by kind of mapping ([heap] = glibc's main arena, glibc thread arenas, other anonymous
 *     mappings = V8's pages, big mmap()ed malloc chunks and thread stacks; files = code),
 *   - glibc malloc_info() (gdb attached after the measurement: arena bytes, free bytes kept in the arenas, mmap()ed
 *     chunks), and the RSS after malloc_trim(0): what glibc held that a trim gives back.
 *
 * Not part of `npm run bench`: the experiment behind the P4 findings in bench/RESULTS.md.
 *
 *   npx tsx bench/p4-breakdown.ts [--reps 3] [--sources 1000] [--replay] [--settle MS] [--no-gdb] \
 *     [--variants "|MALLOC_ARENA_MAX=2|MALLOC_MMAP_THRESHOLD_=131072|--max-semi-space-size=4|P4_FETCH_MAX_BYTES=1048576"]
 *
 * `--replay`: the records are in the topic before the exposer starts (P4's 1M stage: a backlog, fetched in 8 MiB
 * batches). `--settle MS`: measure again after MS (does V8 or glibc give memory back by itself?); the
 * figures are then the settled ones, `beforeSettle` the first.
 *
 * A variant is a space-separated list of NAME=VALUE (environment of the exposer process) and --flags (Node flags);
 * variants are separated by `|`, an empty one is the default. Prints one JSON line per run on stdout.
 */
import { fork, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, stopBroker } from '../deploy/kafka/broker.js';
import { freePortPair } from '../test/ports.js';
import { benchDir } from './gen-exposition.js';
import { bodies, createTopic, deleteTopic, fleet, produce, uniqueName } from './harness.js';
import { argValue, bundle } from './lib.js';
import type { BreakdownCommand, BreakdownStats } from './p4-child.js';
import {
  mappingKinds,
  parseMallocInfo,
  parseSmaps,
  parseVariants,
  printedValue,
  readRollup,
  type MallocInfo,
  type MappingKinds,
  type Variant,
} from './p4-memory.js';

const MIB = 2 ** 20;

function classify(pid: number): MappingKinds {
  return mappingKinds(parseSmaps(readFileSync(`/proc/${pid}/smaps`, 'utf8')));
}

interface MallocReport extends MallocInfo {
  /** glibc's mmap and trim thresholds at the end (they rise when an mmap()ed block is freed; needs libc6-dbg). */
  readonly mmapThreshold: number;
  readonly trimThreshold: number;
  readonly rssBeforeTrim: number;
  readonly rssAfterTrim: number;
}

/** malloc_info(0) and malloc_trim(0) in the child, through gdb (glibc has no other window into a live process). */
function mallocInfo(pid: number): MallocReport | undefined {
  const file = join(tmpdir(), `p4-malloc-${pid}.xml`);
  const rssBeforeTrim = readRollup(`/proc/${pid}/smaps_rollup`)['Rss'] ?? 0;
  const gdb = spawnSync(
    'gdb',
    [
      '-p',
      String(pid),
      '-batch',
      '-nx',
      '-ex',
      `call (void*)fopen("${file}", "w")`,
      '-ex',
      'call (int)malloc_info(0, $1)',
      '-ex',
      'call (int)fclose($1)',
      '-ex',
      'call (int)malloc_trim(0)',
      '-ex',
      'printf "mmap_threshold %lu\\n", mp_.mmap_threshold',
      '-ex',
      'printf "trim_threshold %lu\\n", mp_.trim_threshold',
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  if (gdb.status !== 0) {
    process.stderr.write(`gdb failed (${gdb.status}): ${gdb.stderr.slice(-500)}\n`);
    return undefined;
  }
  const rssAfterTrim = readRollup(`/proc/${pid}/smaps_rollup`)['Rss'] ?? 0;
  const xml = readFileSync(file, 'utf8');
  rmSync(file, { force: true });
  return {
    ...parseMallocInfo(xml),
    mmapThreshold: printedValue(gdb.stdout, 'mmap_threshold'),
    trimThreshold: printedValue(gdb.stdout, 'trim_threshold'),
    rssBeforeTrim,
    rssAfterTrim,
  };
}

/**
 * `--trace-munmap FILE`: gdb follows the child from before the ingest to after it and appends to FILE a backtrace of
 * every munmap() of more than 200 kB (glibc frees an mmap()ed chunk with munmap, and then raises its thresholds to
 * the chunk's size). Slows the child; an experiment of its own, not for the memory figures.
 */
function traceMunmap(pid: number, file: string): () => Promise<void> {
  const script = join(tmpdir(), `p4-munmap-${pid}.gdb`);
  writeFileSync(
    script,
    [
      'set pagination off',
      'set print thread-events off',
      'handle SIGUSR1 SIGUSR2 SIGPIPE nostop noprint',
      'break munmap if $rsi > 200000',
      'commands',
      'silent',
      'printf "munmap %lu bytes\\n", $rsi',
      'bt 14',
      'continue',
      'end',
      'continue',
      '',
    ].join('\n'),
  );
  const gdb = spawn('sh', ['-c', `exec gdb -p ${pid} -batch -nx -x ${script} >> ${file} 2>&1`], {
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => gdb.once('exit', () => resolve()));
  return async () => {
    gdb.kill('SIGINT');
    const timer = setTimeout(() => gdb.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    rmSync(script, { force: true });
  };
}

interface Child {
  pid: number;
  call<T>(request: BreakdownCommand, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

async function startChild(path: string, flags: Record<string, unknown>, variant: Variant): Promise<Child> {
  const child = fork(path, [JSON.stringify({ logLevel: 'warn', ...flags })], {
    execArgv: ['--expose-gc', ...variant.execArgv],
    env: { ...process.env, ...variant.env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let next = 1;
  const pending = new Map<number, (answer: { ok: boolean; value?: unknown; error?: string }) => void>();
  child.on('message', (raw) => {
    const answer = raw as { id: number; ok: boolean; value?: unknown; error?: string };
    pending.get(answer.id)?.(answer);
    pending.delete(answer.id);
  });
  const ask = <T>(id: number, timeoutMs: number): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`p4 child: no answer to request ${id} within ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(id, (answer) => {
        clearTimeout(timer);
        if (answer.ok) resolve(answer.value as T);
        else reject(new Error(answer.error ?? 'p4 child failed'));
      });
    });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const { pid } = await ask<{ pid: number }>(0, 60_000);
  return {
    pid,
    call: <T>(request: BreakdownCommand, timeoutMs = 130_000): Promise<T> => {
      const id = next++;
      const answer = ask<T>(id, timeoutMs);
      child.send({ ...request, id });
      return answer;
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.send({ cmd: 'stop', id: next++ });
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function delta(after: BreakdownStats, before: BreakdownStats): Record<string, number> {
  const mib = (bytes: number): number => +(bytes / MIB).toFixed(1);
  const out: Record<string, number> = {
    rss: mib(after.rss - before.rss),
    anonymous: mib((after.rollup['Anonymous'] ?? 0) - (before.rollup['Anonymous'] ?? 0)),
    heapTotal: mib(after.heapTotal - before.heapTotal),
    heapUsed: mib(after.heapUsed - before.heapUsed),
    external: mib(after.external - before.external),
    arrayBuffers: mib(after.arrayBuffers - before.arrayBuffers),
  };
  for (const [name, space] of Object.entries(after.spaces)) {
    const was = before.spaces[name] ?? { committed: 0, used: 0 };
    if (space.committed === 0 && was.committed === 0) continue;
    out[`${name}.committed`] = mib(space.committed - was.committed);
    out[`${name}.used`] = mib(space.used - was.used);
  }
  return out;
}

async function main(): Promise<void> {
  const reps = Number(argValue('--reps', '3'));
  if (!Number.isInteger(reps) || reps < 1 || reps > 20) throw new RangeError('--reps must be 1 to 20');
  const useGdb = !process.argv.includes('--no-gdb');
  const traceFile = argValue('--trace-munmap', '');
  const replay = process.argv.includes('--replay');
  const settleMs = Number(argValue('--settle', '0'));
  if (!Number.isInteger(settleMs) || settleMs < 0 || settleMs > 600_000) {
    throw new RangeError('--settle must be 0 to 600000 (ms)');
  }
  const variants = parseVariants(
    argValue(
      '--variants',
      '|MALLOC_ARENA_MAX=2|MALLOC_MMAP_THRESHOLD_=131072|--max-semi-space-size=4|P4_FETCH_MAX_BYTES=1048576',
    ),
  );
  const childPath = await bundle('bench/p4-child.ts', benchDir());
  const stateDir = mkdtempSync(join(tmpdir(), 'queuefront-p4-'));
  const { brokers } = await startBroker(
    { port: await freePortPair(), stateDir, fresh: true },
    () => undefined,
  );
  const sources = Number(argValue('--sources', '1000'));
  if (!Number.isInteger(sources) || sources < 1 || sources > 20_000)
    throw new RangeError('--sources must be 1 to 20000');
  const apps = fleet(sources, 100);
  const mib = (bytes: number): number => +(bytes / MIB).toFixed(1);
  try {
    // --replay: P4's stage B set-up instead: the records are in the topic before the exposer starts, so it
    // replays a backlog (fetches of up to maxBytesPerPartition); "before" is then the exposer's first answer.
    let backlog: string | undefined;
    if (replay) {
      backlog = uniqueName('p4-backlog');
      await createTopic(brokers, backlog);
      await produce(brokers, backlog, apps, bodies(apps), 50);
    }
    for (let rep = 0; rep < reps; rep++) {
      const order = rep % 2 === 0 ? variants : [...variants].reverse();
      for (const variant of order) {
        const topic = backlog ?? uniqueName('p4');
        if (backlog === undefined) await createTopic(brokers, topic);
        const child = await startChild(
          childPath,
          {
            brokers,
            topics: [topic],
            group: uniqueName('p4'),
            listen: '127.0.0.1:0',
            replayWindow: '1h',
            createTopic: false,
            partitions: 1,
          },
          variant,
        );
        try {
          if (backlog === undefined) await child.call({ cmd: 'waitReady', timeoutMs: 60_000 });
          const before = await child.call<BreakdownStats>({ cmd: 'stats', gc: true });
          const mapsBefore = classify(child.pid);
          const untrace = traceFile ? traceMunmap(child.pid, traceFile) : undefined;
          if (untrace) await new Promise((resolve) => setTimeout(resolve, 5_000));
          if (backlog === undefined) await produce(brokers, topic, apps, bodies(apps));
          await child.call({ cmd: 'waitRecords', records: apps.length, timeoutMs: 600_000 }, 610_000);
          let after = await child.call<BreakdownStats>({ cmd: 'stats', gc: true });
          const unsettled = after;
          if (settleMs > 0) {
            await new Promise((resolve) => setTimeout(resolve, settleMs));
            after = await child.call<BreakdownStats>({ cmd: 'stats', gc: true });
          }
          await untrace?.();
          const mapsAfter = classify(child.pid);
          const malloc = useGdb ? mallocInfo(child.pid) : undefined;
          const maps: Record<string, number> = {};
          for (const kind of Object.keys(mapsAfter) as (keyof MappingKinds)[])
            maps[kind] = mib(mapsAfter[kind] - mapsBefore[kind]);
          console.log(
            JSON.stringify({
              variant: variant.label,
              load: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
              series: after.series,
              rssPerSeries: Math.round((after.rss - before.rss) / after.series),
              heapPerSeries: Math.round((after.heapUsed - before.heapUsed) / after.series),
              ingestCpuMs: Math.round(after.cpuMs - before.cpuMs),
              ingestSystemCpuMs: Math.round(after.systemCpuMs - before.systemCpuMs),
              minorFaults: after.minorFaults - before.minorFaults,
              rssBeforeMiB: mib(before.rss),
              rssAfterMiB: mib(after.rss),
              peakRssMiB: mib(after.peakRss),
              ...(settleMs > 0
                ? {
                    beforeSettle: {
                      rssMiB: mib(unsettled.rss),
                      oldSpaceMiB: mib(unsettled.spaces['old_space']?.committed ?? 0),
                    },
                  }
                : {}),
              fetchMaxBytes: after.fetchMaxBytes,
              deltaMiB: delta(after, before),
              mapsDeltaMiB: maps,
              newSpaceMiB: mib(after.spaces['new_space']?.committed ?? 0),
              oldSpaceMiB: mib(after.spaces['old_space']?.committed ?? 0),
              ...(malloc
                ? {
                    malloc: {
                      arenas: malloc.arenas,
                      arenaSystemMiB: mib(malloc.arenaSystem),
                      arenaFreeMiB: mib(malloc.arenaFree),
                      mainArenaSystemMiB: mib(malloc.mainSystem),
                      mainArenaFreeMiB: mib(malloc.mainFree),
                      mmapChunks: malloc.mmapChunks,
                      mmapMiB: mib(malloc.mmapBytes),
                      mmapThreshold: malloc.mmapThreshold,
                      trimThreshold: malloc.trimThreshold,
                      trimFreedMiB: mib(malloc.rssBeforeTrim - malloc.rssAfterTrim),
                      rssPerSeriesAfterTrim: Math.round((malloc.rssAfterTrim - before.rss) / after.series),
                    },
                  }
                : {}),
            }),
          );
        } finally {
          await child.stop();
          if (backlog === undefined) await deleteTopic(brokers, topic).catch(() => undefined);
        }
      }
    }
  } finally {
    await stopBroker({ stateDir, graceMs: 15_000 });
    rmSync(stateDir, { recursive: true, force: true });
  }
}

await main();
