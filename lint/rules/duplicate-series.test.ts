import { describe, expect, it } from 'vitest';
import { lintExpositionText, positions } from '../sources/exposition-testing.js';
import { duplicateSeries } from './duplicate-series.js';

const lint = (text: string, input = {}) => lintExpositionText(duplicateSeries, text, {}, input);

describe('duplicate-series', () => {
  const valid: [string, string][] = [
    ['distinct label values', 'a{x="1"} 1\na{x="2"} 1\n'],
    ['distinct names', 'a 1\nb 1\n'],
    ['a label set that differs by one label', 'a{x="1"} 1\na{x="1",y="2"} 1\n'],
    [
      'histogram series that differ by le',
      '# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 2\nh_sum 3\nh_count 2\n',
    ],
  ];
  it.each(valid)('valid: %s', async (_name, text) => {
    expect(await lint(text)).toEqual([]);
  });

  it('reports a repeated series without timestamps as a duplicate, naming it and the first line', async () => {
    const findings = await lint(
      '# TYPE a gauge\na{job="x",instance="i"} 1\nb 2\na{instance="i",job="x"} 3\n',
    );
    expect(findings.map((f) => f.ruleId)).toEqual(['duplicate-series']);
    expect(positions(findings)).toEqual([['duplicate', 4, 1]]);
    expect(findings[0]?.severity).toBe('error');
    expect(findings[0]?.message).toBe(
      'Series a{instance="i",job="x"} appears again (first at line 2): Prometheus keeps the first sample and rejects this one as a duplicate, so its value is lost.',
    );
  });

  it('reports the same explicit timestamp as a duplicate and different ones as undefined behaviour', async () => {
    const findings = await lint('a 1 1000\na 2 1000\na 3 2000\n');
    expect(positions(findings)).toEqual([
      ['duplicate', 2, 1],
      ['differentTimestamps', 3, 1],
    ]);
    expect(findings[1]?.message).toContain('with a different timestamp: the exposition format leaves');
  });

  it('finds duplicates in OpenMetrics across chunk boundaries', async () => {
    const text = '# TYPE c counter\nc_total{a="b"} 1\nc_total{a="b"} 2\n# EOF\n';
    expect(positions(await lint(text, { chunkSize: 5 }))).toEqual([['duplicate', 3, 1]]);
  });

  it('escapes label values in the message and bounds its length', async () => {
    const long = 'v'.repeat(300);
    const findings = await lint(`a{q="x\\"y"} 1\na{q="x\\"y"} 1\nb{l="${long}"} 1\nb{l="${long}"} 1\n`);
    expect(findings[0]?.message).toContain('Series a{q="x\\"y"} appears again');
    expect(findings[1]?.message.length).toBeLessThan(420);
  });
});
