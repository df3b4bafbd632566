import { z } from 'zod';
import { defineRule } from '../define-rule.js';

export default defineRule({
  meta: {
    id: 'parse-error',
    description:
      'Input that cannot be read: YAML errors, fields of the wrong type, exposition syntax errors.',
    defaultSeverity: 'error',
    appliesTo: ['config', 'exposition', 'docs'],
    messages: {
      source: '{{message}}',
      exposition: '{{message}} ({{code}})',
    },
    schema: z.strictObject({}),
  },
  create(context) {
    return {
      sourceError(error) {
        context.report({ messageId: 'source', data: { message: error.message }, range: error.range });
      },
      diagnostic(event) {
        context.report({
          messageId: 'exposition',
          data: { message: event.message, code: event.code },
          range: { start: event.start, end: event.end },
          at: { line: event.line, lineStart: event.lineStart },
        });
      },
    };
  },
});
