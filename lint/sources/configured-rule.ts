/**
 * What the sources share for running rules without the engine: a rule as configured for one run, the error of
 * options that fail its schema, and `bindRule`, which validates the options and turns reports into findings.
 */
import { formatMessage } from '../messages.js';
import type { Finding, Rule, RuleVisitor, Severity, SourceKind } from '../types.js';

/** A rule as configured for one run: its options (validated by the rule's zod schema) and severity. */
export interface ConfiguredRule {
  readonly rule: Rule;
  readonly options: unknown;
  readonly severity: Exclude<Severity, 'off'>;
}

/** A rule's options failed its schema: a configuration problem (exit code 2), named after the rule. */
export class RuleOptionsError extends Error {
  override readonly name = 'RuleOptionsError';
  constructor(
    readonly ruleId: string,
    detail: string,
  ) {
    super(`invalid options for rule ${ruleId}: ${detail}`);
  }
}

/**
 * Whether a suppression comment silences a finding of `ruleId` at `line` (1-based). Asked once per finding or per
 * place a rule would list, never per sample.
 */
export type SuppressionCheck = (ruleId: string, line: number) => boolean;

/**
 * Validates the options, creates the rule's visitor, and hands each report to `onFinding` as a Finding. The rule's
 * `context.isSuppressed` asks `isSuppressed` (none: nothing is) at the line of the place: `at.line` for streamed
 * input, else the line of `range.start` in `lineOf` (neither: line 1, where such a finding is placed).
 */
export function bindRule(
  { rule, options, severity }: ConfiguredRule,
  filePath: string,
  sourceKind: SourceKind,
  onFinding: (finding: Finding) => void,
  isSuppressed?: SuppressionCheck,
  lineOf?: (offset: number) => number,
): RuleVisitor {
  const parsed = rule.meta.schema.safeParse(options ?? {});
  if (!parsed.success) {
    const detail = parsed.error.issues
      .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
      .join('; ');
    throw new RuleOptionsError(rule.meta.id, detail);
  }
  const ruleId = rule.meta.id;
  return rule.create({
    options: parsed.data,
    filePath,
    sourceKind,
    isSuppressed:
      isSuppressed === undefined
        ? () => false
        : (range, at) => isSuppressed(ruleId, at?.line ?? lineOf?.(range.start) ?? 1),
    report(descriptor) {
      const template = rule.meta.messages[descriptor.messageId];
      if (template === undefined) {
        throw new Error(`rule ${ruleId} reported unknown messageId "${descriptor.messageId}"`);
      }
      onFinding({
        ruleId,
        messageId: descriptor.messageId,
        severity: descriptor.severity ?? severity,
        message: formatMessage(template, descriptor.data),
        filePath,
        range: descriptor.range,
        ...(descriptor.at === undefined
          ? {}
          : { at: { line: descriptor.at.line, lineStart: descriptor.at.lineStart } }),
      });
    },
  });
}
