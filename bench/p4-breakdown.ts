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
 *   npx tsx bench/p4-breakdown.ts [--reps 3] [--sources 1000] [--replay] [--no-gdb] \
 *     [--variants "|MALLOC_ARENA_MAX=2|MALLOC_MMAP_THRESHOLD_=131072|--max-semi-space-size=4|P4_FETCH_MAX_BYTES=1048576"]
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
import { bundle } from './lib.js';
import type { BreakdownCommand, BreakdownStats } from './p4-child.js';
import { readRollup } from './p4-memory.js';

const MIB = 2 ** 20;
/** glibc's thread arenas are 64 MiB-aligned reservations of 64 MiB (HEAP_MAX_SIZE on 64-bit). */
const ARENA = 64 * MIB;

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at === -1 ? fallback : (process.argv[at + 1] ?? fallback);
}

export interface Variant {
  readonly label: string;
  readonly env: Record<string, string>;
  readonly execArgv: string[];
}

export function parseVariants(text: string): Variant[] {
  return text.split('|').map((set) => {
    const env: Record<string, string> = {};
    const execArgv: string[] = [];
    for (const token of set.split(' ').filter(Boolean)) {
      if (token.startsWith('--')) execArgv.push(token);
      else {
        const eq = token.indexOf('=');
        if (eq <= 0) throw new Error(`variant token "${token}" is neither NAME=VALUE nor a --flag`);
        env[token.slice(0, eq)] = token.slice(eq + 1);
      }
    }
    return { label: set.trim() || '(default)', env, execArgv };
  });
}

interface Mapping {
  start: number;
  end: number;
  perms: string;
  path: string;
  rss: number;
  anonymous: number;
}

function readMappings(pid: number): Mapping[] {
  const mappings: Mapping[] = [];
  let current: Mapping | undefined;
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const header = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (header) {
      current = {
        start: parseInt(header[1]!, 16),
        end: parseInt(header[2]!, 16),
        perms: header[3]!,
        path: header[4]!,
        rss: 0,
        anonymous: 0,
      };
      mappings.push(current);
      continue;
    }
    const field = /^(Rss|Anonymous):\s+(\d+) kB$/.exec(line);
    if (field && current) current[field[1] === 'Rss' ? 'rss' : 'anonymous'] = Number(field[2]) * 1024;
  }
  return mappings;
}

/** RSS by kind of mapping, in bytes. */
function classify(pid: number): Record<string, number> {
  const mappings = readMappings(pid);
  const kinds: Record<string, number> = {
    brkHeap: 0,
    threadArenas: 0,
    otherAnon: 0,
    files: 0,
    stacksAndOther: 0,
  };
  for (let i = 0; i < mappings.length; i++) {
    const m = mappings[i]!;
    if (m.path === '[heap]') kinds['brkHeap']! += m.rss;
    else if (m.path.startsWith('/')) kinds['files']! += m.rss;
    else if (m.path !== '') kinds['stacksAndOther']! += m.rss;
    else if (m.start % ARENA === 0) {
      // A run of contiguous anonymous mappings that fills exactly one 64 MiB aligned reservation: a glibc arena.
      let j = i;
      let end = m.end;
      while (end - m.start < ARENA && mappings[j + 1]?.start === end && mappings[j + 1]?.path === '') {
        j++;
        end = mappings[j]!.end;
      }
      const run = mappings.slice(i, j + 1);
      const rss = run.reduce((sum, r) => sum + r.rss, 0);
      if (end - m.start === ARENA) {
        kinds['threadArenas']! += rss;
        i = j;
      } else kinds['otherAnon']! += m.rss;
    } else kinds['otherAnon']! += m.rss;
  }
  return kinds;
}

interface MallocInfo {
  /** Bytes the arenas got from the system (brk / their mmap()ed heaps). */
  arenaSystem: number;
  /** Free bytes kept inside the arenas (fast bins + bins + top chunk). */
  arenaFree: number;
  arenas: number;
  /** The same two for the main arena (the brk heap), where the main thread's malloc()s go. */
  mainSystem: number;
  mainFree: number;
  mmapChunks: number;
  /** glibc's mmap and trim thresholds at the end (they rise when an mmap()ed chunk is freed; needs libc6-dbg). */
  mmapThreshold: number;
  trimThreshold: number;
  mmapBytes: number;
  rssBeforeTrim: number;
  rssAfterTrim: number;
}

/** malloc_info(0) and malloc_trim(0) in the child, through gdb (glibc has no other window into a live process). */
function mallocInfo(pid: number): MallocInfo | undefined {
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
      'print mp_.mmap_threshold',
      '-ex',
      'print mp_.trim_threshold',
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
  // The totals after the last </heap> are the whole process's.
  const tail = xml.slice(xml.lastIndexOf('</heap>'));
  const attr = (text: string, tag: string, type: string, name: string): number =>
    Number(new RegExp(`<${tag} type="${type}"[^>]*?${name}="(\\d+)"`).exec(text)?.[1] ?? 'NaN');
  const printed = [...gdb.stdout.matchAll(/^\$\d+ = (\d+)$/gm)].map((m) => Number(m[1]));
  const main = xml.slice(xml.indexOf('<heap nr="0">'), xml.indexOf('</heap>'));
  return {
    mainSystem: attr(main, 'system', 'current', 'size'),
    mainFree: attr(main, 'total', 'fast', 'size') + attr(main, 'total', 'rest', 'size'),
    arenaSystem: attr(tail, 'system', 'current', 'size'),
    arenaFree: attr(tail, 'total', 'fast', 'size') + attr(tail, 'total', 'rest', 'size'),
    arenas: (xml.match(/<heap nr=/g) ?? []).length,
    mmapChunks: attr(tail, 'total', 'mmap', 'count'),
    mmapThreshold: printed.at(-2) ?? NaN,
    trimThreshold: printed.at(-1) ?? NaN,
    mmapBytes: attr(tail, 'total', 'mmap', 'size'),
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
  const reps = Number(option('--reps', '3'));
  if (!Number.isInteger(reps) || reps < 1 || reps > 20) throw new RangeError('--reps must be 1 to 20');
  const useGdb = !process.argv.includes('--no-gdb');
  const traceFile = option('--trace-munmap', '');
  const replay = process.argv.includes('--replay');
  const variants = parseVariants(
    option(
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
  const sources = Number(option('--sources', '1000'));
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
          const after = await child.call<BreakdownStats>({ cmd: 'stats', gc: true });
          await untrace?.();
          const mapsAfter = classify(child.pid);
          const malloc = useGdb ? mallocInfo(child.pid) : undefined;
          const maps: Record<string, number> = {};
          for (const [kind, bytes] of Object.entries(mapsAfter))
            maps[kind] = mib(bytes - (mapsBefore[kind] ?? 0));
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
