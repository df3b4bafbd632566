/**
 * Reading a process's memory for bench/p4-breakdown.ts (and the exposer child it starts): /proc files, glibc's
 * malloc_info() XML, gdb's output, and the variants to compare. Pure parsers, apart from readRollup.
 */
import { readFileSync } from 'node:fs';

const MIB = 2 ** 20;
/** glibc's thread arenas are 64 MiB-aligned reservations of 64 MiB (HEAP_MAX_SIZE on 64-bit). */
export const ARENA_BYTES = 64 * MIB;

/** The `Name:  123 kB` fields of a /proc/PID/smaps_rollup (or status) text, in bytes. */
export function parseRollup(text: string): Record<string, number> {
  const fields: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const match = /^(\w+):\s+(\d+) kB$/.exec(line);
    if (match) fields[match[1]!] = Number(match[2]) * 1024;
  }
  return fields;
}

export function readRollup(path: string): Record<string, number> {
  return parseRollup(readFileSync(path, 'utf8'));
}

export interface Variant {
  readonly label: string;
  /** Environment of the exposer process (NAME=VALUE tokens). */
  readonly env: Record<string, string>;
  /** Node flags (--tokens). */
  readonly execArgv: string[];
}

/** `|`-separated variants of space-separated NAME=VALUE and --flag tokens; an empty variant is the default. */
export function parseVariants(text: string): Variant[] {
  return text.split('|').map((set) => {
    const env: Record<string, string> = {};
    const execArgv: string[] = [];
    for (const token of set.split(' ').filter(Boolean)) {
      if (token.startsWith('--')) {
        execArgv.push(token);
        continue;
      }
      const eq = token.indexOf('=');
      if (eq <= 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(token.slice(0, eq))) {
        throw new Error(`variant token "${token}" is neither NAME=VALUE nor a --flag`);
      }
      env[token.slice(0, eq)] = token.slice(eq + 1);
    }
    return { label: set.trim() || '(default)', env, execArgv };
  });
}

export interface Mapping {
  readonly start: number;
  readonly end: number;
  readonly path: string;
  rss: number;
}

/** The mappings of a /proc/PID/smaps text with their Rss in bytes. */
export function parseSmaps(text: string): Mapping[] {
  const mappings: Mapping[] = [];
  let current: Mapping | undefined;
  for (const line of text.split('\n')) {
    const header = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (header) {
      current = { start: parseInt(header[1]!, 16), end: parseInt(header[2]!, 16), path: header[3]!, rss: 0 };
      mappings.push(current);
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB$/.exec(line);
    if (rss && current) current.rss = Number(rss[1]) * 1024;
  }
  return mappings;
}

export interface MappingKinds {
  /** `[heap]`: glibc's main arena, grown with brk(). */
  brkHeap: number;
  /** Runs of anonymous mappings that fill one 64 MiB-aligned 64 MiB reservation: glibc's thread arenas. */
  threadArenas: number;
  /** Other anonymous mappings: V8's heap pages, mmap()ed malloc blocks, thread stacks. */
  otherAnon: number;
  /** File-backed mappings (the node binary, libraries). */
  files: number;
  /** Named special mappings ([stack], [vdso], ...). */
  stacksAndOther: number;
}

/** RSS in bytes by kind of mapping. */
export function mappingKinds(mappings: readonly Mapping[]): MappingKinds {
  const kinds: MappingKinds = { brkHeap: 0, threadArenas: 0, otherAnon: 0, files: 0, stacksAndOther: 0 };
  for (let i = 0; i < mappings.length; i++) {
    const m = mappings[i]!;
    if (m.path === '[heap]') kinds.brkHeap += m.rss;
    else if (m.path.startsWith('/')) kinds.files += m.rss;
    else if (m.path !== '') kinds.stacksAndOther += m.rss;
    else if (m.start % ARENA_BYTES === 0) {
      let j = i;
      let end = m.end;
      while (end - m.start < ARENA_BYTES && mappings[j + 1]?.start === end && mappings[j + 1]?.path === '') {
        j++;
        end = mappings[j]!.end;
      }
      if (end - m.start === ARENA_BYTES) {
        for (let k = i; k <= j; k++) kinds.threadArenas += mappings[k]!.rss;
        i = j;
      } else kinds.otherAnon += m.rss;
    } else kinds.otherAnon += m.rss;
  }
  return kinds;
}

export interface MallocInfo {
  /** Bytes all arenas got from the system, and the free bytes kept inside them (bins, fast bins, top chunks). */
  readonly arenaSystem: number;
  readonly arenaFree: number;
  readonly arenas: number;
  /** The same two for the main arena (heap nr 0, the brk heap). */
  readonly mainSystem: number;
  readonly mainFree: number;
  /** Blocks glibc mmap()ed on their own, still held. */
  readonly mmapChunks: number;
  readonly mmapBytes: number;
}

/** glibc's malloc_info(0) XML; throws when it is not that. */
export function parseMallocInfo(xml: string): MallocInfo {
  const last = xml.lastIndexOf('</heap>');
  const firstEnd = xml.indexOf('</heap>');
  const mainStart = xml.indexOf('<heap nr="0">');
  if (!xml.startsWith('<malloc') || last === -1 || mainStart === -1) {
    throw new Error(`not a malloc_info document: ${JSON.stringify(xml.slice(0, 40))}`);
  }
  const tail = xml.slice(last);
  const main = xml.slice(mainStart, firstEnd);
  const attr = (text: string, tag: string, type: string, name: string): number => {
    const match = new RegExp(`<${tag} type="${type}"[^>]*?${name}="(\\d+)"`).exec(text);
    if (!match) throw new Error(`malloc_info: no <${tag} type="${type}" ${name}=...>`);
    return Number(match[1]);
  };
  return {
    arenaSystem: attr(tail, 'system', 'current', 'size'),
    arenaFree: attr(tail, 'total', 'fast', 'size') + attr(tail, 'total', 'rest', 'size'),
    arenas: (xml.match(/<heap nr=/g) ?? []).length,
    mainSystem: attr(main, 'system', 'current', 'size'),
    mainFree: attr(main, 'total', 'fast', 'size') + attr(main, 'total', 'rest', 'size'),
    mmapChunks: attr(tail, 'total', 'mmap', 'count'),
    mmapBytes: attr(tail, 'total', 'mmap', 'size'),
  };
}

/** `name value` lines printed by gdb's printf (the thresholds); NaN for a name gdb could not print. */
export function printedValue(output: string, name: string): number {
  const match = new RegExp(`^${name} (\\d+)$`, 'm').exec(output);
  return match ? Number(match[1]) : NaN;
}
