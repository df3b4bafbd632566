/**
 * For tests of exposition rules without the engine: lint a text with one rule and get ESLint-like messages
 * (ruleId, messageId, 1-based line and column), positions computed from each finding's line as reporters do.
 */
import type { Format } from '../../exposition/types.js';
import { locateOnLine } from '../positions.js';
import type { Location } from '../positions.js';
import type { Rule, Severity } from '../types.js';
import { chunksOf, lintExposition } from './exposition.js';

export interface PlacedFinding extends Location {
  readonly ruleId: string;
  readonly messageId: string;
  readonly severity: Exclude<Severity, 'off'>;
  readonly message: string;
}

export async function lintExpositionText(
  rule: Rule,
  text: string,
  options: unknown = {},
  input: { readonly format?: Format; readonly contentType?: string; readonly chunkSize?: number } = {},
): Promise<PlacedFinding[]> {
  const size = input.chunkSize ?? Math.max(1, text.length);
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += size) parts.push(text.slice(i, i + size));
  const { findings } = await lintExposition(chunksOf(...parts), {
    filePath: 'metrics.prom',
    rules: [{ rule, options, severity: rule.meta.defaultSeverity === 'error' ? 'error' : 'warn' }],
    ...(input.format === undefined ? {} : { format: input.format }),
    ...(input.contentType === undefined ? {} : { contentType: input.contentType }),
  });
  return findings.map((finding) => {
    if (finding.at === undefined) throw new Error(`finding of ${finding.ruleId} has no line`);
    return {
      ruleId: finding.ruleId,
      messageId: finding.messageId,
      severity: finding.severity,
      message: finding.message,
      ...locateOnLine(finding.range, finding.at),
    };
  });
}

/** The findings reduced to what rule tests assert: [messageId, line, column]. */
export function positions(findings: readonly PlacedFinding[]): [string, number, number][] {
  return findings.map((f) => [f.messageId, f.line, f.column]);
}
