/**
 * `context.isSuppressed` in the sources read whole (configs, Markdown), through a probe rule that lists the first
 * job no comment silences. The streamed-exposition side, with lint/listing.ts, is covered by the tests of
 * timestamped-samples and stale-timestamps.
 */
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { defineRule } from './define-rule.js';
import { lintConfigText } from './config-engine.js';
import { lintDocsModel } from './engine.js';
import unusedSuppression from './rules/unused-suppression.js';
import { parseDocs } from './sources/docs.js';
import type { FileResult } from './types.js';

/** Lists the first job no comment silences, and the first silenced one; counts the rest of each. */
const firstJob = defineRule({
  meta: {
    id: 'first-job',
    description: 'lists the first job, for tests of context.isSuppressed',
    defaultSeverity: 'warn',
    appliesTo: ['config', 'docs'],
    messages: { first: 'first job {{name}}, {{more}} more', chart: 'chart, {{suppressed}}' },
    schema: z.strictObject({}),
  },
  create(context) {
    return {
      config(model) {
        for (const suppressed of [false, true]) {
          const jobs = model.jobs.filter((job) => context.isSuppressed(job.name.range) === suppressed);
          const [first] = jobs;
          if (first === undefined) continue;
          context.report({
            messageId: 'first',
            data: { name: first.name.value, more: jobs.length - 1 },
            range: first.name.range,
          });
        }
      },
      docs(model) {
        for (const chart of model.flowcharts) {
          const suppressed = context.isSuppressed(chart.range) ? 'silenced' : 'shown';
          context.report({ messageId: 'chart', data: { suppressed }, range: chart.range });
        }
      },
    };
  },
});

const lines = (messages: FileResult['messages']): string[] =>
  messages.map((m) => `${m.line} ${m.ruleId}: ${m.message}`);

const config = (text: string): FileResult =>
  lintConfigText(text, 'p.yaml', {}, [firstJob, unusedSuppression]);

describe('context.isSuppressed in a config', () => {
  const jobs = (...names: string[]): string =>
    names.map((name) => `  - job_name: ${name}\n    static_configs: [{ targets: ['a:1'] }]\n`).join('');

  it('answers from the comments of the file, on the line of the range', () => {
    const result = config(
      `scrape_configs:\n  # scrapelint disable-next-line first-job -- legacy\n${jobs('a', 'b', 'c')}`,
    );
    expect(lines(result.messages)).toEqual(['5 first-job: first job b, 1 more']);
    expect(lines(result.suppressedMessages)).toEqual(['3 first-job: first job a, 0 more']);
  });

  it('nothing silenced: every job is shown', () => {
    expect(lines(config(`scrape_configs:\n${jobs('a', 'b')}`).messages)).toEqual([
      '2 first-job: first job a, 1 more',
    ]);
  });

  it('a whole-file disable silences every place; the directive counts as used', () => {
    const result = config(`# scrapelint disable first-job\nscrape_configs:\n${jobs('a', 'b')}`);
    expect(result.messages).toEqual([]);
    expect(lines(result.suppressedMessages)).toEqual(['3 first-job: first job a, 1 more']);
  });

  it('a directive the rule only asked about (and did not report at) is not reported unused', () => {
    const text = `scrape_configs:\n  # scrapelint disable-next-line first-job\n${jobs('a')}  # scrapelint disable-next-line first-job\n${jobs('b')}`;
    const result = config(text);
    // b is silenced (asked about) but not reported: its directive was still used.
    expect(lines(result.messages)).toEqual([]);
    expect(lines(result.suppressedMessages)).toEqual(['3 first-job: first job a, 1 more']);
  });
});

describe('context.isSuppressed in Markdown', () => {
  const chart = '```mermaid\nflowchart LR\n  A --> B\n```\n';
  const docs = (text: string): FileResult =>
    lintDocsModel(parseDocs(text, 'd.md'), {}, [firstJob, unusedSuppression]);

  it('answers from the HTML comments of the page', () => {
    const result = docs(`# A\n\n<!-- scrapelint disable-next-line first-job -->\n${chart}\n${chart}`);
    expect(result.messages.map((m) => m.message)).toEqual(['chart, shown']);
    expect(result.suppressedMessages.map((m) => m.message)).toEqual(['chart, silenced']);
  });
});
