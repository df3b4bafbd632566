/**
 * A floor for the exposition parser's speed in this runtime: the least work any parser that reports samples
 * must do on an exposer-style file (split lines, slice the name and each label value while hashing it, parse the
 * number, build one event with its labels), with no validation, no positions and no duplicate table. It reads
 * the file as bench/exposition-child.ts does and prints the same JSON line, so the two compare directly:
 *
 *   npx tsx bench/exposition-floor.ts .cache/bench/exposition-1m.txt
 *   npx tsx bench/exposition-child.ts .cache/bench/exposition-1m.txt --no-duplicates
 *
 * It accepts only the generated files' shape (no escapes, no timestamps): it is a measuring stick, not a parser.
 */
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

const OPEN = 123;
const CLOSE = 125;
const SPACE = 32;
const EQUALS = 61;
const QUOTE = 34;
const COMMA = 44;
const HASH = 35;

interface FloorLabel {
  readonly name: string;
  readonly value: string;
}

let samples = 0;
let checksum = 0;

function scanLine(s: string, a: number, b: number): void {
  let i = a;
  while (i < b && s.charCodeAt(i) !== OPEN && s.charCodeAt(i) !== SPACE) i++;
  const name = s.slice(a, i);
  const labels: FloorLabel[] = [];
  let h1 = 0;
  let h2 = 0;
  if (s.charCodeAt(i) === OPEN) {
    i++;
    while (i < b && s.charCodeAt(i) !== CLOSE) {
      const ns = i;
      while (i < b && s.charCodeAt(i) !== EQUALS) i++;
      const labelName = s.slice(ns, i);
      i += 2;
      const vs = i;
      let v1 = 0x811c9dc5;
      let v2 = 0x9747b28c;
      let c: number;
      while (i < b && (c = s.charCodeAt(i)) !== QUOTE) {
        v1 = Math.imul(v1 ^ c, 0x01000193);
        v2 = Math.imul(v2 ^ c, 0x5bd1e995);
        i++;
      }
      h1 = (h1 + v1) >>> 0;
      h2 = (h2 + v2) >>> 0;
      labels.push({ name: labelName, value: s.slice(vs, i) });
      i++;
      if (s.charCodeAt(i) === COMMA) i++;
    }
    i++;
  }
  i++;
  const event = { kind: 'sample', name, labels, value: Number(s.slice(i, b - 1)), h1, h2 };
  samples++;
  checksum += event.labels.length + (event.h1 & 1);
}

const file = process.argv[2];
if (file === undefined) {
  console.error('usage: exposition-floor.ts FILE');
  process.exit(2);
}
const started = process.hrtime.bigint();
const cpuBefore = process.cpuUsage();
const decoder = new StringDecoder('utf8');
let pending = '';
for await (const chunk of createReadStream(file, { highWaterMark: 1 << 16 })) {
  const text = decoder.write(chunk as Buffer);
  let from = 0;
  if (pending.length > 0) {
    const nl = text.indexOf('\n');
    if (nl === -1) {
      pending += text;
      continue;
    }
    const joined = pending + text.slice(0, nl + 1);
    if (joined.charCodeAt(0) !== HASH) scanLine(joined, 0, joined.length);
    from = nl + 1;
  }
  for (let nl = text.indexOf('\n', from); nl !== -1; nl = text.indexOf('\n', from)) {
    if (text.charCodeAt(from) !== HASH) scanLine(text, from, nl + 1);
    from = nl + 1;
  }
  pending = text.slice(from);
}
const cpu = process.cpuUsage(cpuBefore);
console.log(
  JSON.stringify({
    ms: Number(process.hrtime.bigint() - started) / 1e6,
    cpuMs: (cpu.user + cpu.system) / 1000,
    samples,
    checksum,
    maxRssKiB: process.resourceUsage().maxRSS,
  }),
);
