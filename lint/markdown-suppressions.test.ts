import { describe, expect, it } from 'vitest';
import { lintDocsModel } from './engine.js';
import { parseDocs } from './sources/docs.js';
import { parseMarkdownDirectives, silences } from './suppressions.js';

const antipattern = [
  '```mermaid',
  'flowchart LR',
  '  app1[checkout app] --> kafka[(Kafka topic)]',
  '  app2[billing app] --> kafka',
  '  kafka --> exposer[exposer]',
  '  prom[Prometheus] -->|scrapes| exposer',
  '```',
].join('\n');

function lintMarkdown(text: string): ReturnType<typeof lintDocsModel> {
  return lintDocsModel(parseDocs(text, 'doc.md'));
}

describe('suppressions in Markdown', () => {
  it('a disable-next-line comment before a fence covers the whole fenced block', () => {
    const text = `# Design\n\n<!-- scrapelint disable-next-line architecture-queue -- shown on purpose -->\n\n${antipattern}\n\nafter\n`;
    const [directive] = parseMarkdownDirectives(text);
    expect(directive).toMatchObject({
      kind: 'disable-next-line',
      ruleIds: ['architecture-queue'],
      justification: 'shown on purpose',
      line: 3,
      until: 11,
    });
    expect(silences(directive!, 'architecture-queue', 7)).toBe(true);
    expect(silences(directive!, 'architecture-queue', 12)).toBe(false);
    expect(silences(directive!, 'other-rule', 7)).toBe(false);
  });

  it('silences the architecture-queue finding only where the comment says so', () => {
    const flagged = lintMarkdown(`# Design\n\n${antipattern}\n`);
    expect(flagged.messages.map((m) => m.ruleId)).toEqual(['architecture-queue']);

    const suppressed = lintMarkdown(
      `# Design\n\n<!-- scrapelint disable-next-line architecture-queue -- the page shows the antipattern -->\n${antipattern}\n`,
    );
    expect(suppressed.messages).toEqual([]);
    expect(suppressed.suppressedMessages.map((m) => m.ruleId)).toEqual(['architecture-queue']);

    const wholeFile = lintMarkdown(
      `<!-- scrapelint disable architecture-queue -->\n# Design\n\n${antipattern}\n`,
    );
    expect(wholeFile.messages).toEqual([]);
  });

  it('reports a Markdown suppression that silences nothing, and one naming an unknown rule', () => {
    const unused = lintMarkdown(
      '# Fine\n\n<!-- scrapelint disable-next-line architecture-queue -->\nplain text\n',
    );
    expect(unused.messages.map((m) => [m.ruleId, m.line])).toEqual([['unused-suppression', 3]]);
    const unknown = lintMarkdown(`<!-- scrapelint disable-next-line no-such-rule -->\n${antipattern}\n`);
    expect(unknown.messages.map((m) => m.ruleId).sort()).toEqual([
      'architecture-queue',
      'unused-suppression',
    ]);
  });

  it('an unclosed fence is covered to the end of the file', () => {
    const [directive] = parseMarkdownDirectives(
      '<!-- scrapelint disable-next-line -->\n```mermaid\nflowchart LR\n  a --> b\n',
    );
    expect(directive?.until).toBe(5);
  });
});
