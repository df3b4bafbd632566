/**
 * The rule tester (ESLint's RuleTester model): valid and invalid cases inline; each invalid case lists the
 * findings it must produce, in order, with messageId and the 1-based start and end positions.
 * Runs the rule alone, through the same engine paths the CLI uses.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { FileResult, LintMessage, Rule, Severity, SourceKind } from './types.js';
import { lintConfigText } from './config-engine.js';
import { lintExpositionStream } from './engine.js';
import type { LintSettings } from './engine.js';

export interface ValidCase {
  readonly code: string;
  /** Default: the rule's first `appliesTo` kind. */
  readonly kind?: SourceKind;
  readonly options?: unknown;
  readonly name?: string;
}

export interface ExpectedFinding {
  readonly messageId: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  readonly severity?: Exclude<Severity, 'off'>;
  /** A substring the message must contain. */
  readonly messageIncludes?: string;
}

export interface InvalidCase extends ValidCase {
  readonly errors: readonly ExpectedFinding[];
}

export interface RuleTests {
  readonly valid: readonly (string | ValidCase)[];
  readonly invalid: readonly InvalidCase[];
}

/** Lints `code` as `kind` with only `rule` enabled (hygiene rules too) and returns what a reporter would get. */
export async function runRule(rule: Rule, test: ValidCase): Promise<FileResult> {
  const kind = test.kind ?? rule.meta.appliesTo[0] ?? 'config';
  const severity: Severity = rule.meta.defaultSeverity === 'off' ? 'warn' : rule.meta.defaultSeverity;
  const settings: LintSettings = {
    hygiene: true,
    rules: { [rule.meta.id]: { severity, ...(test.options === undefined ? {} : { options: test.options }) } },
  };
  switch (kind) {
    case 'config':
      return lintConfigText(test.code, 'test.yaml', settings, [rule]);
    case 'exposition':
      return lintExpositionStream(Readable.from([test.code]) as AsyncIterable<string>, {
        filePath: 'test.prom',
        settings,
        rules: [rule],
      });
    case 'docs': {
      const { parseDocs } = await import('./sources/docs.js');
      const { lintDocsModel } = await import('./engine.js');
      return lintDocsModel(parseDocs(test.code, 'test.md'), settings, [rule]);
    }
  }
}

function shape(message: LintMessage, expected: ExpectedFinding): Record<string, unknown> {
  return {
    ruleId: message.ruleId,
    messageId: message.messageId,
    line: message.line,
    column: message.column,
    endLine: message.endLine,
    endColumn: message.endColumn,
    ...(expected.severity === undefined ? {} : { severity: message.severity }),
  };
}

const title = (test: string | ValidCase): string => {
  const t = typeof test === 'string' ? { code: test } : test;
  return t.name ?? t.code.slice(0, 60).replace(/\n/g, '⏎');
};

/** Declares a vitest suite for `rule`. */
export function testRule(rule: Rule, tests: RuleTests): void {
  describe(`rule ${rule.meta.id}`, () => {
    expect(tests.valid.length, 'a rule needs valid cases').toBeGreaterThan(0);
    expect(tests.invalid.length, 'a rule needs invalid cases').toBeGreaterThan(0);
    describe('valid', () => {
      for (const test of tests.valid) {
        it(title(test), async () => {
          const result = await runRule(rule, typeof test === 'string' ? { code: test } : test);
          expect(result.messages.map((m) => `${m.line}:${m.column} ${m.messageId}: ${m.message}`)).toEqual(
            [],
          );
        });
      }
    });
    describe('invalid', () => {
      for (const test of tests.invalid) {
        it(title(test), async () => {
          const result = await runRule(rule, test);
          const ours = result.messages.filter((m) => m.ruleId === rule.meta.id);
          expect(
            ours.map((m, i) =>
              shape(m, test.errors[i] ?? { messageId: '', line: 0, column: 0, endLine: 0, endColumn: 0 }),
            ),
          ).toEqual(
            test.errors.map((e) => ({
              ruleId: rule.meta.id,
              messageId: e.messageId,
              line: e.line,
              column: e.column,
              endLine: e.endLine,
              endColumn: e.endColumn,
              ...(e.severity === undefined ? {} : { severity: e.severity }),
            })),
          );
          ours.forEach((m, i) => {
            expect(m.message, 'every placeholder is filled').not.toMatch(/\{\{/);
            const includes = test.errors[i]?.messageIncludes;
            if (includes !== undefined) expect(m.message).toContain(includes);
          });
        });
      }
    });
  });
}
