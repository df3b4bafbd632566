/**
 * R7: a 1 GB exposition (50 MB in `npm test`) streams through scrapelint's exposition source with every default
 * rule, in bounded memory: the body is never held, so the resident set grows with the series it tracks for
 * duplicate detection (about 34 bytes each, exposition/series-table.ts), not with the bytes read.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { resolveRules } from '../../lint/engine.js';
import { lintExposition } from '../../lint/sources/exposition.js';
import { figure, size } from './harness.js';

const TARGET_BYTES = size(50, 1024) * 2 ** 20;
/** Lines of about 1 KiB: label values padded as a bloated exporter would write them. */
const PAD = 'x'.repeat(900);
const SERIES_PER_FAMILY = 1000;

/** The exposition as 64 KiB chunks, generated as it is read; samples memory every 256 chunks. */
function* exposition(stats: { bytes: number; series: number; peakRss: number }): Generator<string> {
  let family = 0;
  let chunks = 0;
  while (stats.bytes < TARGET_BYTES) {
    let out = `# HELP bloat_${family}_total A family of a large exposition.\n# TYPE bloat_${family}_total counter\n`;
    for (let i = 0; i < SERIES_PER_FAMILY; i++) {
      out += `bloat_${family}_total{id="${i}",pad="${PAD}"} ${i}\n`;
      if (out.length >= 64 * 1024) {
        stats.bytes += out.length;
        yield out;
        out = '';
        if (++chunks % 256 === 0) stats.peakRss = Math.max(stats.peakRss, process.memoryUsage().rss);
      }
    }
    stats.series += SERIES_PER_FAMILY;
    family++;
    stats.bytes += out.length;
    if (out !== '') yield out;
  }
}

describe('R7 a very large exposition', () => {
  it(
    'streams through every default exposition rule with the resident set bounded far below its size',
    { timeout: size(120_000, 1_800_000) },
    async () => {
      const rules = resolveRules({}, 'exposition');
      const before = process.memoryUsage().rss;
      const stats = { bytes: 0, series: 0, peakRss: before };
      const started = Date.now();
      const result = await lintExposition(Readable.from(exposition(stats)) as AsyncIterable<string>, {
        filePath: 'huge.prom',
        format: 'text',
        rules,
      });
      const seconds = (Date.now() - started) / 1000;
      const growthMiB = (stats.peakRss - before) / 2 ** 20;
      figure('R7 large exposition streamed', {
        bytes: stats.bytes,
        series: stats.series,
        rules: rules.length,
        findings: result.findings.length,
        seconds,
        mibPerSecond: Math.round(stats.bytes / 2 ** 20 / seconds),
        rssGrowthPeakMiB: Math.round(growthMiB),
      });
      expect(stats.bytes).toBeGreaterThanOrEqual(TARGET_BYTES);
      expect(result.summary).toBeDefined();
      expect(result.findings.filter((f) => f.ruleId === 'parse-error')).toEqual([]);
      // Bounded: far below the input's size (50 MB / 1 GB); what grows is the series table, not the text.
      expect(growthMiB).toBeLessThan(size(64, 256));
    },
  );
});
