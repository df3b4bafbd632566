/** Executes every rule page's `incorrect`/`correct` examples (eslint's check-rule-examples). */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { docExamples } from '../rule-docs.js';
import { runRule } from '../rule-tester.js';
import { rules } from './index.js';

const docsDir = fileURLToPath(new URL('../../docs/rules/', import.meta.url));

for (const rule of rules) {
  const path = `${docsDir}${rule.meta.id}.md`;
  if (!existsSync(path)) continue; // meta.test.ts fails for the missing page
  describe(`docs/rules/${rule.meta.id}.md`, () => {
    const examples = docExamples(readFileSync(path, 'utf8'));
    it('has incorrect and correct examples', () => {
      expect(examples.some((e) => e.verdict === 'incorrect')).toBe(true);
      expect(examples.some((e) => e.verdict === 'correct')).toBe(true);
    });
    for (const example of examples) {
      it(`${example.verdict} example at line ${example.line}`, async () => {
        const result = await runRule(rule, {
          code: example.code,
          kind: example.kind,
          ...(example.options === undefined ? {} : { options: example.options }),
        });
        const own = result.messages
          .filter((m) => m.ruleId === rule.meta.id)
          .map((m) => `${m.line}:${m.column} ${m.message}`);
        if (example.verdict === 'incorrect')
          expect(own.length, 'an incorrect example must be reported').toBeGreaterThan(0);
        else expect(own).toEqual([]);
      });
    }
  });
}
