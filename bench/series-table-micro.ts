/**
 * The duplicate-series table (exposition/series-table.ts) alone: CPU time per 1M inserts of random series hashes
 * into tables of N series (1M / N fresh tables of N), so that the cost of a table that fits in the CPU's caches can
 * be told from one that does not. Behind the P1 limit in bench/RESULTS.md; not part of `npm run bench`.
 *
 *   npx tsx bench/series-table-micro.ts [--sizes 1000,10000,100000,1000000] [--rounds 3] [--presized]
 *
 * `--presized` allocates each table for its N series up front, as the parser does given a size hint.
 *
 * Prints one JSON line per table size: the median and min CPU nanoseconds per insert over the rounds.
 */
import { SeriesTable } from '../exposition/series-table.js';
import { argValue, argWhole, stats } from './lib.js';

const TOTAL = 1_000_000;

function hashes(n: number): { h1: Uint32Array; h2: Uint32Array } {
  const h1 = new Uint32Array(n);
  const h2 = new Uint32Array(n);
  let x = 12345;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    h1[i] = x;
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    h2[i] = x | 1;
  }
  return { h1, h2 };
}

const sizes = argValue('--sizes', '1000,10000,100000,1000000').split(',').map(Number);
// As argWhole does for the other scripts' flags: a RangeError naming the flag, before any work.
if (sizes.some((size) => !Number.isInteger(size) || size < 1 || size > TOTAL))
  throw new RangeError(`--sizes must be whole numbers from 1 to ${TOTAL}, comma-separated`);
const rounds = argWhole('--rounds', 3);
const presized = process.argv.includes('--presized');
for (const size of sizes) {
  const { h1, h2 } = hashes(size);
  const perInsert: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const before = process.cpuUsage();
    for (let k = 0; k < TOTAL / size; k++) {
      const table = new SeriesTable(presized ? size : 0);
      for (let i = 0; i < size; i++) table.add(h1[i]!, h2[i]!, i, i * 97, 97, Number.NaN);
    }
    const used = process.cpuUsage(before);
    perInsert.push(((used.user + used.system) * 1000) / TOTAL);
  }
  const s = stats(perInsert);
  console.log(JSON.stringify({ size, presized, medianNs: Math.round(s.median), minNs: Math.round(s.min) }));
}
