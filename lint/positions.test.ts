import { describe, expect, it } from 'vitest';
import { LineIndex, locateOnLine } from './positions.js';
import { formatDuration, parseDuration } from '../exposition/duration.js';
import { formatMessage } from './messages.js';

describe('LineIndex', () => {
  const text = 'ab\ncde\n\nf';
  const index = new LineIndex(text);
  it('turns offsets into 1-based line:column', () => {
    expect(index.position(0)).toEqual({ line: 1, column: 1 });
    expect(index.position(2)).toEqual({ line: 1, column: 3 });
    expect(index.position(3)).toEqual({ line: 2, column: 1 });
    expect(index.position(7)).toEqual({ line: 3, column: 1 });
    expect(index.position(8)).toEqual({ line: 4, column: 1 });
    expect(index.position(9)).toEqual({ line: 4, column: 2 });
  });
  it('locates a range across lines', () => {
    expect(index.locate({ start: 1, end: 5 })).toEqual({ line: 1, column: 2, endLine: 2, endColumn: 3 });
  });
  it('handles an empty text', () => {
    expect(new LineIndex('').position(0)).toEqual({ line: 1, column: 1 });
  });
  it('places streamed ranges on their line', () => {
    expect(locateOnLine({ start: 105, end: 110 }, { line: 7, lineStart: 100 })).toEqual({
      line: 7,
      column: 6,
      endLine: 7,
      endColumn: 11,
    });
  });
});

describe('parseDuration', () => {
  it.each([
    ['0', 0],
    ['30s', 30_000],
    ['1m30s', 90_000],
    ['1h', 3_600_000],
    ['2d', 172_800_000],
    ['1w', 604_800_000],
    ['1y', 31_536_000_000],
    ['500ms', 500],
    ['1h2m3s4ms', 3_723_004],
  ])('%s -> %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));
  it.each(['', '30', '1.5s', '-1s', '1s1m', '1 m', 's', '1M', '1m1m', ' 1s'])('refuses %j', (text) =>
    expect(parseDuration(text)).toBeUndefined(),
  );
  it('formats the shortest spelling', () => {
    expect(formatDuration(90_000)).toBe('1m30s');
    expect(formatDuration(300_000)).toBe('5m');
    expect(formatDuration(0)).toBe('0s');
  });
});

describe('formatMessage', () => {
  it('fills placeholders and keeps unknown ones', () => {
    expect(formatMessage('{{a}} and {{ b }} and {{c}}', { a: 1, b: 'x' })).toBe('1 and x and {{c}}');
  });
});
