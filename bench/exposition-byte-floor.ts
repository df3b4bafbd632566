/**
 * A second floor, for the question "what would a byte-level design reach?": it scans the file's bytes (no string
 * decoding), checks the common sample line's characters against the grammar's classes, hashes each series (two
 * 32-bit lanes, label order ignored) into an open-addressing duplicate table sized up front, counts distinct
 * job/instance pairs, and builds no event at all. That is roughly the least a lint of this file must do
 * (count, duplicates, sources). bench/exposition-floor.ts is the floor of the event-per-sample design, with strings.
 *
 *   npx tsx bench/exposition-byte-floor.ts .cache/bench/exposition-1m.txt
 *
 * It accepts only the generated files' shape (comment lines are skipped unread; an escape or an unexpected byte
 * counts the line as `other`): it is a measuring stick, not a parser. Prints one JSON line like the other floor.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

const LF = 10;
const HASH = 35;
const QUOTE = 34;
const COMMA = 44;
const EQUALS = 61;
const OPEN = 123;
const CLOSE = 125;
const SPACE = 32;
const BACKSLASH = 92;
const ZERO = 48;
const NINE = 57;
const DOT = 46;

/** Per byte: 1 = may start a name ([a-zA-Z_:]), 2 = may continue one (also digits). */
const NAME_CLASS = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 58;
  NAME_CLASS[c] = letter ? 3 : c >= ZERO && c <= NINE ? 2 : 0;
}

let samples = 0;
let duplicates = 0;
let other = 0;
let comments = 0;
const sources = new Set<number>();

let capacity = 1 << 10;
let slots = new Int32Array(capacity * 2);
let used = 0;

function insert(h1: number, h2: number): boolean {
  const mask = capacity - 1;
  let slot = (h1 ^ (h2 >>> 11)) & mask;
  for (;;) {
    const at = slot * 2;
    const a = slots[at]!;
    if (a === 0 && slots[at + 1] === 0) {
      slots[at] = h1;
      slots[at + 1] = h2;
      used++;
      return true;
    }
    if (a === h1 && slots[at + 1] === h2) return false;
    slot = (slot + 1) & mask;
  }
}

function sizeFor(series: number): void {
  while (series * 4 > capacity * 3) capacity *= 2;
  slots = new Int32Array(capacity * 2);
}

/** One sample line, bytes [a, e) without the newline. */
function line(b: Uint8Array, a: number, e: number): void {
  if (b[a] === HASH) {
    comments++;
    return;
  }
  let i = a;
  if ((NAME_CLASS[b[i]!]! & 1) === 0) {
    other++;
    return;
  }
  let h1 = 0x811c9dc5;
  let h2 = 0x9747b28c;
  let c = b[i]!;
  while ((NAME_CLASS[c]! & 2) !== 0 || (NAME_CLASS[c]! & 1) !== 0) {
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    c = b[++i]!;
  }
  let source = 0;
  if (c === OPEN) {
    i++;
    let s1 = 0;
    let s2 = 0;
    while (b[i] !== CLOSE) {
      const nameStart = i;
      let n1 = 0x811c9dc5;
      while ((NAME_CLASS[b[i]!]! & 3) !== 0) n1 = Math.imul(n1 ^ b[i++]!, 0x01000193);
      if (b[i] !== EQUALS || b[i + 1] !== QUOTE || i === nameStart) {
        other++;
        return;
      }
      const nameLength = i - nameStart;
      i += 2;
      let v1 = n1;
      let v2 = n1 ^ 0x9747b28c;
      while ((c = b[i]!) !== QUOTE) {
        if (c === BACKSLASH || c === LF || i >= e) {
          other++;
          return;
        }
        v1 = Math.imul(v1 ^ c, 0x01000193);
        v2 = Math.imul(v2 ^ c, 0x5bd1e995);
        i++;
      }
      if (nameLength === 3 && b[nameStart] === 106) source = Math.imul(source ^ v1, 31);
      else if (nameLength === 8 && b[nameStart] === 105) source = Math.imul(source ^ v2, 37);
      s1 = (s1 + v1) | 0;
      s2 = (s2 + v2) | 0;
      i++;
      if (b[i] === COMMA) i++;
      else if (b[i] !== CLOSE) {
        other++;
        return;
      }
    }
    h1 ^= s1;
    h2 = Math.imul(h2 ^ s2, 0x5bd1e995);
    i++;
  }
  if (b[i] !== SPACE) {
    other++;
    return;
  }
  i++;
  if (b[i] === 45 || b[i] === 43) i++;
  while (i < e && b[i]! >= ZERO && b[i]! <= NINE) i++;
  if (b[i] === DOT) {
    i++;
    while (i < e && b[i]! >= ZERO && b[i]! <= NINE) i++;
  }
  if (i !== e) {
    other++;
    return;
  }
  samples++;
  sources.add(source);
  if (h1 === 0 && h2 === 0) h2 = 1;
  if (!insert(h1, h2)) duplicates++;
  else if (used * 4 > capacity * 3)
    throw new Error('the table was sized for fewer series than the file holds');
}

const file = process.argv[2];
if (file === undefined) {
  console.error('usage: exposition-byte-floor.ts FILE');
  process.exit(2);
}
const started = process.hrtime.bigint();
const cpuBefore = process.cpuUsage();
const fd = openSync(file, 'r');
sizeFor(Math.ceil(fstatSync(fd).size / 64));
const CHUNK = 1 << 20;
const buffer = Buffer.allocUnsafe(CHUNK * 2);
let carry = 0;
for (;;) {
  const read = readSync(fd, buffer, carry, CHUNK, null);
  if (read === 0) break;
  const end = carry + read;
  let from = 0;
  for (let nl = buffer.indexOf(LF, from); nl !== -1 && nl < end; nl = buffer.indexOf(LF, from)) {
    line(buffer, from, nl);
    from = nl + 1;
  }
  if (end - from > CHUNK) throw new Error('a line longer than 1 MiB: not the generated file');
  buffer.copy(buffer, 0, from, end);
  carry = end - from;
}
closeSync(fd);
const cpu = process.cpuUsage(cpuBefore);
console.log(
  JSON.stringify({
    ms: Number(process.hrtime.bigint() - started) / 1e6,
    cpuMs: (cpu.user + cpu.system) / 1000,
    samples,
    duplicates,
    sources: sources.size,
    comments,
    other,
    maxRssKiB: process.resourceUsage().maxRSS,
  }),
);
