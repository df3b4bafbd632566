/** ESLint's JSON shape: one entry per file, severity 1 (warning) or 2 (error). */
import type { LintMessage } from '../types.js';
import type { Reporter } from './types.js';

function message(m: LintMessage): Record<string, unknown> {
  return {
    ruleId: m.ruleId,
    severity: m.severity === 'error' ? 2 : 1,
    message: m.message,
    line: m.line,
    column: m.column,
    endLine: m.endLine,
    endColumn: m.endColumn,
    messageId: m.messageId,
    ...(m.suppressedBy === undefined
      ? {}
      : { suppressions: [{ kind: 'directive', justification: m.suppressedBy.justification }] }),
  };
}

export const jsonReporter: Reporter = (results) =>
  JSON.stringify(
    results.map((r) => ({
      filePath: r.filePath,
      messages: r.messages.map(message),
      suppressedMessages: r.suppressedMessages.map(message),
      errorCount: r.errorCount,
      fatalErrorCount: r.messages.filter((m) => m.ruleId === 'parse-error' && m.severity === 'error').length,
      warningCount: r.warningCount,
      fixableErrorCount: 0,
      fixableWarningCount: 0,
      usedDeprecatedRules: [],
    })),
  ) + '\n';
