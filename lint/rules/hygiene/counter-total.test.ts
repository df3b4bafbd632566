import { describe, expect, it } from 'vitest';
import { lintExpositionText, positions } from '../../sources/exposition-testing.js';
import { counterTotal } from './counter-total.js';

const lint = (text: string, input = {}) => lintExpositionText(counterTotal, text, {}, input);

describe('hygiene/counter-total', () => {
  const valid: [string, string][] = [
    ['text counter with _total', '# TYPE a_total counter\na_total 1\n'],
    [
      'OpenMetrics counter family without _total, samples with it',
      '# TYPE a counter\na_total 1\na_created 1\n# EOF\n',
    ],
    ['OpenMetrics counter without samples', '# TYPE a counter\n# EOF\n'],
    ['untyped _total', 'a_total 1\n'],
    ['gauge without _total', '# TYPE a gauge\na 1\n'],
  ];
  it.each(valid)('valid: %s', async (_name, text) => {
    expect(await lint(text)).toEqual([]);
  });

  it('reports a text counter without _total', async () => {
    const findings = await lint('# TYPE requests counter\nrequests 1\n');
    expect(positions(findings)).toEqual([['counterWithoutTotal', 1, 8]]);
    expect(findings[0]?.ruleId).toBe('hygiene/counter-total');
    expect(findings[0]?.message).toContain('Counter requests should have the "_total" suffix');
  });

  it('reports a text counter without _total and without samples', async () => {
    expect(positions(await lint('# TYPE requests counter\n'))).toEqual([['counterWithoutTotal', 1, 8]]);
  });

  it('reports _total on a gauge', async () => {
    const findings = await lint('# HELP x_total X.\n# TYPE x_total gauge\nx_total 1\n');
    expect(positions(findings)).toEqual([['totalOnNonCounter', 2, 8]]);
    expect(findings[0]?.message).toContain('is a gauge and should not have the "_total" suffix');
  });
});
