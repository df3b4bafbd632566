import { z } from 'zod';
import { defineRule } from '../define-rule.js';

/** Reported by the engine (lint/engine.ts applyDirectives) after every other rule ran; it visits nothing itself. */
export default defineRule({
  meta: {
    id: 'unused-suppression',
    description:
      'A `# scrapelint disable` comment that silences nothing, or names a rule that does not exist.',
    defaultSeverity: 'warn',
    appliesTo: ['config', 'exposition', 'docs'],
    messages: {
      unused: 'Unused suppression: nothing on the next line was reported by {{rules}}.',
      unusedFile: 'Unused suppression: nothing in this file was reported by {{rules}}.',
      unknownRule: 'Unknown rule "{{ruleId}}" in a suppression comment (scrapelint rules lists them).',
      tooMany:
        'Too many suppression comments: only the first {{max}} in an exposition are honoured; the {{count}} from this one on are ignored.',
    },
    schema: z.strictObject({}),
  },
  create() {
    return {};
  },
});
