/**
 * Differential fuzzing of the text 0.0.4 parser against promtool (`promtool check metrics`, client_golang's expfmt
 * text parser). A seeded, grammar-aware mutator turns valid expositions (the corpus, or generated realistic ones)
 * into near-misses; each input goes to promtool and to the parser, and the two verdicts must agree.
 *
 * promtool's verdict: exit 1 with "text format parsing error" = rejected; exit 0 (clean) or 3 (lint problems) =
 * parsed; anything else (a crash, a kill) is `error`, never counted as agreement. The parser's verdict: parsed
 * when it reports no diagnostic.
 *
 * Quoted UTF-8 names (`{"my.metric"}`, Prometheus 3) are accepted by the parser and predate promtool 2.42: an input
 * that promtool rejects at a line where the parser read a quoted name is classed `newer`, not a divergence.
 */
import { spawn } from 'node:child_process';
import { ExpositionParser } from './parse.js';
import type { ParseErrorCode } from './types.js';

export const PROMTOOL = '/usr/bin/promtool';

export interface PromtoolVerdict {
  readonly status: 'parsed' | 'rejected' | 'error';
  readonly exitCode: number;
  /** The 1-based line of a "text format parsing error", when promtool names one. */
  readonly line?: number;
  /** stdout and stderr, trimmed. */
  readonly output: string;
}

export interface ParserVerdict {
  readonly status: 'parsed' | 'rejected';
  readonly errors: number;
  readonly first?: { readonly code: ParseErrorCode; readonly line: number; readonly message: string };
  /** Lines (1-based) where a name was written quoted (Prometheus 3 syntax). */
  readonly quotedNameLines: readonly number[];
}

export type Outcome = 'agree' | 'diverge' | 'newer' | 'promtool-error';

export interface DiffResult {
  readonly input: Buffer;
  readonly promtool: PromtoolVerdict;
  readonly parser: ParserVerdict;
  readonly outcome: Outcome;
}

/** Runs `promtool check metrics` on one input; kills it after `timeoutMs` (an `error` verdict). */
export function runPromtool(
  input: Buffer,
  promtool = PROMTOOL,
  timeoutMs = 10_000,
): Promise<PromtoolVerdict> {
  return new Promise((resolve) => {
    const child = spawn(promtool, ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let spawnError = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d: Buffer) => chunks.push(d));
    child.stderr.on('data', (d: Buffer) => chunks.push(d));
    // A promtool that exits before reading all of stdin closes the pipe: not an error of the input.
    child.stdin.on('error', () => undefined);
    child.on('error', (e) => (spawnError = e.message));
    child.on('close', (code) => {
      clearTimeout(timer);
      const exitCode = code ?? -1;
      const output = (Buffer.concat(chunks).toString('utf8') + spawnError).trim();
      const m = /text format parsing error in line (\d+)/.exec(output);
      if (exitCode === 1 && m !== null) resolve({ status: 'rejected', exitCode, line: Number(m[1]), output });
      else if (exitCode === 0 || exitCode === 3) resolve({ status: 'parsed', exitCode, output });
      else resolve({ status: 'error', exitCode, output });
    });
    child.stdin.end(input);
  });
}

/** Parses one input as text 0.0.4 and returns the verdict. */
export function parserVerdict(input: Buffer): ParserVerdict {
  let errors = 0;
  let first: ParserVerdict['first'];
  const quoted = new Set<number>();
  let text = '';
  const parser = new ExpositionParser({ format: 'text' }, (event) => {
    if (event.kind === 'diagnostic') {
      if (errors++ === 0) first = { code: event.code, line: event.line, message: event.message };
    } else if (event.kind === 'sample') {
      if (text.charCodeAt(event.nameRange.start) === 0x22) quoted.add(event.line);
      for (const l of event.labels) if (text.charCodeAt(l.nameRange.start) === 0x22) quoted.add(event.line);
    } else if (event.kind === 'help' || event.kind === 'type') {
      if (text.charCodeAt(event.familyRange.start) === 0x22) quoted.add(event.line);
    }
  });
  // Offsets are into the decoded input: decode once the way the parser does (UTF-8, replacement characters).
  text = input.toString('utf8');
  parser.write(input);
  parser.end();
  const quotedNameLines = [...quoted].sort((a, b) => a - b);
  return first === undefined
    ? { status: 'parsed', errors, quotedNameLines }
    : { status: 'rejected', errors, first, quotedNameLines };
}

export function classify(promtool: PromtoolVerdict, parser: ParserVerdict): Outcome {
  if (promtool.status === 'error') return 'promtool-error';
  if (promtool.status === parser.status) return 'agree';
  if (
    promtool.status === 'rejected' &&
    parser.status === 'parsed' &&
    promtool.line !== undefined &&
    parser.quotedNameLines.includes(promtool.line)
  )
    return 'newer';
  return 'diverge';
}

/** Both verdicts on one input. */
export async function diffOne(input: Buffer, promtool = PROMTOOL): Promise<DiffResult> {
  const p = await runPromtool(input, promtool);
  const ours = parserVerdict(input);
  return { input, promtool: p, parser: ours, outcome: classify(p, ours) };
}

/** Runs `diffOne` on every input, at most `concurrency` promtool processes at a time, in input order. */
export async function diffAll(
  inputs: readonly Buffer[],
  options: { concurrency?: number; promtool?: string; onResult?: (r: DiffResult, i: number) => void } = {},
): Promise<DiffResult[]> {
  const results: DiffResult[] = new Array<DiffResult>(inputs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < inputs.length) {
      const i = next++;
      const r = await diffOne(inputs[i]!, options.promtool);
      results[i] = r;
      options.onResult?.(r, i);
    }
  };
  const n = Math.max(1, Math.min(options.concurrency ?? 2, inputs.length));
  await Promise.all(Array.from({ length: n }, worker));
  return results;
}

// ---------------------------------------------------------------------------------------------------------------
// The seeded generator and mutator.

/** A small seeded PRNG (mulberry32): the same seed gives the same cases on every machine. */
export class Rng {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }
  /** A float in [0, 1). */
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

const NAMES = [
  'http_requests_total',
  'up',
  'process_cpu_seconds_total',
  'go_gc_duration_seconds',
  'a',
  'x:y_z',
];
const LABEL_NAMES = ['job', 'instance', 'method', 'code', '_x', 'a1'];
const LABEL_VALUES = [
  'api',
  '10.0.0.1:8080',
  'GET',
  '200',
  '',
  'a\\"b',
  'line\\nbreak',
  'back\\\\slash',
  'ünï',
  '😀',
];
const VALUES = ['0', '1', '-1', '3.14', '1e3', '-2.5E-7', '+Inf', '-Inf', 'NaN', 'nan', '.5', '5.'];
const ODD_VALUES = ['0x1p-2', '0x1F', '1_000', 'Infinity1', '--1', '1e', 'NaN '];
const TIMESTAMPS = ['1700000000000', '-1', '0', '+5', '9223372036854775807'];
const ODD_TIMESTAMPS = ['1.5', '1e3', '9223372036854775808', '0x10', ''];
const TYPES = [
  'counter',
  'gauge',
  'histogram',
  'summary',
  'untyped',
  'COUNTER',
  'info',
  'unknown',
  'stateset',
];
const HELPS = [
  'Total requests.',
  'A \\\\ backslash and a \\n newline.',
  '',
  'Ünïcödé help',
  'quote " inside',
];

/** Mostly from `usual`, now and then (5 %) from `odd`: realistic input with a few near-misses built in. */
function token(rng: Rng, usual: readonly string[], odd: readonly string[]): string {
  return rng.chance(0.05) ? rng.pick(odd) : rng.pick(usual);
}

function labelSet(rng: Rng, extra: readonly string[] = []): string {
  const parts = [...extra];
  const names = new Set<string>();
  const n = rng.int(3);
  for (let i = 0; i < n; i++) {
    const name = rng.chance(0.05) ? rng.pick(['le', 'quantile']) : rng.pick(LABEL_NAMES);
    if (names.has(name)) continue;
    names.add(name);
    parts.push(`${name}="${rng.pick(LABEL_VALUES)}"`);
  }
  if (parts.length === 0) return rng.chance(0.2) ? '{}' : '';
  return `{${parts.join(',')}${rng.chance(0.15) ? ',' : ''}}`;
}

function sampleLine(rng: Rng, name: string, extra: readonly string[] = [], value?: string): string {
  const ts = rng.chance(0.2) ? ` ${token(rng, TIMESTAMPS, ODD_TIMESTAMPS)}` : '';
  return `${name}${labelSet(rng, extra)} ${value ?? token(rng, VALUES, ODD_VALUES)}${ts}`;
}

/** A realistic exposition: a few families of every type, with HELP/TYPE, labels, escapes and timestamps. */
export function generateExposition(rng: Rng): string {
  const lines: string[] = [];
  const families = 1 + rng.int(3);
  for (let f = 0; f < families; f++) {
    const name = `${rng.pick(NAMES)}${rng.chance(0.3) ? `_${f}` : ''}`;
    const type = rng.pick(['counter', 'gauge', 'histogram', 'summary', 'untyped', 'none'] as const);
    if (rng.chance(0.7)) lines.push(`# HELP ${name} ${rng.pick(HELPS)}`);
    if (type !== 'none') lines.push(`# TYPE ${name} ${type}`);
    if (rng.chance(0.1)) lines.push(rng.pick(['', '# a comment', '#', '#  TYPE lower']));
    if (type === 'histogram') {
      for (const le of ['0.1', '1', rng.pick(['+Inf', 'Inf', '+inf'])])
        lines.push(sampleLine(rng, `${name}_bucket`, [`le="${le}"`], String(rng.int(100))));
      lines.push(sampleLine(rng, `${name}_sum`), sampleLine(rng, `${name}_count`, [], String(rng.int(100))));
    } else if (type === 'summary') {
      for (const q of ['0.5', '0.99']) lines.push(sampleLine(rng, name, [`quantile="${q}"`]));
      lines.push(sampleLine(rng, `${name}_sum`), sampleLine(rng, `${name}_count`, [], String(rng.int(100))));
    } else {
      const n = 1 + rng.int(3);
      for (let i = 0; i < n; i++) lines.push(sampleLine(rng, name));
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Characters drawn from the grammar's alphabet, as bytes (some invalid UTF-8). */
const ALPHABET: readonly (readonly number[])[] = [
  ...'{}=",\\ \n\t#0123456789e+-._:aAzZ\r'.split('').map((c) => [c.charCodeAt(0)]),
  [...Buffer.from('NaN')],
  [...Buffer.from('Inf')],
  [...Buffer.from('+Inf')],
  [...Buffer.from('ü')],
  [...Buffer.from('😀')],
  [...Buffer.from('\u00a0')],
  [...Buffer.from('\ufeff')],
  [0xff],
  [0xc3],
  [0xed, 0xa0, 0x80],
  [0xc0, 0x80],
  [0x00],
  [0x0b],
  [0x0c],
  [...Buffer.from('# HELP ')],
  [...Buffer.from('# TYPE ')],
  [...Buffer.from('_bucket')],
  [...Buffer.from('le="')],
  [...Buffer.from('quantile="')],
];

const SUFFIXES = ['_bucket', '_sum', '_count', '_total', '_created', '_info'];

const TYPE_WORD = /^(# *TYPE +\S+ +)(\S*)/;

function lines(b: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < b.length; i++) {
    if (b[i] === 0x0a) {
      out.push(b.subarray(start, i + 1));
      start = i + 1;
    }
  }
  if (start < b.length) out.push(b.subarray(start));
  return out;
}

/** One mutation, chosen by the PRNG. `donors` supplies lines to splice in. */
export function mutateOnce(input: Buffer, rng: Rng, donors: readonly Buffer[] = []): Buffer {
  const at = rng.int(input.length + 1);
  const len = 1 + rng.int(Math.min(4, Math.max(1, input.length - at)));
  const ls = lines(input);
  switch (rng.int(15)) {
    case 0:
    case 1: // insert from the alphabet
      return Buffer.concat([input.subarray(0, at), Buffer.from(rng.pick(ALPHABET)), input.subarray(at)]);
    case 2: // replace one byte with one from the alphabet
      return Buffer.concat([input.subarray(0, at), Buffer.from(rng.pick(ALPHABET)), input.subarray(at + 1)]);
    case 3: // delete a short range
      return Buffer.concat([input.subarray(0, at), input.subarray(at + len)]);
    case 4: // duplicate a short range
      return Buffer.concat([
        input.subarray(0, at + len),
        input.subarray(at, at + len),
        input.subarray(at + len),
      ]);
    case 5: {
      // swap two adjacent bytes
      if (at + 1 >= input.length) return input;
      const b = Buffer.from(input);
      const t = b[at]!;
      b[at] = b[at + 1]!;
      b[at + 1] = t;
      return b;
    }
    case 6: {
      // duplicate a line
      if (ls.length === 0) return input;
      const i = rng.int(ls.length);
      return Buffer.concat([...ls.slice(0, i + 1), ls[i]!, ...ls.slice(i + 1)]);
    }
    case 7: {
      // delete a line
      if (ls.length === 0) return input;
      const i = rng.int(ls.length);
      return Buffer.concat([...ls.slice(0, i), ...ls.slice(i + 1)]);
    }
    case 8: {
      // swap two lines
      if (ls.length < 2) return input;
      const i = rng.int(ls.length);
      const j = rng.int(ls.length);
      const out = [...ls];
      out[i] = ls[j]!;
      out[j] = ls[i]!;
      return Buffer.concat(out);
    }
    case 9: {
      // change a TYPE word
      const i = ls.findIndex((l) => TYPE_WORD.test(l.toString('latin1')));
      if (i < 0) return input;
      const word = rng.pick([...TYPES, 'gaugehistogram', 'GAUGE_HISTOGRAM', '', 'counter x', 'Counter']);
      const out = [...ls];
      out[i] = Buffer.from(ls[i]!.toString('latin1').replace(TYPE_WORD, `$1${word}`), 'latin1');
      return Buffer.concat(out);
    }
    case 10: {
      // splice in a line from a donor
      if (donors.length === 0) return input;
      const dl = lines(rng.pick(donors));
      if (dl.length === 0) return input;
      const i = rng.int(ls.length + 1);
      return Buffer.concat([...ls.slice(0, i), rng.pick(dl), ...ls.slice(i)]);
    }
    case 12:
    case 13: {
      // HELP or TYPE for a name the input uses, or for it with a suffix added or taken off, anywhere
      const names = ls.flatMap((l) => {
        const m = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(l.toString('latin1'));
        return m === null ? [] : [m[0]];
      });
      if (names.length === 0) return input;
      const name = rng.pick(names);
      const suffix = rng.pick(SUFFIXES);
      const target = rng.chance(0.5)
        ? `${name}${suffix}`
        : name.endsWith(suffix)
          ? name.slice(0, -suffix.length)
          : name;
      const line = rng.chance(0.5)
        ? `# TYPE ${target} ${rng.pick(TYPES)}\n`
        : `# HELP ${target} ${rng.pick(HELPS)}\n`;
      const i = rng.int(ls.length + 1);
      return Buffer.concat([...ls.slice(0, i), Buffer.from(line), ...ls.slice(i)]);
    }
    case 14: // append a whole donor: families meet other families' metadata and samples
      return donors.length === 0 ? input : Buffer.concat([input, rng.pick(donors)]);
    default: {
      // replace a token (a value, a timestamp) with another
      const token = Buffer.from(
        rng.pick([...VALUES, ...ODD_VALUES, ...TIMESTAMPS, ...ODD_TIMESTAMPS, 'Inf', '-nan', 'infinity']),
      );
      const sp = input.indexOf(0x20, at);
      if (sp < 0) return input;
      let end = sp + 1;
      while (end < input.length && input[end] !== 0x20 && input[end] !== 0x0a) end++;
      return Buffer.concat([input.subarray(0, sp + 1), token, input.subarray(end)]);
    }
  }
}

/**
 * `count` inputs from `seeds` (and generated expositions), each with one to `maxMutations` (default 3) mutations,
 * one in ten left as it is; deterministic.
 */
export function generateCases(
  seed: number,
  count: number,
  seeds: readonly Buffer[],
  maxMutations = 3,
): Buffer[] {
  const rng = new Rng(seed);
  const out: Buffer[] = [];
  for (let k = 0; k < count; k++) {
    let b =
      seeds.length > 0 && rng.chance(0.5) ? rng.pick(seeds) : Buffer.from(generateExposition(rng), 'utf8');
    const n = rng.chance(0.1) ? 0 : 1 + rng.int(maxMutations);
    for (let m = 0; m < n; m++) b = mutateOnce(b, rng, seeds);
    out.push(b);
  }
  return out;
}

/**
 * Delta debugging: the smallest input (by lines, then by bytes) on which `stillFails` holds, found by removing
 * chunks while it keeps holding. `stillFails` runs at most `budget` times.
 */
export async function minimise(
  input: Buffer,
  stillFails: (b: Buffer) => Promise<boolean>,
  budget = 400,
): Promise<Buffer> {
  let current = input;
  let runs = 0;
  const shrink = async (units: (b: Buffer) => Buffer[]): Promise<void> => {
    let parts = units(current);
    let n = 2;
    while (parts.length >= 2 && runs < budget) {
      const size = Math.ceil(parts.length / n);
      let reduced = false;
      for (let i = 0; i < parts.length && runs < budget; i += size) {
        const candidate = Buffer.concat([...parts.slice(0, i), ...parts.slice(i + size)]);
        runs++;
        if (await stillFails(candidate)) {
          current = candidate;
          parts = units(current);
          n = Math.max(n - 1, 2);
          reduced = true;
          break;
        }
      }
      if (!reduced) {
        if (n >= parts.length) break;
        n = Math.min(n * 2, parts.length);
      }
    }
  };
  await shrink(lines);
  await shrink((b) => Array.from(b, (x) => Buffer.from([x])));
  return current;
}

/** An input JSON-escaped: as UTF-8 when it is valid UTF-8, else byte per character (latin1), and said so. */
export function showInput(input: Buffer): string {
  const text = input.toString('utf8');
  return Buffer.from(text, 'utf8').equals(input)
    ? JSON.stringify(text)
    : `${JSON.stringify(input.toString('latin1'))} (bytes as latin1: not valid UTF-8)`;
}

/** One result for a report: the input JSON-escaped and both verdicts. */
export function describeResult(r: DiffResult): string {
  const ours =
    r.parser.first === undefined
      ? 'parsed'
      : `rejected (${r.parser.first.code} line ${r.parser.first.line}: ${r.parser.first.message})`;
  const output = r.promtool.output.replace(/\n/g, ' | ');
  return `${showInput(r.input)}\n  promtool: ${r.promtool.status} (exit ${r.promtool.exitCode}: ${output})\n  parser:   ${ours}`;
}
