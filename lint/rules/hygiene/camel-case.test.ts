import { describe, expect, it } from 'vitest';
import { lintExpositionText, positions } from '../../sources/exposition-testing.js';
import { camelCase } from './camel-case.js';

const lint = (text: string, input = {}) => lintExpositionText(camelCase, text, {}, input);

describe('hygiene/camel-case', () => {
  const valid: [string, string][] = [
    ['snake case', 'http_requests_total{status_code="200"} 1\n'],
    ['upper case only', 'HTTP_REQUESTS 1\n'],
  ];
  it.each(valid)('valid: %s', async (_name, text) => {
    expect(await lint(text)).toEqual([]);
  });

  it('reports camelCase metric names and label names (once per family and label)', async () => {
    const findings = await lint('httpRequests{statusCode="200"} 1\nhttpRequests{statusCode="500"} 1\n');
    expect(positions(findings)).toEqual([
      ['metric', 1, 1],
      ['label', 1, 14],
    ]);
    expect(findings[1]?.message).toBe(
      "Label statusCode of httpRequests should be written in 'snake_case' not 'camelCase'.",
    );
    expect(findings[0]?.ruleId).toBe('hygiene/camel-case');
  });

  it('reports a camelCase label again in the next family, and where it moves to another position', async () => {
    const findings = await lint(
      'a_total{statusCode="1"} 1\nb_total{statusCode="1"} 1\nc_total{x="1",statusCode="1"} 1\nc_total{statusCode="1"} 1\n',
    );
    expect(positions(findings)).toEqual([
      ['label', 1, 9],
      ['label', 2, 9],
      ['label', 3, 15],
    ]);
  });

  it('checks a label name that follows a checked one at the same position', async () => {
    const findings = await lint('a_total{code="1"} 1\na_total{badName="1"} 1\n');
    expect(positions(findings)).toEqual([['label', 2, 9]]);
  });
});
