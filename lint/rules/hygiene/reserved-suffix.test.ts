import { describe, expect, it } from 'vitest';
import { lintExpositionText, positions } from '../../sources/exposition-testing.js';
import { reservedSuffix } from './reserved-suffix.js';

const lint = (text: string, input = {}) => lintExpositionText(reservedSuffix, text, {}, input);

describe('hygiene/reserved-suffix', () => {
  const valid: [string, string][] = [
    ['histogram parts', '# TYPE h histogram\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n'],
    ['summary parts', '# TYPE s summary\ns_sum 1\ns_count 1\n'],
    ['untyped names', 'x_bucket 1\ny_count 1\nz_sum 1\n'],
  ];
  it.each(valid)('valid: %s', async (_name, text) => {
    expect(await lint(text)).toEqual([]);
  });

  it('reports _bucket on a non-histogram and _count/_sum on gauges and counters', async () => {
    const findings = await lint(
      '# TYPE a_bucket gauge\na_bucket 1\n# TYPE b_count gauge\nb_count 1\n# TYPE c_sum summary\nc_sum_sum 1\n# TYPE d_sum counter\nd_sum 1\n',
    );
    expect(findings.every((f) => f.ruleId === 'hygiene/reserved-suffix')).toBe(true);
    expect(positions(findings)).toEqual([
      ['bucket', 1, 8],
      ['countOrSum', 3, 8],
      ['countOrSum', 7, 8],
    ]);
    expect(findings[1]?.message).toBe(
      'Metric b_count is a gauge and should not have the "_count" suffix, which is reserved for histograms and summaries.',
    );
  });
});
