/**
 * hygiene/reserved-label: promlint's reserved labels: `le` belongs to histogram buckets, `quantile` to summaries.
 * Reported once per family and label, at the first label that breaks the rule.
 */
import { z } from 'zod';
import type { Rule } from '../../types.js';
import { eachFamily, isUntyped } from './families.js';

const schema = z.strictObject({});

export const reservedLabel: Rule<typeof schema> = {
  meta: {
    id: 'hygiene/reserved-label',
    description: 'The le label outside histograms, the quantile label outside summaries (promlint).',
    defaultSeverity: 'off',
    appliesTo: ['exposition'],
    messages: {
      le: 'Metric {{family}} is a {{type}} and should not have the "le" label, which is reserved for histogram buckets.',
      quantile:
        'Metric {{family}} is a {{type}} and should not have the "quantile" label, which is reserved for summaries.',
    },
    schema,
  },
  create(context) {
    const families = eachFamily(() => {});
    const reported = new Set<string>();
    return {
      metadata: families.metadata,
      expositionEnd: families.expositionEnd,
      sample(event) {
        families.sample(event);
        if (event.labels.length === 0) return;
        const type = families.typeOf(event.family);
        if (isUntyped(type) || type === undefined) return;
        for (const label of event.labels) {
          const wrong =
            (label.name === 'le' && type !== 'histogram' && type !== 'gaugehistogram') ||
            (label.name === 'quantile' && type !== 'summary');
          if (!wrong) continue;
          const key = `${event.family}\u0000${label.name}`;
          if (reported.has(key)) continue;
          reported.add(key);
          context.report({
            messageId: label.name === 'le' ? 'le' : 'quantile',
            data: { family: event.family, type },
            range: label.nameRange,
            at: event,
          });
        }
      },
    };
  },
};

export default reservedLabel;
