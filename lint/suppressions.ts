/**
 * Suppression comments in YAML (as in ESLint and pint):
 *   # scrapelint disable-next-line <id>[, <id>...] -- reason
 *   # scrapelint disable <id>[, <id>...] -- reason      (the whole file)
 * the same after `//` in Grafana Alloy files,
 * the same `#` comments in text-format (0.0.4) expositions, read from the parser's comment events as they stream
 * by (OpenMetrics allows no such comments: its parser reports the line as invalid-metadata and nothing is honoured),
 * and in Markdown, as HTML comments outside code (fenced, indented, inline):
 *   <!-- scrapelint disable-next-line <id> -- reason -->   (the next line, or the whole fenced block it opens)
 *   <!-- scrapelint disable <id> -- reason -->
 * Without ids a directive silences every rule. Directives that silence nothing are reported (unused-suppression).
 */
import type { CommentEvent, Range } from '../exposition/types.js';
import { markdownBlocks, withoutCodeSpans } from './markdown.js';

export interface Directive {
  readonly kind: 'disable' | 'disable-next-line';
  /** Empty: every rule. */
  readonly ruleIds: readonly string[];
  readonly justification: string;
  /** 1-based line of the comment. */
  readonly line: number;
  /** disable-next-line: the last line it covers (a Markdown fence it precedes); default the next line. */
  readonly until?: number;
  /** The comment's text range. */
  readonly range: Range;
  /** The range of each rule id as written (for unknown-rule findings). */
  readonly idRanges: readonly Range[];
  /** Streamed input (expositions), whose text is not kept: the offset where the comment's line starts. */
  readonly lineStart?: number;
}

const DIRECTIVE = /#\s*scrapelint\s+(disable-next-line|disable)(?=\s|$)([^\n]*)/;
const SLASH_DIRECTIVE = /\/\/\s*scrapelint\s+(disable-next-line|disable)(?=\s|$)([^\n]*)/;
const MARKDOWN_DIRECTIVE = /<!--\s*scrapelint\s+(disable-next-line|disable)(?=\s|-->)(.*?)-->/;
/** The text of an exposition comment event (after `#` and one space). */
const COMMENT_DIRECTIVE = /^\s*scrapelint\s+(disable-next-line|disable)(?=\s|$)(.*)$/;

/**
 * Markdown: directives in HTML comments outside code. A comment inside a fenced or indented code block or an inline
 * code span is part of an example the page shows (docs/scrapelint.md shows the syntax itself), never a directive.
 * A disable-next-line before a fenced block (blank lines between are fine) covers the whole block.
 */
export function parseMarkdownDirectives(text: string): Directive[] {
  if (!text.includes('scrapelint')) return [];
  const { lines, fences } = markdownBlocks(text);
  const fenceAt = new Map(fences.map((fence) => [fence.openLine, fence]));
  const directives: Directive[] = [];
  for (const line of lines) {
    if (line.code || !line.text.includes('scrapelint')) continue;
    const match = MARKDOWN_DIRECTIVE.exec(withoutCodeSpans(line.text));
    if (match === null) continue;
    const rest = match[2] ?? '';
    const idsStart = line.start + match.index + match[0].length - 3 - rest.length;
    const directive = directiveFrom(match[1] ?? '', rest, idsStart, line.index + 1, {
      start: line.start + match.index,
      end: line.start + match.index + match[0].length,
    });
    if (directive.kind === 'disable') {
      directives.push(directive);
      continue;
    }
    let next = line.index + 1;
    while (next < lines.length && (lines[next]?.text ?? '').trim() === '') next++;
    const fence = fenceAt.get(next);
    directives.push({ ...directive, until: (fence?.closeLine ?? next) + 1 });
  }
  return directives;
}

function directiveFrom(kind: string, rest: string, idsOffset: number, line: number, range: Range): Directive {
  const separator = rest.search(/\s--(\s|$)/);
  const idsPart = separator === -1 ? rest : rest.slice(0, separator);
  const justification = separator === -1 ? '' : rest.slice(separator + 3).trim();
  const ruleIds: string[] = [];
  const idRanges: Range[] = [];
  for (const m of idsPart.matchAll(/[^\s,]+/g)) {
    ruleIds.push(m[0]);
    idRanges.push({ start: idsOffset + m.index, end: idsOffset + m.index + m[0].length });
  }
  return {
    kind: kind === 'disable' ? 'disable' : 'disable-next-line',
    ruleIds,
    justification,
    line,
    range,
    idRanges,
  };
}

/** Directives in line comments: YAML's `#` (the default) or Alloy's `//`. */
export function parseDirectives(text: string, marker: '#' | '//' = '#'): Directive[] {
  const directives: Directive[] = [];
  if (!text.includes('scrapelint')) return directives;
  const pattern = marker === '#' ? DIRECTIVE : SLASH_DIRECTIVE;
  let lineStart = 0;
  for (let line = 1; lineStart <= text.length; line++) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd === -1) lineEnd = text.length;
    const content = text.slice(lineStart, lineEnd);
    const hash = content.indexOf(marker);
    // A comment starts a line or follows whitespace (YAML's rule; good enough to skip `#` inside most strings).
    if (hash !== -1 && content.includes('scrapelint')) {
      const match = pattern.exec(content);
      const at = match?.index ?? -1;
      if (match && (at === 0 || /\s/.test(content[at - 1] ?? ''))) {
        const rest = match[2] ?? '';
        const idsOffset = lineStart + at + match[0].length - rest.length;
        directives.push(
          directiveFrom(match[1] ?? '', rest, idsOffset, line, { start: lineStart + at, end: lineEnd }),
        );
      }
    }
    lineStart = lineEnd + 1;
  }
  return directives;
}

/**
 * A directive in an exposition comment (text 0.0.4), or undefined for an ordinary comment. Called once per comment
 * line, never per sample; `# scrapelint is great` is no directive.
 */
export function parseCommentDirective(comment: CommentEvent): Directive | undefined {
  const match = COMMENT_DIRECTIVE.exec(comment.text);
  if (match === null) return undefined;
  const rest = match[2] ?? '';
  // The event's text is the end of its range: the ids stand where `rest` starts inside it.
  const textStart = comment.range.end - comment.text.length;
  const idsOffset = textStart + match[0].length - rest.length;
  return {
    ...directiveFrom(match[1] ?? '', rest, idsOffset, comment.line, comment.range),
    lineStart: comment.lineStart,
  };
}

/** Whether a directive silences `ruleId` at `line`. */
export function silences(directive: Directive, ruleId: string, line: number): boolean {
  if (directive.ruleIds.length > 0 && !directive.ruleIds.includes(ruleId)) return false;
  return (
    directive.kind === 'disable' || (line > directive.line && line <= (directive.until ?? directive.line + 1))
  );
}

/**
 * The directives of a streamed exposition as they arrive (or of a file read whole: `of`), indexed so that a
 * finding, or a rule asking `context.isSuppressed` about a place it would list, learns in constant time whether
 * one already seen silences it (the exposition source then keeps it apart from the per-rule cap of findings).
 * A disable-next-line comment always precedes the line it covers; a whole-file `disable` may come later, and is
 * applied once the stream has ended (lint/engine.ts). Answers the directive `applyDirectives` would pick: the
 * first one, in file order, that silences the finding.
 */
export class StreamedDirectives {
  readonly list: Directive[] = [];
  /** Directives that silenced a finding as it was reported. */
  readonly used = new Set<Directive>();
  readonly #order = new Map<Directive, number>();
  /** disable-next-line directives by the line they cover. */
  readonly #byLine = new Map<number, Directive[]>();
  /** Whole-file directives by rule id ('' for those without ids: every rule); the first of each. */
  readonly #fileWide = new Map<string, Directive>();

  /** The directives of a file read whole (configs, Markdown), in file order. */
  static of(directives: readonly Directive[]): StreamedDirectives {
    const indexed = new StreamedDirectives();
    for (const directive of directives) indexed.add(directive);
    return indexed;
  }

  get size(): number {
    return this.list.length;
  }

  add(directive: Directive): void {
    this.#order.set(directive, this.list.length);
    this.list.push(directive);
    if (directive.kind === 'disable') {
      for (const id of directive.ruleIds.length > 0 ? directive.ruleIds : ['']) {
        if (!this.#fileWide.has(id)) this.#fileWide.set(id, directive);
      }
      return;
    }
    const last = directive.until ?? directive.line + 1;
    // Exposition directives cover one line; a wider span (Markdown fences) is indexed line by line.
    for (let line = directive.line + 1; line <= last; line++) {
      const known = this.#byLine.get(line);
      if (known === undefined) this.#byLine.set(line, [directive]);
      else known.push(directive);
    }
  }

  /**
   * The last question and its answer, kept while no directive arrives: a rule that asks about a place and then
   * reports it (lint/listing.ts) costs one lookup, not two.
   */
  #lastRuleId = '';
  #lastLine = 0;
  #lastSize = -1;
  #lastAnswer = false;

  /** Whether a directive seen so far silences `ruleId` at `line`; marks the directive used. */
  silence(ruleId: string, line: number): boolean {
    if (line === this.#lastLine && ruleId === this.#lastRuleId && this.list.length === this.#lastSize) {
      return this.#lastAnswer;
    }
    this.#lastRuleId = ruleId;
    this.#lastLine = line;
    this.#lastSize = this.list.length;
    this.#lastAnswer = this.#lookUp(ruleId, line);
    return this.#lastAnswer;
  }

  /** No allocation: a rule may ask once per timestamped sample, of a million (lint/listing.ts). */
  #lookUp(ruleId: string, line: number): boolean {
    let best: Directive | undefined;
    const onLine = this.#byLine.get(line);
    if (onLine !== undefined) {
      for (const d of onLine) best = this.#earlier(best, d, ruleId, line);
    }
    best = this.#earlier(best, this.#fileWide.get(ruleId), ruleId, line);
    best = this.#earlier(best, this.#fileWide.get(''), ruleId, line);
    if (best === undefined) return false;
    this.used.add(best);
    return true;
  }

  /** Of `best` and `d` (when it silences `ruleId` at `line`), the one first in file order. */
  #earlier(
    best: Directive | undefined,
    d: Directive | undefined,
    ruleId: string,
    line: number,
  ): Directive | undefined {
    if (d === undefined || !silences(d, ruleId, line)) return best;
    if (best === undefined || (this.#order.get(d) ?? 0) < (this.#order.get(best) ?? 0)) return d;
    return best;
  }
}
