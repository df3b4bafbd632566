import { readFileSync } from 'node:fs';
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

describe('Markdown suppressions inside code are examples, not directives', () => {
  const directive = '<!-- scrapelint disable-next-line architecture-queue -- shown -->';

  it.each([
    ['a backtick fence', ['```markdown', directive, 'text', '```']],
    ['a tilde fence', ['~~~', directive, 'text', '~~~']],
    ['a longer fence holding a shorter one', ['````markdown', '```', '```', directive, '````']],
    ['an indented code block', ['', `    ${directive}`, '    text']],
    ['a tab-indented code block', ['', `\t${directive}`]],
    ['an unclosed fence', ['```', directive]],
    ['a fence inside a list item', ['- item', '', '  ```html', `  ${directive}`, '  ```']],
    ['an inline code span', [`Write \`${directive}\` before the fence.`]],
    ['a double-backtick code span', [`Write \`\` \`${directive}\` \`\` here.`]],
  ])('ignores one in %s (no directive, so no unused-suppression)', (_, lines) => {
    const text = `# Page\n\n${lines.join('\n')}\n\nafter\n`;
    expect(parseMarkdownDirectives(text)).toEqual([]);
    expect(lintMarkdown(text).messages).toEqual([]);
  });

  it.each([
    ['after a closed fence', ['```', 'code', '```', directive]],
    ['after a shorter closer that did not close and then a real one', ['````', '```', '````', directive]],
    ['indented four spaces as paragraph continuation', ['Some text', `    ${directive}`]],
    ['inside a list item', ['- item', '', `  ${directive}`]],
    ['next to an unmatched backtick', [`a \` tick ${directive}`]],
    ['after a closed code span', [`\`code\` ${directive}`]],
    ['after an escaped backtick', [`\\\` ${directive} \``]],
  ])('honours one %s', (_, lines) => {
    const text = `# Page\n\n${lines.join('\n')}\n`;
    const found = parseMarkdownDirectives(text);
    expect(found.map((d) => d.ruleIds)).toEqual([['architecture-queue']]);
    // Still reported as unused (nothing follows), at its own line.
    expect(lintMarkdown(text).messages.map((m) => [m.ruleId, m.line])).toEqual([
      ['unused-suppression', 3 + lines.findIndex((l) => l.includes('scrapelint'))],
    ]);
  });

  it('a directive shown in a code span does not silence the antipattern that follows', () => {
    const result = lintMarkdown(`Write \`${directive}\` like this:\n\n${antipattern}\n`);
    expect(result.messages.map((m) => m.ruleId)).toEqual(['architecture-queue']);
  });

  it('covers a fence up to its real closer (a shorter or other-character run does not close it)', () => {
    const [found] = parseMarkdownDirectives(
      [directive, '````mermaid', 'flowchart LR', '```', '~~~~', '````', 'after'].join('\n'),
    );
    expect(found?.until).toBe(6);
  });

  it('docs/scrapelint.md holds no directive of its own (every one is an example in code)', () => {
    const page = readFileSync(new URL('../docs/scrapelint.md', import.meta.url), 'utf8');
    expect(page).toContain('<!-- scrapelint disable-next-line architecture-queue');
    expect(parseMarkdownDirectives(page)).toEqual([]);
    expect(lintMarkdown(page).messages).toEqual([]);
  });
});
