import { describe, expect, it } from 'vitest';
import { lintExpositionText, positions } from '../../sources/exposition-testing.js';
import { help } from './help.js';

const lint = (text: string, input = {}) => lintExpositionText(help, text, {}, input);

describe('hygiene/help', () => {
  const valid: [string, string][] = [
    ['HELP before TYPE', '# HELP a Things.\n# TYPE a gauge\na 1\n'],
    ['HELP after TYPE', '# TYPE a gauge\n# HELP a Things.\na 1\n'],
    ['OpenMetrics', '# TYPE a counter\n# HELP a Things.\na_total 1\n# EOF\n'],
    ['nothing', ''],
  ];
  it.each(valid)('valid: %s', async (_name, text) => {
    expect(await lint(text)).toEqual([]);
  });

  it('reports a family without HELP at its TYPE line, once', async () => {
    const findings = await lint(
      '# HELP ok Fine.\nok 1\n# TYPE requests_total counter\nrequests_total{a="1"} 1\nrequests_total{a="2"} 1\n',
    );
    expect(findings.map((f) => f.ruleId)).toEqual(['hygiene/help']);
    expect(positions(findings)).toEqual([['missing', 3, 8]]);
    expect(findings[0]?.message).toBe(
      'Metric requests_total has no help text: add a # HELP line that says what it measures.',
    );
  });

  it('reports an untyped sample at its name, and a TYPE without samples at the end', async () => {
    expect(positions(await lint('x{a="b"} 1\n# TYPE lonely gauge\n'))).toEqual([
      ['missing', 1, 1],
      ['missing', 2, 8],
    ]);
  });
});
