import { describe, expect, it } from 'vitest';
import { lintExpositionStream } from '../engine.js';
import { RuleOptionsError } from '../sources/configured-rule.js';
import { chunksOf } from '../sources/exposition.js';
import { lintExpositionText, positions } from '../sources/exposition-testing.js';
import type { FileResult } from '../types.js';
import { timestampedSamples } from './timestamped-samples.js';
import unusedSuppression from './unused-suppression.js';

const lint = (text: string, options: unknown = {}, input = {}) =>
  lintExpositionText(timestampedSamples, text, options, input);

describe('timestamped-samples', () => {
  const valid: [string, string][] = [
    ['no timestamps', '# TYPE a gauge\na 1\na{x="y"} 2\n'],
    ['an empty exposition', ''],
    [
      'an exemplar timestamp is not a sample timestamp',
      'a_total 1 # {trace_id="1"} 1 1700000000.000\n# EOF\n',
    ],
  ];
  it.each(valid)('valid: %s', async (_name, text) => {
    expect(await lint(text)).toEqual([]);
  });

  it('reports each of the first samples at its timestamp', async () => {
    const findings = await lint('# TYPE a gauge\na 1 1700000000000\na{x="y"} 2 1700000000000\n');
    expect(findings.map((f) => f.ruleId)).toEqual(['timestamped-samples', 'timestamped-samples']);
    expect(positions(findings)).toEqual([
      ['timestamped', 2, 5],
      ['timestamped', 3, 12],
    ]);
    expect(findings[0]).toMatchObject({ endLine: 2, endColumn: 18, severity: 'warn' });
    expect(findings[0]?.message).toContain('Sample a carries an explicit timestamp');
    expect(findings[0]?.message).toContain('staleness');
  });

  it('reports the first few, then one summary at the first unreported sample', async () => {
    const lines = Array.from({ length: 9 }, (_, i) => `m{i="${i}"} ${i} 1700000000000`);
    const findings = await lint(['# TYPE m gauge', 'other 1', ...lines, ''].join('\n'), { maxReported: 3 });
    expect(positions(findings)).toEqual([
      ['timestamped', 3, 12],
      ['timestamped', 4, 12],
      ['timestamped', 5, 12],
      ['more', 6, 12],
    ]);
    expect(findings[3]?.message).toBe(
      '6 more samples carry explicit timestamps, the first of them here (9 of 10 samples in all): none of their series gets staleness markers.',
    );
  });

  it('counts OpenMetrics float-second timestamps too, across chunk boundaries', async () => {
    const text = '# TYPE a gauge\na 1 1700000000.5\na{b="c"} 2\n# EOF\n';
    expect(positions(await lint(text, {}, { chunkSize: 3 }))).toEqual([['timestamped', 2, 5]]);
  });

  it('maxReported 0 gives the summary only', async () => {
    expect(positions(await lint('a 1 1\nb 1 2\n', { maxReported: 0 }))).toEqual([['more', 1, 5]]);
  });

  it('rejects invalid options', async () => {
    await expect(lint('a 1\n', { maxReported: -1 })).rejects.toThrow(RuleOptionsError);
    await expect(lint('a 1\n', { maxReported: 'many' })).rejects.toThrow(/timestamped-samples/);
    await expect(lint('a 1\n', { other: 1 })).rejects.toThrow(RuleOptionsError);
  });
});

describe('timestamped-samples with suppression comments', () => {
  const TS = 1_700_000_000_000;
  /** Through the engine, with unused-suppression on: what `scrapelint metrics` reports. */
  const run = (lines: readonly string[], options: unknown = {}): Promise<FileResult> =>
    lintExpositionStream(chunksOf([...lines, ''].join('\n')), {
      filePath: 'app.prom',
      settings: { rules: { 'timestamped-samples': { options } } },
      rules: [timestampedSamples, unusedSuppression],
    });
  const where = (messages: FileResult['messages']): string[] =>
    messages.map((m) => `${m.line} ${m.ruleId} ${m.messageId}`);
  const silenced = (name: string): string[] => [
    '# scrapelint disable-next-line timestamped-samples -- replayed on purpose',
    `${name} 1 ${TS}`,
  ];
  const more = (count: number, total: number, samples: number): string =>
    `${count} more samples carry explicit timestamps, the first of them here (${total} of ${samples} samples in all): none of their series gets staleness markers.`;

  it('suppressed first places leave the listing to the samples that are shown', async () => {
    const result = await run(
      [...silenced('s0'), ...silenced('s1'), `r0 1 ${TS}`, `r1 1 ${TS}`, `r2 1 ${TS}`, 'u 1'],
      { maxReported: 2 },
    );
    expect(where(result.messages)).toEqual([
      '5 timestamped-samples timestamped',
      '6 timestamped-samples timestamped',
      '7 timestamped-samples more',
    ]);
    expect(result.messages[2]?.message).toBe(more(1, 3, 6));
    expect(
      result.suppressedMessages.map((m) => [m.line, m.messageId, m.suppressedBy?.justification]),
    ).toEqual([
      [2, 'timestamped', 'replayed on purpose'],
      [4, 'timestamped', 'replayed on purpose'],
    ]);
  });

  it('the summary counts only samples no comment silences; the silenced ones are summed up apart', async () => {
    const result = await run(
      [`r0 1 ${TS}`, ...silenced('s0'), `r1 1 ${TS}`, ...silenced('s1'), `r2 1 ${TS}`],
      { maxReported: 1 },
    );
    expect(where(result.messages)).toEqual([
      '1 timestamped-samples timestamped',
      '4 timestamped-samples more',
    ]);
    expect(result.messages[1]?.message).toBe(more(2, 3, 5));
    expect(result.warningCount).toBe(2);
    // Every directive silenced a sample (none is reported unused), and the silenced summary stands at one of them.
    expect(where(result.suppressedMessages)).toEqual([
      '3 timestamped-samples timestamped',
      '6 timestamped-samples more',
    ]);
    expect(result.suppressedMessages[1]?.message).toBe(more(1, 2, 5));
  });

  it('maxReported 0: a silenced first sample no longer carries (and silences) the summary of all', async () => {
    const result = await run([...silenced('s0'), `r0 1 ${TS}`, `r1 1 ${TS}`], { maxReported: 0 });
    expect(where(result.messages)).toEqual(['3 timestamped-samples more']);
    expect(result.messages[0]?.message).toBe(more(2, 2, 3));
    expect(where(result.suppressedMessages)).toEqual(['2 timestamped-samples more']);
    expect(result.suppressedMessages[0]?.message).toBe(more(1, 1, 3));
  });

  it('the default listing of 5 is not spent on 5 silenced samples', async () => {
    const lines = [0, 1, 2, 3, 4].flatMap((i) => silenced(`s${i}`));
    const result = await run([...lines, `r0 1 ${TS}`, `r1 1 ${TS}`]);
    expect(where(result.messages)).toEqual([
      '11 timestamped-samples timestamped',
      '12 timestamped-samples timestamped',
    ]);
    expect(result.suppressedMessages).toHaveLength(5);
  });

  it('a whole-file disable first: everything silenced, listed and summed up as without it', async () => {
    const samples = Array.from({ length: 7 }, (_, i) => `r${i} 1 ${TS}`);
    const result = await run(['# scrapelint disable timestamped-samples -- a replay fixture', ...samples]);
    expect(result.messages).toEqual([]);
    expect(where(result.suppressedMessages)).toEqual([
      ...[2, 3, 4, 5, 6].map((line) => `${line} timestamped-samples timestamped`),
      '7 timestamped-samples more',
    ]);
    expect(result.suppressedMessages[5]?.message).toBe(more(2, 7, 7));
  });

  it('a whole-file disable further down silences the samples before it too; its summary counts them all', async () => {
    const before = [0, 1, 2].map((i) => `b${i} 1 ${TS}`);
    const after = [0, 1, 2, 3].map((i) => `a${i} 1 ${TS}`);
    const result = await run([...before, '# scrapelint disable timestamped-samples', ...after], {
      maxReported: 2,
    });
    expect(result.messages).toEqual([]);
    // Two listed before the comment (as shown while streaming); after it the listing of 2 is spent, so the samples
    // there are only counted: one summary of the other five. maxReported bounds the places listed in all.
    expect(where(result.suppressedMessages)).toEqual([
      '1 timestamped-samples timestamped',
      '2 timestamped-samples timestamped',
      '3 timestamped-samples more',
    ]);
    expect(result.suppressedMessages[2]?.message).toBe(more(5, 7, 7));
  });

  it('a whole-file disable after one listed place: the places after it fill the rest of the listing', async () => {
    const result = await run(
      [`b0 1 ${TS}`, '# scrapelint disable timestamped-samples', ...[0, 1, 2].map((i) => `a${i} 1 ${TS}`)],
      { maxReported: 2 },
    );
    expect(result.messages).toEqual([]);
    expect(where(result.suppressedMessages)).toEqual([
      '1 timestamped-samples timestamped',
      '3 timestamped-samples timestamped',
      '4 timestamped-samples more',
    ]);
    expect(result.suppressedMessages[2]?.message).toBe(more(2, 4, 4));
  });

  it('a whole-file disable at the end, after next-line ones: nothing shown, no directive unused', async () => {
    const result = await run(
      [...silenced('s0'), `r0 1 ${TS}`, `r1 1 ${TS}`, '# scrapelint disable timestamped-samples'],
      { maxReported: 1 },
    );
    expect(result.messages).toEqual([]);
    expect(where(result.suppressedMessages)).toEqual([
      '2 timestamped-samples timestamped',
      '3 timestamped-samples timestamped',
      '4 timestamped-samples more',
    ]);
    // The comment at the end silences the shown group too: one summary counts every timestamped sample.
    expect(result.suppressedMessages[2]?.message).toBe(more(1, 3, 3));
  });

  it('a comment for another rule changes nothing, and is reported unused', async () => {
    const result = await run(
      ['# scrapelint disable-next-line duplicate-series', `r0 1 ${TS}`, `r1 1 ${TS}`],
      { maxReported: 1 },
    );
    expect(where(result.messages)).toEqual([
      '1 unused-suppression unused',
      '2 timestamped-samples timestamped',
      '3 timestamped-samples more',
    ]);
    expect(result.messages[2]?.message).toBe(more(1, 2, 2));
  });
});
