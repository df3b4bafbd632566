/** hygiene/help: promlint's "no help text": every metric family should say what it measures in `# HELP`. */
import { z } from 'zod';
import type { Rule } from '../../types.js';
import { eachFamily } from './families.js';

const schema = z.strictObject({});

export const help: Rule<typeof schema> = {
  meta: {
    id: 'hygiene/help',
    description: 'Metric families without HELP text (promlint: no help text).',
    defaultSeverity: 'off',
    appliesTo: ['exposition'],
    messages: {
      missing: 'Metric {{family}} has no help text: add a # HELP line that says what it measures.',
    },
    schema,
  },
  create(context) {
    const { metadata, sample, expositionEnd } = eachFamily((family) => {
      if (family.hasHelp) return;
      context.report({
        messageId: 'missing',
        data: { family: family.name },
        range: family.range,
        at: family.at,
      });
    });
    return { metadata, sample, expositionEnd };
  },
};

export default help;
