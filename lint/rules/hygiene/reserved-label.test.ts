import { describe, expect, it } from 'vitest';
import { lintExpositionText, positions } from '../../sources/exposition-testing.js';
import { reservedLabel } from './reserved-label.js';

const lint = (text: string, input = {}) => lintExpositionText(reservedLabel, text, {}, input);

describe('hygiene/reserved-label', () => {
  const valid: [string, string][] = [
    [
      'le on a histogram',
      '# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n',
    ],
    ['quantile on a summary', '# TYPE s summary\ns{quantile="0.5"} 1\n'],
    ['untyped', 'u{le="1",quantile="1"} 1\n'],
  ];
  it.each(valid)('valid: %s', async (_name, text) => {
    expect(await lint(text)).toEqual([]);
  });

  it('reports le and quantile on other types at the label, once per family', async () => {
    const findings = await lint(
      '# TYPE g gauge\ng{le="1"} 1\ng{le="2"} 1\n# TYPE h histogram\nh_bucket{quantile="1",le="1"} 1\n',
    );
    expect(positions(findings)).toEqual([
      ['le', 2, 3],
      ['quantile', 5, 10],
    ]);
    expect(findings[0]?.ruleId).toBe('hygiene/reserved-label');
    expect(findings[1]?.message).toBe(
      'Metric h is a histogram and should not have the "quantile" label, which is reserved for summaries.',
    );
  });
});
