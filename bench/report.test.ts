import { describe, expect, it } from 'vitest';
import { quantile, stats, type Machine } from './lib.js';
import { histogramBuckets, histogramQuantile } from './p5-delay.js';
import {
  FINDINGS_END,
  FINDINGS_START,
  formatNumber,
  formatStats,
  keptFindings,
  renderComparison,
  renderResults,
} from './report.js';
import { ratioOf, type ComparisonResult } from './result.js';
import { parseOnly, parseReps } from './run.js';

const machine: Machine = {
  cpu: 'Test CPU',
  cores: 2,
  memoryGiB: 8,
  node: 'v20.0.0',
  promtool: '2.42.0',
  pushgateway: '1.5.1',
  kcat: '1.7.1',
  kafka: '4.0.0',
  loadAverage: [1, 2, 3],
};

const result: ComparisonResult = {
  id: 'P2',
  title: 'scrape',
  date: '2026-01-01T00:00:00.000Z',
  smoke: false,
  reps: 5,
  machine,
  commands: ['curl http://127.0.0.1/metrics'],
  rows: [
    {
      what: 'scrape 96,000 series | gzip',
      unit: 'ms',
      ours: { tool: 'exposer', value: stats([10, 12, 11]) },
      peer: { tool: 'Pushgateway', value: stats([300, 310, 290]) },
      ratio: 300 / 11,
      ratioLabel: 'x faster',
    },
  ],
  targets: [
    { target: '>= 3x faster', measured: '27x', met: true },
    { target: '1M in <= 1 s', measured: '1.5 s', met: false },
    { target: 'peer at 1M', measured: 'not run', met: null },
  ],
  notes: ['a note'],
  seconds: 12,
  raw: {},
};

describe('statistics', () => {
  it('takes the median, min and max of finite values only', () => {
    expect(stats([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3, n: 3 });
    expect(stats([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4, n: 4 });
    expect(stats([1, NaN, Infinity, 5])).toEqual({ median: 3, min: 1, max: 5, n: 2 });
    expect(stats([]).n).toBe(0);
    expect(stats([]).median).toBeNaN();
  });

  it('takes quantiles by nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(quantile(values, 0.99)).toBe(99);
    expect(quantile(values, 0.5)).toBe(50);
    expect(quantile(values, 1)).toBe(100);
    expect(quantile(values, 0)).toBe(1);
    expect(quantile([], 0.5)).toBeNaN();
  });

  it('has no ratio for a zero or unknown denominator', () => {
    expect(ratioOf(10, 2)).toBe(5);
    expect(ratioOf(10, 0)).toBeNaN();
    expect(ratioOf(NaN, 2)).toBeNaN();
  });
});

describe('histogram quantile', () => {
  const body = (counts: number[]) =>
    [
      '# TYPE d histogram',
      `d_bucket{le="0.01"} ${counts[0]}`,
      `d_bucket{le="0.1"} ${counts[1]}`,
      `d_bucket{le="+Inf"} ${counts[2]}`,
      `d_count ${counts[2]}`,
      '',
    ].join('\n');

  it('reads the buckets of one histogram', () => {
    expect([...histogramBuckets(body([1, 2, 3]), 'd')]).toEqual([
      [0.01, 1],
      [0.1, 2],
      [Infinity, 3],
    ]);
    expect(histogramBuckets(body([1, 2, 3]), 'other').size).toBe(0);
  });

  it('interpolates within the bucket over the increase between two readings', () => {
    const before = histogramBuckets(body([10, 10, 10]), 'd');
    const after = histogramBuckets(body([60, 110, 110]), 'd');
    // 100 new observations: 50 up to 10 ms, 50 between 10 and 100 ms; p99 is 98 % of the way into the second.
    expect(histogramQuantile(0.99, before, after)).toBeCloseTo(0.01 + 0.09 * (49 / 50));
    expect(histogramQuantile(0.5, before, after)).toBeCloseTo(0.01);
  });

  it('answers the highest finite bound when the quantile is in +Inf, and NaN without observations', () => {
    const none = histogramBuckets(body([0, 0, 0]), 'd');
    expect(histogramQuantile(0.99, none, histogramBuckets(body([0, 0, 10]), 'd'))).toBe(0.1);
    expect(histogramQuantile(0.99, none, none)).toBeNaN();
  });
});

describe('RESULTS.md', () => {
  it('formats numbers and statistics for tables', () => {
    expect(formatNumber(1234567)).toBe('1,234,567');
    expect(formatNumber(12.345)).toBe('12.3');
    expect(formatNumber(0.01234)).toBe('0.012');
    expect(formatNumber(NaN)).toBe('–');
    expect(formatStats(stats([1, 2, 3]))).toBe('2 (1–3)');
    expect(formatStats(stats([7]))).toBe('7');
    expect(formatStats(stats([]))).toBe('–');
  });

  it('renders a comparison: commands, a row per measure with the ratio, targets with verdicts', () => {
    const text = renderComparison(result);
    expect(text).toContain('## P2: scrape');
    expect(text).toContain('curl http://127.0.0.1/metrics');
    expect(text).toContain(
      '| scrape 96,000 series \\| gzip | ms | exposer: 11 (10–12) | Pushgateway: 300 (290–310) | 27.3 x faster |',
    );
    expect(text).toContain('| >= 3x faster | 27x | **met** |');
    expect(text).toContain('| 1M in <= 1 s | 1.5 s | **not met** |');
    expect(text).toContain('| peer at 1M | not run | not measured |');
    expect(text).toContain('- a note');
  });

  it('keeps the hand-written findings of the previous report', () => {
    const previous = `# old\n${FINDINGS_START}\nP2 is fast because...\n${FINDINGS_END}\nold tables`;
    const text = renderResults([result], undefined, previous);
    expect(text).toContain(`${FINDINGS_START}\nP2 is fast because...\n${FINDINGS_END}`);
    expect(text).not.toContain('old tables');
    expect(text).toContain('| CPU | Test CPU, 2 cores |');
    expect(text).toContain('| P2 | >= 3x faster | 27x | **met** |');
  });

  it('starts the findings anew when there is no previous report or its markers are broken', () => {
    expect(keptFindings(undefined)).toContain('_No findings recorded yet._');
    expect(keptFindings(`${FINDINGS_END} then ${FINDINGS_START}`)).toContain('_No findings recorded yet._');
  });
});

describe('command line', () => {
  it('accepts known stages and rejects anything else', () => {
    expect(parseOnly('P1,P3')).toEqual(['P1', 'P3']);
    expect(parseOnly(' P5 , profile ')).toEqual(['P5', 'profile']);
    expect(() => parseOnly('P6')).toThrow(/expected a comma-separated list of P1, P2, P3, P4, P5, profile/);
    expect(() => parseOnly(',')).toThrow(/expected a comma-separated list/);
  });

  it('accepts 1 to 50 repetitions', () => {
    expect(parseReps('5')).toBe(5);
    for (const bad of ['0', '-1', '2.5', 'x', '51', ''])
      expect(() => parseReps(bad), bad).toThrow(/whole number/);
  });
});
