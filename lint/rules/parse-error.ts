import { z } from 'zod';
import { defineRule } from '../define-rule.js';

export default defineRule({
  meta: {
    id: 'parse-error',
    description:
      "Input that cannot be read: YAML errors, fields of the wrong type, exposition syntax errors, and exposition lines promtool reads but Prometheus' scraper refuses.",
    defaultSeverity: 'error',
    appliesTo: ['config', 'exposition', 'docs'],
    messages: {
      source: '{{message}}',
      exposition: '{{message}} ({{code}})',
      scraper: '{{message}}',
    },
    schema: z.strictObject({}),
  },
  create(context) {
    return {
      sourceError(error) {
        context.report({ messageId: 'source', data: { message: error.message }, range: error.range });
      },
      // promtool reads these lines, so the parser accepts them; Prometheus refuses them and the scrape fails.
      fact(event) {
        if (event.code !== 'scraper-refuses') return;
        context.report({
          messageId: 'scraper',
          data: { message: event.message },
          range: event.range,
          at: { line: event.line, lineStart: event.lineStart },
        });
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
