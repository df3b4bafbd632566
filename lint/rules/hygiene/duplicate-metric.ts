/**
 * hygiene/duplicate-metric: one metric family described or exposed twice: a second HELP or TYPE line (the
 * parser's duplicate-metadata diagnostic, which promtool rejects as "second HELP/TYPE line for metric name"), or
 * the family's lines split by other families (the parser's split-family fact). Typical of an exposer that
 * concatenates what several producers sent.
 */
import { z } from 'zod';
import type { Rule } from '../../types.js';

const schema = z.strictObject({});

export const duplicateMetric: Rule<typeof schema> = {
  meta: {
    id: 'hygiene/duplicate-metric',
    description: 'A metric family with HELP or TYPE twice, or its lines split by other families.',
    defaultSeverity: 'off',
    appliesTo: ['exposition'],
    messages: {
      metadata: 'Duplicate metric: {{detail}}.',
      split:
        'Duplicate metric: {{family}} appears again after other metric families; all lines of a family must form one group.',
    },
    schema,
  },
  create(context) {
    return {
      diagnostic(event) {
        if (event.code !== 'duplicate-metadata') return;
        context.report({
          messageId: 'metadata',
          data: { detail: event.message },
          range: { start: event.start, end: event.end },
          at: event,
        });
      },
      fact(event) {
        if (event.code !== 'split-family') return;
        context.report({ messageId: 'split', data: { family: event.family }, range: event.range, at: event });
      },
    };
  },
};

export default duplicateMetric;
