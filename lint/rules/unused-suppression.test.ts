import { describe, expect, it } from 'vitest';
import { lintConfigText } from '../config-engine.js';
import { testRule } from '../rule-tester.js';
import rule from './unused-suppression.js';

// On its own the rule sees no other rule's findings, so every directive is unused (or names an unknown rule).
testRule(rule, {
  valid: ['scrape_configs:\n  - job_name: a # a plain comment\n', '# scrapelint is great\nglobal: {}\n'],
  invalid: [
    {
      code: '# scrapelint disable-next-line honor-timestamps -- reason\nscrape_configs: []\n',
      errors: [{ messageId: 'unused', line: 1, column: 1, endLine: 1, endColumn: 58 }],
    },
    {
      code: 'scrape_configs: [] # scrapelint disable\n',
      errors: [
        {
          messageId: 'unusedFile',
          line: 1,
          column: 20,
          endLine: 1,
          endColumn: 40,
          messageIncludes: 'all rules',
        },
      ],
    },
    {
      code: '# scrapelint disable no-such-rule\nscrape_configs: []\n',
      errors: [{ messageId: 'unknownRule', line: 1, column: 22, endLine: 1, endColumn: 34 }],
    },
  ],
});

const exposer = (before: string, inline = ''): string =>
  `scrape_configs:\n${before}  - job_name: exposer${inline}\n    honor_labels: true\n    sample_limit: 1000\n    track_timestamps_staleness: true\n    static_configs: [{targets: [exposer:8080]}]\n`;

describe('suppressions with every rule', () => {
  it('disable-next-line silences the named rules on the next line, keeps the reason, reports nothing unused', () => {
    const result = lintConfigText(
      exposer(
        '  # scrapelint disable-next-line single-massive-target, missing-up-series -- batch jobs only\n',
      ),
      'p.yml',
    );
    expect(result.messages).toEqual([]);
    expect(result.suppressedMessages.map((m) => [m.ruleId, m.line, m.suppressedBy?.justification])).toEqual([
      ['missing-up-series', 3, 'batch jobs only'],
      ['single-massive-target', 3, 'batch jobs only'],
    ]);
  });

  it('disable-next-line does not reach other lines or other rules', () => {
    const result = lintConfigText(
      exposer('  # scrapelint disable-next-line missing-up-series\n  # (one line too early)\n'),
      'p.yml',
    );
    expect(result.messages.map((m) => `${m.line} ${m.ruleId}`)).toEqual([
      '2 unused-suppression',
      '4 missing-up-series',
      '4 single-massive-target',
    ]);
  });

  it('disable silences a rule in the whole file', () => {
    const result = lintConfigText(`# scrapelint disable single-massive-target\n${exposer('')}`, 'p.yml');
    expect(result.messages.map((m) => m.ruleId)).toEqual(['missing-up-series']);
    expect(result.suppressedMessages.map((m) => m.ruleId)).toEqual(['single-massive-target']);
  });

  it('unused-suppression can be turned off', () => {
    const result = lintConfigText('# scrapelint disable honor-timestamps\nglobal: {}\n', 'p.yml', {
      rules: { 'unused-suppression': { severity: 'off' } },
    });
    expect(result.messages).toEqual([]);
  });
});
