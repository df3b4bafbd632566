import { describe, expect, it } from 'vitest';
import { parseDirectives, silences, StreamedDirectives } from './suppressions.js';

describe('parseDirectives', () => {
  it('reads both kinds, several ids, and the reason after --', () => {
    const text =
      'a: 1\n# scrapelint disable-next-line single-massive-target, missing-up-series -- batch only\nb: 2 # scrapelint disable scrape-timeout\n';
    const [next, file] = parseDirectives(text);
    expect(next).toMatchObject({
      kind: 'disable-next-line',
      ruleIds: ['single-massive-target', 'missing-up-series'],
      justification: 'batch only',
      line: 2,
    });
    expect(text.slice(next!.idRanges[1]!.start, next!.idRanges[1]!.end)).toBe('missing-up-series');
    expect(file).toMatchObject({ kind: 'disable', ruleIds: ['scrape-timeout'], justification: '', line: 3 });
    expect(text.slice(file!.range.start, file!.range.end)).toBe('# scrapelint disable scrape-timeout');
  });
  it('ignores look-alikes', () => {
    expect(
      parseDirectives(
        "targets: ['a#scrapelint disable x']\n# scrapelint is great\n# scrapelint disabled x\n",
      ),
    ).toEqual([]);
  });
  it('without ids silences every rule; next-line reaches only the next line', () => {
    const [all] = parseDirectives('# scrapelint disable-next-line\n');
    expect(all!.ruleIds).toEqual([]);
    expect(silences(all!, 'anything', 2)).toBe(true);
    expect(silences(all!, 'anything', 3)).toBe(false);
    const [file] = parseDirectives('x: 1\n# scrapelint disable a -- why\n');
    expect(silences(file!, 'a', 1)).toBe(true);
    expect(silences(file!, 'b', 1)).toBe(false);
  });
  it('handles CRLF and a file without a final newline', () => {
    const [d] = parseDirectives('a: 1\r\n# scrapelint disable x -- r\r\n');
    expect(d).toMatchObject({ ruleIds: ['x'], justification: 'r', line: 2 });
    expect(parseDirectives('# scrapelint disable y')[0]?.ruleIds).toEqual(['y']);
  });
});

describe('StreamedDirectives', () => {
  const text = [
    'a 1',
    '# scrapelint disable-next-line timestamped-samples',
    'b 1',
    '# scrapelint disable duplicate-series',
    '# scrapelint disable-next-line',
    'c 1',
    '# scrapelint disable',
  ].join('\n');

  it('answers what a directive seen so far silences, as silences() would, and marks it used', () => {
    const [nextB, fileDup, nextC, fileAll] = parseDirectives(text);
    const seen = new StreamedDirectives();
    expect(seen.size).toBe(0);
    expect(seen.silence('timestamped-samples', 3)).toBe(false);
    seen.add(nextB!);
    expect(seen.silence('timestamped-samples', 3)).toBe(true);
    expect(seen.silence('timestamped-samples', 4)).toBe(false);
    expect(seen.silence('duplicate-series', 3)).toBe(false);
    expect([...seen.used]).toEqual([nextB]);
    seen.add(fileDup!);
    seen.add(nextC!);
    expect(seen.silence('duplicate-series', 1)).toBe(true);
    // Line 6: both the whole-file directive (line 4) and the one above it (line 5) apply; the first in file order
    // is the one applyDirectives picks, so it is the one marked used.
    expect(seen.silence('duplicate-series', 6)).toBe(true);
    expect(seen.silence('stale-timestamps', 6)).toBe(true);
    expect(seen.used).toEqual(new Set([nextB, fileDup, nextC]));
    seen.add(fileAll!);
    expect(seen.silence('parse-error', 100)).toBe(true);
    expect(seen.list).toEqual([nextB, fileDup, nextC, fileAll]);
  });

  it('remembers only the last answer, and forgets it when a directive arrives', () => {
    const [nextB, , , fileAll] = parseDirectives(text);
    const seen = StreamedDirectives.of([nextB!]);
    expect(seen.silence('stale-timestamps', 5)).toBe(false);
    expect(seen.silence('stale-timestamps', 5)).toBe(false);
    expect(seen.silence('timestamped-samples', 3)).toBe(true);
    expect(seen.silence('timestamped-samples', 3)).toBe(true);
    expect(seen.silence('stale-timestamps', 3)).toBe(false);
    seen.add(fileAll!);
    // Asked again after a whole-file directive came: a new answer, and that directive is now used.
    expect(seen.silence('stale-timestamps', 3)).toBe(true);
    expect(seen.used).toEqual(new Set([nextB, fileAll]));
  });
});
