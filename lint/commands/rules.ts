/** `scrapelint rules`: every rule with its default severity, the inputs it reads and what it finds. */
import { defaultSeverity } from '../engine.js';
import { rules } from '../rules/index.js';

export interface RulesCommandOptions {
  readonly format: 'text' | 'json';
  /** Shows hygiene rules as --hygiene would turn them on. */
  readonly hygiene?: boolean | undefined;
}

export function rulesCommand(options: RulesCommandOptions): { exitCode: 0; stdout: string } {
  const rows = rules.map((rule) => ({
    id: rule.meta.id,
    severity: defaultSeverity(rule, options.hygiene === true),
    appliesTo: rule.meta.appliesTo,
    description: rule.meta.description,
    docs: `docs/rules/${rule.meta.id}.md`,
  }));
  if (options.format === 'json') return { exitCode: 0, stdout: `${JSON.stringify(rows, null, 2)}\n` };
  const idWidth = Math.max(...rows.map((r) => r.id.length));
  const kindWidth = Math.max(...rows.map((r) => r.appliesTo.join(',').length));
  const lines = rows.map(
    (r) =>
      `${r.id.padEnd(idWidth)}  ${r.severity.padEnd(5)}  ${r.appliesTo.join(',').padEnd(kindWidth)}  ${r.description}`,
  );
  return { exitCode: 0, stdout: `${lines.join('\n')}\n` };
}
