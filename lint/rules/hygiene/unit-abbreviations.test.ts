import { describe, expect, it } from 'vitest';
import { lintExpositionText, positions } from '../../sources/exposition-testing.js';
import { unitAbbreviations } from './unit-abbreviations.js';

const lint = (text: string, input = {}) => lintExpositionText(unitAbbreviations, text, {}, input);

describe('hygiene/unit-abbreviations', () => {
  const valid: [string, string][] = [
    ['spelled out', 'request_duration_seconds 1\nsize_bytes 1\n'],
    ['abbreviation inside a word', 'mssql_up 1\nbytes_kbx 1\n'],
  ];
  it.each(valid)('valid: %s', async (_name, text) => {
    expect(await lint(text)).toEqual([]);
  });

  it('reports abbreviated units as whole words', async () => {
    const findings = await lint('latency_ms 1\n# TYPE cache_kb_total counter\ncache_kb_total 1\n');
    expect(positions(findings)).toEqual([
      ['abbreviated', 1, 1],
      ['abbreviated', 2, 8],
    ]);
    expect(findings[0]?.message).toContain('should not contain the abbreviated unit "ms"');
    expect(findings[0]?.ruleId).toBe('hygiene/unit-abbreviations');
  });
});
