import { describe, expect, it } from 'vitest';
import { lintExpositionText, positions } from '../../sources/exposition-testing.js';
import { duplicateMetric } from './duplicate-metric.js';

const lint = (text: string, input = {}) => lintExpositionText(duplicateMetric, text, {}, input);

describe('hygiene/duplicate-metric', () => {
  it('valid: each family once', async () => {
    expect(await lint('# HELP a A.\n# TYPE a gauge\na 1\n# HELP b B.\nb 1\n')).toEqual([]);
  });

  it('reports a second HELP and a second TYPE line', async () => {
    const findings = await lint('# HELP a A.\n# HELP a Again.\n# TYPE a gauge\n# TYPE a gauge\na 1\n');
    expect(positions(findings)).toEqual([
      ['metadata', 2, 1],
      ['metadata', 4, 1],
    ]);
    expect(findings[0]?.ruleId).toBe('hygiene/duplicate-metric');
    expect(findings[0]?.message).toContain('second HELP line');
  });

  it('reports a family whose lines are split by another family', async () => {
    const findings = await lint('# TYPE a gauge\na{x="1"} 1\nb 1\na{x="2"} 1\n');
    expect(positions(findings)).toEqual([['split', 4, 1]]);
    expect(findings[0]?.message).toBe(
      'Duplicate metric: a appears again after other metric families; all lines of a family must form one group.',
    );
  });
});
