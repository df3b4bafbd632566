/**
 * Suppression comments in YAML (as in ESLint and pint):
 *   # scrapelint disable-next-line <id>[, <id>...] -- reason
 *   # scrapelint disable <id>[, <id>...] -- reason      (the whole file)
 * Without ids a directive silences every rule. Directives that silence nothing are reported (unused-suppression).
 */
import type { Range } from '../exposition/types.js';

export interface Directive {
  readonly kind: 'disable' | 'disable-next-line';
  /** Empty: every rule. */
  readonly ruleIds: readonly string[];
  readonly justification: string;
  /** 1-based line of the comment. */
  readonly line: number;
  /** The comment's text range. */
  readonly range: Range;
  /** The range of each rule id as written (for unknown-rule findings). */
  readonly idRanges: readonly Range[];
}

const DIRECTIVE = /#\s*scrapelint\s+(disable-next-line|disable)(?=\s|$)([^\n]*)/;

export function parseDirectives(text: string): Directive[] {
  const directives: Directive[] = [];
  if (!text.includes('scrapelint')) return directives;
  let lineStart = 0;
  for (let line = 1; lineStart <= text.length; line++) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd === -1) lineEnd = text.length;
    const content = text.slice(lineStart, lineEnd);
    const hash = content.indexOf('#');
    // A comment starts a line or follows whitespace (YAML's rule; good enough to skip `#` inside most strings).
    if (hash !== -1 && content.includes('scrapelint')) {
      const match = DIRECTIVE.exec(content);
      const at = match?.index ?? -1;
      if (match && (at === 0 || /\s/.test(content[at - 1] ?? ''))) {
        const rest = match[2] ?? '';
        const separator = rest.search(/\s--(\s|$)/);
        const idsPart = separator === -1 ? rest : rest.slice(0, separator);
        const justification = separator === -1 ? '' : rest.slice(separator + 3).trim();
        const idsOffset = lineStart + at + match[0].length - rest.length;
        const ruleIds: string[] = [];
        const idRanges: Range[] = [];
        for (const m of idsPart.matchAll(/[^\s,]+/g)) {
          ruleIds.push(m[0]);
          idRanges.push({ start: idsOffset + m.index, end: idsOffset + m.index + m[0].length });
        }
        directives.push({
          kind: match[1] === 'disable' ? 'disable' : 'disable-next-line',
          ruleIds,
          justification,
          line,
          range: { start: lineStart + at, end: lineEnd },
          idRanges,
        });
      }
    }
    lineStart = lineEnd + 1;
  }
  return directives;
}

/** Whether a directive silences `ruleId` at `line`. */
export function silences(directive: Directive, ruleId: string, line: number): boolean {
  if (directive.ruleIds.length > 0 && !directive.ruleIds.includes(ruleId)) return false;
  return directive.kind === 'disable' || directive.line + 1 === line;
}
