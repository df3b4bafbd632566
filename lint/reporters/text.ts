/** ESLint's "stylish": per file, `line:col  severity  message  rule-id`, then a summary line. */
import type { Reporter } from './types.js';

const paint = (on: boolean, code: string, text: string): string =>
  on ? `\u001b[${code}m${text}\u001b[0m` : text;

export const textReporter: Reporter = (results, { color }) => {
  let out = '';
  let errors = 0;
  let warnings = 0;
  for (const result of results) {
    if (result.messages.length === 0) continue;
    errors += result.errorCount;
    warnings += result.warningCount;
    const rows = result.messages.map((m) => ({
      where: `${m.line}:${m.column}`,
      severity: m.severity === 'error' ? 'error' : 'warning',
      message: m.message,
      ruleId: m.ruleId,
    }));
    const whereWidth = Math.max(...rows.map((r) => r.where.length));
    out += `\n${paint(color, '4', result.filePath)}\n`;
    for (const row of rows) {
      const severity = paint(color, row.severity === 'error' ? '31' : '33', row.severity.padEnd(7));
      out += `  ${paint(color, '2', row.where.padEnd(whereWidth))}  ${severity}  ${row.message}  ${paint(color, '2', row.ruleId)}\n`;
    }
  }
  const total = errors + warnings;
  if (total === 0) return '';
  const summary = `\u2716 ${total} problem${total === 1 ? '' : 's'} (${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'})`;
  return `${out}\n${paint(color, errors > 0 ? '1;31' : '1;33', summary)}\n`;
};
