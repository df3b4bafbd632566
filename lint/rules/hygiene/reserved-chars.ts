/**
 * hygiene/reserved-chars: promlint's "metric names should not contain ':'": colons are reserved for the names of
 * recording rules (level:metric:operations), so an exported metric with one looks like a rule's output.
 */
import { z } from 'zod';
import type { Rule } from '../../types.js';
import { eachFamily } from './families.js';

const schema = z.strictObject({});

export const reservedChars: Rule<typeof schema> = {
  meta: {
    id: 'hygiene/reserved-chars',
    description: "Metric names containing ':', which is reserved for recording rules (promlint).",
    defaultSeverity: 'off',
    appliesTo: ['exposition'],
    messages: {
      colon:
        "Metric {{family}} should not contain ':': colons are reserved for the names of recording rules.",
    },
    schema,
  },
  create(context) {
    const { metadata, sample, expositionEnd } = eachFamily((family) => {
      if (!family.name.includes(':')) return;
      context.report({
        messageId: 'colon',
        data: { family: family.name },
        range: family.range,
        at: family.at,
      });
    });
    return { metadata, sample, expositionEnd };
  },
};

export default reservedChars;
