import { describe, expect, it } from 'vitest';
import { lintExpositionText, positions } from '../../sources/exposition-testing.js';
import { typeInName } from './type-in-name.js';

const lint = (text: string, input = {}) => lintExpositionText(typeInName, text, {}, input);

describe('hygiene/type-in-name', () => {
  const valid: [string, string][] = [
    ['plain', '# TYPE http_requests_total counter\nhttp_requests_total 1\n'],
    ['a word that contains a type', 'gauges_info 1\ncountery 1\n'],
  ];
  it.each(valid)('valid: %s', async (_name, text) => {
    expect(await lint(text)).toEqual([]);
  });

  it('reports type names inside or at the end of a metric name', async () => {
    const findings = await lint(
      'queue_length_gauge 1\n# TYPE requests_counter_total counter\nrequests_counter_total 1\nlatency_HISTOGRAM 1\n',
    );
    expect(positions(findings)).toEqual([
      ['typeInName', 1, 1],
      ['typeInName', 2, 8],
      ['typeInName', 4, 1],
    ]);
    expect(findings[1]?.message).toBe(
      "Metric requests_counter_total should not include the type 'counter' in its name.",
    );
    expect(findings[0]?.ruleId).toBe('hygiene/type-in-name');
  });
});
