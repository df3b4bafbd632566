/**
 * Offsets inside, 1-based line:column at the edge. One line-start table per file (built once, searched by
 * bisection); streamed findings carry their line instead (`at`), so no table of a large exposition is kept.
 */
import type { LinePosition, Range } from '../exposition/types.js';

export interface Location {
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

export class LineIndex {
  readonly #starts: number[];

  constructor(text: string) {
    const starts = [0];
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    this.#starts = starts;
  }

  /** 1-based line and column of an offset (UTF-16 code units; offsets past the end clamp to the last line). */
  position(offset: number): { line: number; column: number } {
    const starts = this.#starts;
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((starts[mid] ?? 0) <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: Math.max(0, offset - (starts[low] ?? 0)) + 1 };
  }

  locate(range: Range): Location {
    const start = this.position(range.start);
    const end = this.position(Math.max(range.start, range.end));
    return { line: start.line, column: start.column, endLine: end.line, endColumn: end.column };
  }
}

/** A streamed finding: both ends stand on the line that `at` describes. */
export function locateOnLine(range: Range, at: LinePosition): Location {
  return {
    line: at.line,
    column: range.start - at.lineStart + 1,
    endLine: at.line,
    endColumn: Math.max(range.start, range.end) - at.lineStart + 1,
  };
}
