/**
 * Where a Markdown document holds code (CommonMark 0.31): fenced code blocks, indented code blocks and inline code
 * spans. What stands there is shown, not said: a `<!-- scrapelint ... -->` comment inside code is text of an
 * example, never a directive, and a ```mermaid fence inside a ````markdown fence is no flowchart of the page.
 *
 * Line by line, like the block phase of a CommonMark parser, with the approximations a checker can afford:
 * block quotes are read as ordinary lines, and a list item's content (indented under its marker) is never taken
 * for an indented code block unless it is indented four more columns than the item's text. Code spans are looked
 * for inside one line (CommonMark lets one run over a soft line break inside a paragraph; such a span is missed).
 */

export interface MarkdownLine {
  /** 0-based line number. */
  readonly index: number;
  /** Offset of the line's first character in the document. */
  readonly start: number;
  /** The line without its `\n` (and without a trailing `\r`). */
  readonly text: string;
  /** Inside a fenced or indented code block, or the fence lines of one. */
  readonly code: boolean;
}

export interface MarkdownFence {
  /** The opening fence line (0-based) and the closing one (the last line of the document when unclosed). */
  readonly openLine: number;
  readonly closeLine: number;
  /** Offsets: the opening fence's start, the body's start and end (the closing fence's start), the block's end. */
  readonly start: number;
  readonly bodyStart: number;
  readonly bodyEnd: number;
  readonly end: number;
  /** First word of the info string, lower case ('' when none). */
  readonly language: string;
}

export interface MarkdownBlocks {
  readonly lines: readonly MarkdownLine[];
  /** Top-level fenced code blocks, in document order (a fence written inside another is body text of it). */
  readonly fences: readonly MarkdownFence[];
}

const OPEN_FENCE = /^( {0,3})(`{3,}|~{3,})(.*)$/;
const LIST_ITEM = /^( {0,3})([-*+]|\d{1,9}[.)])( {1,4}|\t|$)/;

/** Columns of leading whitespace (a tab advances to the next multiple of 4). */
function indentOf(line: string): number {
  let column = 0;
  for (const ch of line) {
    if (ch === ' ') column++;
    else if (ch === '\t') column += 4 - (column % 4);
    else break;
  }
  return column;
}

export function markdownBlocks(text: string): MarkdownBlocks {
  const lines: MarkdownLine[] = [];
  const fences: MarkdownFence[] = [];
  let open:
    | {
        char: string;
        length: number;
        margin: number;
        openLine: number;
        start: number;
        bodyStart: number;
        language: string;
      }
    | undefined;
  /** The previous line was paragraph text (an indented line then continues the paragraph, it is no code). */
  let paragraph = false;
  /** Column where the text of the innermost open list item starts; undefined outside lists. */
  let listContent: number | undefined;
  let start = 0;
  for (let index = 0; start <= text.length; index++) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const line = text.slice(start, end).replace(/\r$/, '');
    const blank = line.trim() === '';
    const indent = indentOf(line);
    let code = false;
    if (open !== undefined) {
      code = true;
      // The closing fence may be indented up to 3 columns past the margin the opening one had.
      const match = /^ {0,3}(`+|~+)[ \t]*$/.exec(line.slice(Math.min(open.margin, indentOf(line))));
      const marker = match?.[1];
      if (marker !== undefined && marker.startsWith(open.char) && marker.length >= open.length) {
        fences.push({
          openLine: open.openLine,
          closeLine: index,
          start: open.start,
          bodyStart: open.bodyStart,
          bodyEnd: start,
          end,
          language: open.language,
        });
        open = undefined;
      }
    } else if (blank) {
      paragraph = false;
    } else {
      // Inside a list item, its content column counts as the left margin.
      const margin = listContent !== undefined && indent >= listContent ? listContent : 0;
      if (listContent !== undefined && indent < listContent && !LIST_ITEM.test(line) && !paragraph) {
        listContent = undefined;
      }
      if (!paragraph && indent - margin >= 4) {
        code = true; // an indented code block (it cannot interrupt a paragraph)
      } else {
        const rest = line.slice(Math.min(margin, line.length - line.trimStart().length));
        const fence = OPEN_FENCE.exec(rest);
        const marker = fence?.[2];
        const info = fence?.[3] ?? '';
        if (marker !== undefined && !(marker.startsWith('`') && info.includes('`'))) {
          code = true;
          open = {
            char: marker.charAt(0),
            length: marker.length,
            margin: Math.min(margin, indent),
            openLine: index,
            start,
            bodyStart: Math.min(end + 1, text.length),
            language: (info.trim().split(/\s+/)[0] ?? '').toLowerCase(),
          };
          paragraph = false;
        } else {
          const item = LIST_ITEM.exec(line);
          if (item !== null) {
            const gap = item[3] ?? '';
            listContent = (item[1] ?? '').length + (item[2] ?? '').length + (gap === '' ? 1 : indentOf(gap));
          }
          // Headings, thematic breaks and HTML comments end a paragraph; other text starts or continues one.
          paragraph = !/^ {0,3}(#{1,6}(\s|$)|<!--|([-*_])(\s*\3){2,}\s*$)/.test(line);
        }
      }
    }
    lines.push({ index, start, text: line, code });
    if (end >= text.length) break;
    start = end + 1;
  }
  // An unclosed fence runs to the end of the document (CommonMark).
  if (open !== undefined) {
    fences.push({
      openLine: open.openLine,
      closeLine: lines.length - 1,
      start: open.start,
      bodyStart: open.bodyStart,
      bodyEnd: text.length,
      end: text.length,
      language: open.language,
    });
  }
  return { lines, fences };
}

/**
 * A line with its inline code spans blanked out (same length, so offsets hold): a backtick run opens a span that
 * the next run of the same length closes; a run with no partner is literal text. A backslash escapes a backtick
 * outside spans.
 */
export function withoutCodeSpans(line: string): string {
  if (!line.includes('`')) return line;
  let out = '';
  let i = 0;
  while (i < line.length) {
    const ch = line.charAt(i);
    if (ch === '\\' && line.charAt(i + 1) === '`') {
      out += '\\`';
      i += 2;
      continue;
    }
    if (ch !== '`') {
      out += ch;
      i++;
      continue;
    }
    let run = i;
    while (line.charAt(run) === '`') run++;
    const length = run - i;
    let close = -1;
    for (let j = run; j < line.length;) {
      if (line.charAt(j) !== '`') {
        j++;
        continue;
      }
      let k = j;
      while (line.charAt(k) === '`') k++;
      if (k - j === length) {
        close = j;
        break;
      }
      j = k;
    }
    if (close === -1) {
      out += line.slice(i, run);
      i = run;
      continue;
    }
    out += ' '.repeat(close + length - i);
    i = close + length;
  }
  return out;
}
