import { describe, expect, it } from 'vitest';
import { lintExpositionText, positions } from '../../sources/exposition-testing.js';
import { reservedChars } from './reserved-chars.js';

const lint = (text: string, input = {}) => lintExpositionText(reservedChars, text, {}, input);

describe('hygiene/reserved-chars', () => {
  it('valid: names without colons', async () => {
    expect(await lint('a_b 1\n# TYPE c gauge\nc 1\n')).toEqual([]);
  });

  it('reports a colon in a metric name', async () => {
    const findings = await lint('ok 1\n# TYPE job:requests:rate5m gauge\njob:requests:rate5m 1\n');
    expect(positions(findings)).toEqual([['colon', 2, 8]]);
    expect(findings[0]?.ruleId).toBe('hygiene/reserved-chars');
    expect(findings[0]?.message).toContain('colons are reserved for the names of recording rules');
  });
});
