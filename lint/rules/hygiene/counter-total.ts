/**
 * hygiene/counter-total: promlint's `counter metrics should have "_total" suffix` and `non-counter metrics should
 * not have "_total" suffix`. In OpenMetrics a counter family is named without `_total` and its samples carry it,
 * which is correct: only a counter whose samples lack the suffix is reported.
 */
import { z } from 'zod';
import type { Rule } from '../../types.js';
import { eachFamily, isUntyped } from './families.js';

const schema = z.strictObject({});

export const counterTotal: Rule<typeof schema> = {
  meta: {
    id: 'hygiene/counter-total',
    description: 'Counters without the _total suffix, and other types with it (promlint).',
    defaultSeverity: 'off',
    appliesTo: ['exposition'],
    messages: {
      counterWithoutTotal:
        'Counter {{family}} should have the "_total" suffix ({{family}}_total): it tells readers to rate() it.',
      totalOnNonCounter:
        'Metric {{family}} is a {{type}} and should not have the "_total" suffix, which is reserved for counters.',
    },
    schema,
  },
  create(context) {
    const { metadata, sample, expositionEnd } = eachFamily((family) => {
      const name = family.name;
      if (family.type === 'counter') {
        if (name.endsWith('_total')) return;
        // OpenMetrics: family `x`, samples `x_total` / `x_created`.
        const sampleName = family.firstSample?.name;
        const openMetricsStyle =
          sampleName === undefined ? family.format === 'openmetrics' : sampleName.startsWith(`${name}_`);
        if (openMetricsStyle) return;
        context.report({
          messageId: 'counterWithoutTotal',
          data: { family: name },
          range: family.range,
          at: family.at,
        });
      } else if (!isUntyped(family.type) && name.endsWith('_total')) {
        context.report({
          messageId: 'totalOnNonCounter',
          data: { family: name, type: family.type ?? 'untyped' },
          range: family.range,
          at: family.at,
        });
      }
    });
    return { metadata, sample, expositionEnd };
  },
};

export default counterTotal;
