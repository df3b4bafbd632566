import { describe, expect, it } from 'vitest';
import { ExpositionParser } from './parse.js';
import { capacityFor, MAX_PRESIZED_CAPACITY, SeriesTable } from './series-table.js';
import type { ParseEvent } from './types.js';

/** Distinct, well-spread hash pairs (unsigned 32-bit lanes, h2 never 0, as the parser passes them). */
function series(n: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let x = 0x9e3779b9;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const h1 = x;
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out.push([h1, (x | 1) >>> 0]);
  }
  return out;
}

describe('SeriesTable', () => {
  it('sizes its slots for the series it is told to expect, within the 3/4 load factor and the cap', () => {
    expect(capacityFor(0)).toBe(1024);
    expect(capacityFor(768)).toBe(1024);
    expect(capacityFor(769)).toBe(2048);
    expect(capacityFor(1_000_000)).toBe(1 << 21);
    expect(capacityFor(1e12)).toBe(MAX_PRESIZED_CAPACITY);
    expect(new SeriesTable(1_000_000).capacity).toBe(1 << 21);
  });

  it('does not grow while the expected series arrive', () => {
    const table = new SeriesTable(5000);
    const before = table.capacity;
    for (const [i, [h1, h2]] of series(5000).entries()) table.add(h1, h2, i + 1, i * 10, 9, Number.NaN);
    expect(table.size).toBe(5000);
    expect(table.capacity).toBe(before);
  });

  it('grows past a guess that was too small and still finds every first occurrence', () => {
    const all = series(20_000);
    const table = new SeriesTable(10);
    for (const [i, [h1, h2]] of all.entries()) {
      expect(table.add(h1, h2, i + 1, i * 10, 9, i % 1000 === 0 ? i : Number.NaN)).toBeUndefined();
    }
    expect(table.capacity).toBeGreaterThan(capacityFor(10));
    for (const i of [0, 1, 1023, 1024, 1025, 12_345, 19_999]) {
      const [h1, h2] = all[i]!;
      expect(table.add(h1, h2, 99_999, 0, 1, Number.NaN)).toEqual({
        line: i + 1,
        lineStart: i * 10,
        lineLength: 9,
        timestampMs: i % 1000 === 0 ? i : Number.NaN,
      });
    }
    expect(table.size).toBe(20_000);
  });
});

describe('ExpositionParser sizeHint', () => {
  function duplicates(text: string, sizeHint?: number): number {
    const events: ParseEvent[] = [];
    const parser = new ExpositionParser(sizeHint === undefined ? {} : { sizeHint }, (event) =>
      events.push(event),
    );
    parser.write(text);
    parser.end();
    return events.filter((e) => e.kind === 'fact' && e.code === 'duplicate-series').length;
  }
  const body = Array.from({ length: 3000 }, (_, i) => `m{i="${i % 2500}"} 1\n`).join('');

  it('reports the same duplicates whatever the hint, including nonsense ones', () => {
    expect(duplicates(body)).toBe(500);
    for (const hint of [body.length, 1, 0, -5, Number.NaN, Number.POSITIVE_INFINITY, 1e15]) {
      expect(duplicates(body, hint)).toBe(500);
    }
  });
});

describe('series identity for duplicate-series', () => {
  function duplicateLines(text: string): number[] {
    const lines: number[] = [];
    const parser = new ExpositionParser({}, (event) => {
      if (event.kind === 'fact' && event.code === 'duplicate-series') lines.push(event.line);
    });
    parser.write(text);
    parser.end();
    return lines;
  }

  it('ignores labels with an empty value, which Prometheus drops at ingestion', () => {
    expect(duplicateLines('a{x="1",z=""} 1\na{x="1"} 2\n')).toEqual([2]);
    expect(duplicateLines('a{z=""} 1\na 2\n')).toEqual([2]);
    expect(duplicateLines('a{x="1"} 1\na{z="",x="1",y=""} 2\n')).toEqual([2]);
  });

  it('still tells apart label sets that differ in a non-empty value, or in a name with a value', () => {
    expect(duplicateLines('a{x="1",z="2"} 1\na{x="1"} 2\na{x="1",y="2"} 3\na{x="2"} 4\n')).toEqual([]);
    expect(duplicateLines('a{x=""} 1\nb{x=""} 2\n')).toEqual([]);
  });
});
