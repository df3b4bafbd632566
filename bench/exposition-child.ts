/**
 * The parser alone on one file, in its own process so that its peak RSS is its own: prints one JSON line
 * `{ ms, cpuMs, samples, errors, facts, maxRssKiB }`. Used by bench/exposition.ts.
 *
 *   npx tsx bench/exposition-child.ts FILE [--no-duplicates] [--no-size-hint]
 *
 * The file's size is passed as the parser's sizeHint, as scrapelint does for a file or a redirected stdin
 * (`--no-size-hint` leaves the duplicate table to grow as series arrive).
 */
import { createReadStream, statSync } from 'node:fs';
import { ExpositionParser } from '../exposition/index.js';

const file = process.argv[2];
if (file === undefined) {
  console.error('usage: exposition-child.ts FILE [--no-duplicates] [--no-size-hint]');
  process.exit(2);
}
const started = process.hrtime.bigint();
const cpuBefore = process.cpuUsage();
let events = 0;
const stat = statSync(file);
const sizeHint = stat.isFile() && !process.argv.includes('--no-size-hint') ? stat.size : undefined;
const parser = new ExpositionParser(
  {
    trackDuplicates: !process.argv.includes('--no-duplicates'),
    ...(sizeHint === undefined ? {} : { sizeHint }),
  },
  () => {
    events++;
  },
);
for await (const chunk of createReadStream(file, { highWaterMark: 1 << 16 })) parser.write(chunk as Buffer);
const summary = parser.end();
const ms = Number(process.hrtime.bigint() - started) / 1e6;
const cpu = process.cpuUsage(cpuBefore);
console.log(
  JSON.stringify({
    ms,
    cpuMs: (cpu.user + cpu.system) / 1000,
    events,
    samples: summary.samples,
    errors: summary.errors,
    facts: summary.facts ?? 0,
    maxRssKiB: process.resourceUsage().maxRSS,
  }),
);
