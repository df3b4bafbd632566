/**
 * hygiene/reserved-suffix: promlint's reserved suffixes: `_bucket` belongs to histograms, `_count` and `_sum` to
 * histograms and summaries; another typed family named so collides with their series in queries.
 */
import { z } from 'zod';
import type { Rule } from '../../types.js';
import { eachFamily, isUntyped } from './families.js';

const schema = z.strictObject({});

export const reservedSuffix: Rule<typeof schema> = {
  meta: {
    id: 'hygiene/reserved-suffix',
    description:
      'Non-histograms named *_bucket, non-histograms and non-summaries named *_count or *_sum (promlint).',
    defaultSeverity: 'off',
    appliesTo: ['exposition'],
    messages: {
      bucket:
        'Metric {{family}} is a {{type}} and should not have the "_bucket" suffix, which is reserved for histograms.',
      countOrSum:
        'Metric {{family}} is a {{type}} and should not have the "{{suffix}}" suffix, which is reserved for histograms and summaries.',
    },
    schema,
  },
  create(context) {
    const { metadata, sample, expositionEnd } = eachFamily((family) => {
      const type = family.type;
      if (isUntyped(type) || type === undefined) return;
      const histogram = type === 'histogram' || type === 'gaugehistogram';
      const name = family.name;
      if (!histogram && name.endsWith('_bucket')) {
        context.report({
          messageId: 'bucket',
          data: { family: name, type },
          range: family.range,
          at: family.at,
        });
      }
      for (const suffix of ['_count', '_sum']) {
        if (!histogram && type !== 'summary' && name.endsWith(suffix)) {
          context.report({
            messageId: 'countOrSum',
            data: { family: name, type, suffix },
            range: family.range,
            at: family.at,
          });
        }
      }
    });
    return { metadata, sample, expositionEnd };
  },
};

export default reservedSuffix;
