import { describe, expect, it } from 'vitest';
import { lintExpositionText, positions } from '../../sources/exposition-testing.js';
import { baseUnits } from './base-units.js';

const lint = (text: string, input = {}) => lintExpositionText(baseUnits, text, {}, input);

describe('hygiene/base-units', () => {
  const valid: [string, string][] = [
    ['base units', 'a_seconds 1\nb_bytes_total 1\nc_celsius 1\n'],
    ['a word that ends like a unit', 'thermometers_count 1\n'],
  ];
  it.each(valid)('valid: %s', async (_name, text) => {
    expect(await lint(text)).toEqual([]);
  });

  it('reports prefixed and non-base units with the base to use', async () => {
    const findings = await lint(
      'request_duration_milliseconds 1\n# TYPE disk_kilobytes gauge\ndisk_kilobytes 1\nuptime_hours 1\n',
    );
    expect(positions(findings)).toEqual([
      ['nonBase', 1, 1],
      ['nonBase', 2, 8],
      ['nonBase', 4, 1],
    ]);
    expect(findings.map((f) => f.message)).toEqual([
      'Metric request_duration_milliseconds should use the base unit "seconds" instead of "milliseconds".',
      'Metric disk_kilobytes should use the base unit "bytes" instead of "kilobytes".',
      'Metric uptime_hours should use the base unit "seconds" instead of "hours".',
    ]);
    expect(findings[0]?.ruleId).toBe('hygiene/base-units');
  });
});
