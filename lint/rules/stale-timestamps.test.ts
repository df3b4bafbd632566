import { describe, expect, it } from 'vitest';
import { lintExpositionStream } from '../engine.js';
import { RuleOptionsError } from '../sources/configured-rule.js';
import { chunksOf } from '../sources/exposition.js';
import { lintExpositionText, positions } from '../sources/exposition-testing.js';
import type { FileResult } from '../types.js';
import { staleTimestamps } from './stale-timestamps.js';
import unusedSuppression from './unused-suppression.js';

const NOW = 1_700_000_000_000;
const lint = (text: string, options: Record<string, unknown> = {}) =>
  lintExpositionText(staleTimestamps, text, { now: NOW, ...options });

describe('stale-timestamps', () => {
  const valid: [string, string][] = [
    ['no timestamps', 'a 1\n'],
    ['now', `a 1 ${NOW}\n`],
    ['just inside the lookback', `a 1 ${NOW - 300_000}\n`],
    ['just inside the skew', `a 1 ${NOW + 60_000}\n`],
  ];
  it.each(valid)('valid: %s', async (_name, text) => {
    expect(await lint(text)).toEqual([]);
  });

  it('reports timestamps older than the lookback at the timestamp', async () => {
    const findings = await lint(
      `# TYPE a gauge\na{x="1"} 1 ${NOW - 300_001}\na{x="2"} 1 ${NOW - 7_200_000}\n`,
    );
    expect(findings.map((f) => f.ruleId)).toEqual(['stale-timestamps', 'stale-timestamps']);
    expect(positions(findings)).toEqual([
      ['old', 2, 12],
      ['old', 3, 12],
    ]);
    expect(findings[1]?.message).toBe(
      'Sample a is timestamped 2h before now, more than the 5m lookback: queries never see it as current, and past about an hour Prometheus drops it as out of bounds.',
    );
  });

  it('reports timestamps ahead of now beyond the skew', async () => {
    const findings = await lint(`a 1 ${NOW + 90_000}\n`);
    expect(positions(findings)).toEqual([['future', 1, 5]]);
    expect(findings[0]?.message).toContain(
      'timestamped 1m30s ahead of now, more than the allowed 1m clock skew',
    );
  });

  it('takes the lookback and skew from options', async () => {
    const text = `a 1 ${NOW - 600_000}\nb 1 ${NOW + 600_000}\n`;
    expect(await lint(text, { lookback: '15m', futureSkew: '15m' })).toEqual([]);
    expect(positions(await lint(text, { lookback: '1m', futureSkew: '1m' }))).toEqual([
      ['old', 1, 5],
      ['future', 2, 5],
    ]);
  });

  it('reports the first few per direction, then a summary each', async () => {
    const old = Array.from({ length: 4 }, (_, i) => `o{i="${i}"} 1 ${NOW - 3_600_000 * (i + 1)}`);
    const future = Array.from({ length: 3 }, (_, i) => `f{i="${i}"} 1 ${NOW + 3_600_000 * (i + 1)}`);
    const findings = await lint([...old, ...future, ''].join('\n'), { maxReported: 1 });
    expect(positions(findings)).toEqual([
      ['old', 1, 12],
      ['future', 5, 12],
      ['moreOld', 2, 12],
      ['moreFuture', 6, 12],
    ]);
    expect(findings[2]?.message).toBe(
      '3 more samples are older than the 5m lookback, the first of them here (4 in all, the oldest 4h before now).',
    );
    expect(findings[3]?.message).toBe(
      '2 more samples are ahead of now beyond the 1m skew, the first of them here (3 in all, the furthest 3h ahead).',
    );
  });

  it('defaults now to the current time', async () => {
    const findings = await lintExpositionText(
      staleTimestamps,
      `a 1 ${Date.now() - 86_400_000}\nb 1 ${Date.now()}\n`,
    );
    expect(positions(findings)).toEqual([['old', 1, 5]]);
  });

  it('rejects invalid durations and unknown options', async () => {
    await expect(lint('a 1\n', { lookback: '5 minutes' })).rejects.toThrow(RuleOptionsError);
    await expect(lint('a 1\n', { futureSkew: '-1m' })).rejects.toThrow(
      /futureSkew: must be a Prometheus duration/,
    );
    await expect(lint('a 1\n', { now: 'yesterday' })).rejects.toThrow(RuleOptionsError);
  });
});

describe('stale-timestamps with suppression comments', () => {
  const run = (lines: readonly string[], options: Record<string, unknown> = {}): Promise<FileResult> =>
    lintExpositionStream(chunksOf([...lines, ''].join('\n')), {
      filePath: 'app.prom',
      settings: { rules: { 'stale-timestamps': { options: { now: NOW, ...options } } } },
      rules: [staleTimestamps, unusedSuppression],
    });
  const where = (messages: FileResult['messages']): string[] =>
    messages.map((m) => `${m.line} ${m.messageId}`);
  const hoursAgo = (name: string, hours: number): string => `${name} 1 ${NOW - 3_600_000 * hours}`;
  const silenced = (line: string): string[] => [
    '# scrapelint disable-next-line stale-timestamps -- a replayed backlog',
    line,
  ];

  it('silenced places take no room in the listing; the summary counts and measures only the shown ones', async () => {
    const result = await run(
      [...silenced(hoursAgo('s0', 5)), hoursAgo('r0', 3), ...silenced(hoursAgo('s1', 9)), hoursAgo('r1', 1)],
      { maxReported: 1 },
    );
    expect(where(result.messages)).toEqual(['3 old', '6 moreOld']);
    expect(result.messages[1]?.message).toBe(
      '1 more samples are older than the 5m lookback, the first of them here (2 in all, the oldest 3h before now).',
    );
    expect(where(result.suppressedMessages)).toEqual(['2 old', '5 moreOld']);
    expect(result.suppressedMessages[1]?.message).toBe(
      '1 more samples are older than the 5m lookback, the first of them here (2 in all, the oldest 9h before now).',
    );
  });

  it('each direction has its own listing: a silenced old sample leaves a future one alone', async () => {
    const result = await run(
      [
        ...silenced(hoursAgo('s0', 2)),
        hoursAgo('r0', 2),
        `f0 1 ${NOW + 3_600_000}`,
        `f1 1 ${NOW + 7_200_000}`,
      ],
      { maxReported: 1 },
    );
    expect(where(result.messages)).toEqual(['3 old', '4 future', '5 moreFuture']);
    expect(where(result.suppressedMessages)).toEqual(['2 old']);
  });

  it('a whole-file disable after some places: everything silenced, one summary of every place', async () => {
    const result = await run(
      [hoursAgo('b0', 1), '# scrapelint disable stale-timestamps', hoursAgo('a0', 2), hoursAgo('a1', 4)],
      { maxReported: 0 },
    );
    expect(result.messages).toEqual([]);
    expect(where(result.suppressedMessages)).toEqual(['1 moreOld']);
    expect(result.suppressedMessages[0]?.message).toBe(
      '3 more samples are older than the 5m lookback, the first of them here (3 in all, the oldest 4h before now).',
    );
  });
});
