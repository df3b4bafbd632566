import { describe, expect, it } from 'vitest';
import { RuleOptionsError } from '../sources/configured-rule.js';
import { lintExpositionText, positions } from '../sources/exposition-testing.js';
import { timestampedSamples } from './timestamped-samples.js';

const lint = (text: string, options: unknown = {}, input = {}) =>
  lintExpositionText(timestampedSamples, text, options, input);

describe('timestamped-samples', () => {
  const valid: [string, string][] = [
    ['no timestamps', '# TYPE a gauge\na 1\na{x="y"} 2\n'],
    ['an empty exposition', ''],
    [
      'an exemplar timestamp is not a sample timestamp',
      'a_total 1 # {trace_id="1"} 1 1700000000.000\n# EOF\n',
    ],
  ];
  it.each(valid)('valid: %s', async (_name, text) => {
    expect(await lint(text)).toEqual([]);
  });

  it('reports each of the first samples at its timestamp', async () => {
    const findings = await lint('# TYPE a gauge\na 1 1700000000000\na{x="y"} 2 1700000000000\n');
    expect(findings.map((f) => f.ruleId)).toEqual(['timestamped-samples', 'timestamped-samples']);
    expect(positions(findings)).toEqual([
      ['timestamped', 2, 5],
      ['timestamped', 3, 12],
    ]);
    expect(findings[0]).toMatchObject({ endLine: 2, endColumn: 18, severity: 'warn' });
    expect(findings[0]?.message).toContain('Sample a carries an explicit timestamp');
    expect(findings[0]?.message).toContain('staleness');
  });

  it('reports the first few, then one summary at the first unreported sample', async () => {
    const lines = Array.from({ length: 9 }, (_, i) => `m{i="${i}"} ${i} 1700000000000`);
    const findings = await lint(['# TYPE m gauge', 'other 1', ...lines, ''].join('\n'), { maxReported: 3 });
    expect(positions(findings)).toEqual([
      ['timestamped', 3, 12],
      ['timestamped', 4, 12],
      ['timestamped', 5, 12],
      ['more', 6, 12],
    ]);
    expect(findings[3]?.message).toBe(
      '6 more samples carry explicit timestamps, the first of them here (9 of 10 samples in all): none of their series gets staleness markers.',
    );
  });

  it('counts OpenMetrics float-second timestamps too, across chunk boundaries', async () => {
    const text = '# TYPE a gauge\na 1 1700000000.5\na{b="c"} 2\n# EOF\n';
    expect(positions(await lint(text, {}, { chunkSize: 3 }))).toEqual([['timestamped', 2, 5]]);
  });

  it('maxReported 0 gives the summary only', async () => {
    expect(positions(await lint('a 1 1\nb 1 2\n', { maxReported: 0 }))).toEqual([['more', 1, 5]]);
  });

  it('rejects invalid options', async () => {
    await expect(lint('a 1\n', { maxReported: -1 })).rejects.toThrow(RuleOptionsError);
    await expect(lint('a 1\n', { maxReported: 'many' })).rejects.toThrow(/timestamped-samples/);
    await expect(lint('a 1\n', { other: 1 })).rejects.toThrow(RuleOptionsError);
  });
});
