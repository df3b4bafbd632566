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
});
