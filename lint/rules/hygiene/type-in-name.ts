/** hygiene/type-in-name: promlint's "metric name should not include type": the TYPE line already says it. */
import { z } from 'zod';
import type { Rule } from '../../types.js';
import { eachFamily } from './families.js';

const schema = z.strictObject({});

/** client_model's metric types, lower-cased, as promlint spells them (untyped excluded). */
const TYPE_WORDS = ['counter', 'gauge', 'histogram', 'gauge_histogram', 'summary'];

export const typeInName: Rule<typeof schema> = {
  meta: {
    id: 'hygiene/type-in-name',
    description: 'Metric names that include a metric type such as _counter or _gauge (promlint).',
    defaultSeverity: 'off',
    appliesTo: ['exposition'],
    messages: {
      typeInName: "Metric {{family}} should not include the type '{{type}}' in its name.",
    },
    schema,
  },
  create(context) {
    const { metadata, sample, expositionEnd } = eachFamily((family) => {
      const name = family.name.toLowerCase();
      for (const type of TYPE_WORDS) {
        if (name.includes(`_${type}_`) || name.endsWith(`_${type}`)) {
          context.report({
            messageId: 'typeInName',
            data: { family: family.name, type },
            range: family.range,
            at: family.at,
          });
        }
      }
    });
    return { metadata, sample, expositionEnd };
  },
};

export default typeInName;
