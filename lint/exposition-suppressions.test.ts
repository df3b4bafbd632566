import { describe, expect, it } from 'vitest';
import { lintExpositionStream, MAX_EXPOSITION_DIRECTIVES } from './engine.js';
import type { LintSettings } from './engine.js';
import { chunksOf } from './sources/exposition.js';
import type { FileResult } from './types.js';

const lint = (text: string | string[], settings: LintSettings = {}): Promise<FileResult> =>
  lintExpositionStream(chunksOf(...(Array.isArray(text) ? text : [text])), {
    filePath: 'app.prom',
    settings,
  });

const shown = (result: FileResult): string[] =>
  result.messages.map((m) => `${m.line}:${m.column}-${m.endLine}:${m.endColumn} ${m.ruleId} ${m.messageId}`);

const ts = Date.now();

describe('suppression comments in text-format expositions', () => {
  it('disable-next-line silences the named rule on the next line only, keeping the reason', async () => {
    const result = await lint(
      [
        '# scrapelint disable-next-line timestamped-samples -- replayed from a file on purpose\n',
        `a 1 ${ts}\n`,
        `b 1 ${ts}\n`,
      ].join(''),
    );
    expect(shown(result)).toEqual(['3:5-3:18 timestamped-samples timestamped']);
    expect(result.suppressedMessages.map((m) => [m.line, m.ruleId, m.suppressedBy?.justification])).toEqual([
      [2, 'timestamped-samples', 'replayed from a file on purpose'],
    ]);
  });

  it('disable silences a whole-exposition finding, even when the comment comes after it', async () => {
    const many = Array.from({ length: 12 }, (_, i) => `m{i="${i}"} 1\n`).join('');
    const settings: LintSettings = {
      rules: { 'single-massive-target': { options: { warnSamples: 10, errorSamples: 100 } } },
    };
    expect(shown(await lint(many, settings)).map((s) => s.split(' ')[1])).toEqual(['single-massive-target']);
    const result = await lint(
      `${many}# scrapelint disable single-massive-target -- a test fixture\n`,
      settings,
    );
    expect(result.messages).toEqual([]);
    expect(result.suppressedMessages.map((m) => m.ruleId)).toEqual(['single-massive-target']);
  });

  it('disable silences missing-up-series (samples of several jobs behind one target)', async () => {
    const body = 'up{job="a",instance="x"} 1\nup{job="b",instance="y"} 1\n';
    expect(shown(await lint(body)).map((s) => s.split(' ')[1])).toEqual(['missing-up-series']);
    const result = await lint(`# scrapelint disable missing-up-series -- federated on purpose\n${body}`);
    expect(result.messages).toEqual([]);
    expect(result.suppressedMessages.map((m) => m.suppressedBy?.justification)).toEqual([
      'federated on purpose',
    ]);
  });

  it('reports unused directives and unknown rule ids at the comment, with columns on its line', async () => {
    const result = await lint(
      'a 1\n# scrapelint disable-next-line timestamped-samples\nb 1\n  # scrapelint disable no-such-rule\n',
    );
    expect(shown(result)).toEqual([
      '2:1-2:51 unused-suppression unused',
      '4:24-4:36 unused-suppression unknownRule',
    ]);
  });

  it('a directive split across chunks is read whole', async () => {
    const result = await lint(['# scrapelint disab', 'le-next-line timestamped-samples\n', `a 1 ${ts}\n`]);
    expect(result.messages).toEqual([]);
    expect(result.suppressedMessages).toHaveLength(1);
  });

  it('ordinary comments and look-alikes are no directives', async () => {
    const result = await lint(
      '# scrapelint is great\n# scrapelint disabled timestamped-samples\n# HELP a scrapelint disable\na 1\n',
    );
    expect(result.messages).toEqual([]);
    expect(result.suppressedMessages).toEqual([]);
  });

  it('unused-suppression can be turned off', async () => {
    const result = await lint('# scrapelint disable timestamped-samples\na 1\n', {
      rules: { 'unused-suppression': { severity: 'off' } },
    });
    expect(result.messages).toEqual([]);
  });

  it(`honours at most ${MAX_EXPOSITION_DIRECTIVES} directives and reports the rest once`, async () => {
    const comments = Array.from(
      { length: MAX_EXPOSITION_DIRECTIVES + 5 },
      () => '# scrapelint disable-next-line timestamped-samples\n',
    ).join('');
    const result = await lint(`${comments}a 1\n`, { rules: { 'unused-suppression': { severity: 'error' } } });
    const tooMany = result.messages.filter((m) => m.messageId === 'tooMany');
    expect(tooMany.map((m) => [m.line, m.severity])).toEqual([[MAX_EXPOSITION_DIRECTIVES + 1, 'error']]);
    expect(tooMany[0]?.message).toContain('the 5 from this one on are ignored');
    expect(result.messages.filter((m) => m.messageId === 'unused')).toHaveLength(MAX_EXPOSITION_DIRECTIVES);
  });
});

describe('suppression comments in OpenMetrics', () => {
  it('are not honoured: OpenMetrics allows no such comment, and parse-error says so at the comment', async () => {
    const result = await lint(
      `# scrapelint disable timestamped-samples\n# TYPE a gauge\na 1 ${(ts / 1000).toFixed(3)}\n# EOF\n`,
    );
    expect(shown(result)).toEqual([
      '1:1-1:41 parse-error exposition',
      '3:5-3:19 timestamped-samples timestamped',
    ]);
    expect(result.messages[0]?.message).toContain('invalid-metadata');
    expect(result.suppressedMessages).toEqual([]);
  });
});

describe('the cap of findings per rule counts only the findings no suppression silences', () => {
  /** Every timestamped sample reported on its own (the rule's own summary would otherwise start at 6). */
  const each: LintSettings = { rules: { 'timestamped-samples': { options: { maxReported: 1000 } } } };
  const capped = (text: string, max: number, settings: LintSettings = each): Promise<FileResult> =>
    lintExpositionStream(chunksOf(text), { filePath: 'app.prom', settings, maxFindingsPerRule: max });
  const silenced = (count: number, from = 0): string =>
    Array.from(
      { length: count },
      (_, i) => `# scrapelint disable-next-line timestamped-samples -- replay\ns${from + i} 1 ${ts}\n`,
    ).join('');
  const plain = (count: number, from = 0): string =>
    Array.from({ length: count }, (_, i) => `r${from + i} 1 ${ts}\n`).join('');
  const lines = (messages: FileResult['messages']): string[] =>
    messages.map((m) => `${m.line} ${m.ruleId} ${m.messageId}`);

  it('suppressed findings before the cap is reached leave room for the ones that are shown', async () => {
    const result = await capped(`${silenced(5)}${plain(4)}`, 3);
    expect(lines(result.messages)).toEqual([
      '11 timestamped-samples timestamped',
      '12 timestamped-samples timestamped',
      '13 timestamped-samples timestamped',
      '14 timestamped-samples truncated',
    ]);
    expect(result.messages[3]?.message).toBe(
      'and 1 more finding of timestamped-samples (only the first 3 are listed)',
    );
    expect(result.warningCount).toBe(4);
    // The suppressed ones have a cap of their own, with an honest count of the rest; every directive was used.
    expect(lines(result.suppressedMessages)).toEqual([
      '2 timestamped-samples timestamped',
      '4 timestamped-samples timestamped',
      '6 timestamped-samples timestamped',
      '8 timestamped-samples truncated',
    ]);
    expect(result.suppressedMessages[3]?.message).toBe(
      'and 2 more suppressed findings of timestamped-samples (only the first 3 are listed)',
    );
    expect(result.suppressedMessages[3]?.suppressedBy).toEqual({ justification: 'replay' });
  });

  it('with the default cap of 100, 100 suppressed findings do not hide the next real ones', async () => {
    const result = await lintExpositionStream(chunksOf(`${silenced(100)}${plain(3)}`), {
      filePath: 'app.prom',
      settings: each,
    });
    expect(lines(result.messages)).toEqual([
      '201 timestamped-samples timestamped',
      '202 timestamped-samples timestamped',
      '203 timestamped-samples timestamped',
    ]);
    expect(result.suppressedMessages).toHaveLength(100);
  });

  it('shown and suppressed findings interleaved: each kind fills its own cap', async () => {
    const text = `${plain(1, 0)}${silenced(1, 0)}${plain(1, 1)}${silenced(1, 1)}${plain(1, 2)}${silenced(1, 2)}`;
    const result = await capped(text, 2);
    expect(lines(result.messages)).toEqual([
      '1 timestamped-samples timestamped',
      '4 timestamped-samples timestamped',
      '7 timestamped-samples truncated',
    ]);
    expect(lines(result.suppressedMessages)).toEqual([
      '3 timestamped-samples timestamped',
      '6 timestamped-samples timestamped',
      '9 timestamped-samples truncated',
    ]);
  });

  it('a whole-file disable seen first silences every finding of the rule, counted apart', async () => {
    const result = await capped(`# scrapelint disable timestamped-samples\n${plain(5)}`, 3);
    expect(result.messages).toEqual([]);
    expect(lines(result.suppressedMessages)).toHaveLength(4);
    expect(result.suppressedMessages[3]?.message).toBe(
      'and 2 more suppressed findings of timestamped-samples (only the first 3 are listed)',
    );
  });

  it('a whole-file disable at the end still silences everything, the count of the rest included', async () => {
    const result = await capped(`${plain(5)}# scrapelint disable timestamped-samples\n`, 3);
    expect(result.messages).toEqual([]);
    expect(result.suppressedMessages.map((m) => m.message).at(-1)).toBe(
      'and 2 more findings of timestamped-samples (only the first 3 are listed)',
    );
  });

  it('a directive for another rule does not take a finding out of the cap, and is reported unused', async () => {
    const other = `# scrapelint disable-next-line duplicate-series\nx 1 ${ts}\n`;
    const result = await capped(`${other}${plain(3)}`, 2);
    expect(lines(result.messages)).toEqual([
      '1 unused-suppression unused',
      '2 timestamped-samples timestamped',
      '3 timestamped-samples timestamped',
      '4 timestamped-samples truncated',
    ]);
    expect(result.suppressedMessages).toEqual([]);
  });

  it('directives past the honoured number do not count as suppressions for the cap either', async () => {
    const comments = '# scrapelint disable-next-line timestamped-samples\n'.repeat(MAX_EXPOSITION_DIRECTIVES);
    const result = await capped(`${comments}${silenced(2)}`, 1);
    // Line 1000 holds the last honoured directive (it covers a comment); those on 1001 and 1003 are ignored.
    expect(result.suppressedMessages).toEqual([]);
    expect(lines(result.messages).filter((l) => !l.endsWith('unused'))).toEqual([
      '1001 unused-suppression tooMany',
      '1002 timestamped-samples timestamped',
      '1004 timestamped-samples truncated',
    ]);
  });
});
