/**
 * Rule documentation pages: `docs/rules/<id>.md` with fixed headings and executable examples.
 * An example is a fenced block whose info string is `<language> incorrect` or `<language> correct`, optionally
 * followed by the rule's options as JSON on the same line:
 *
 *   ```yaml incorrect
 *   ```prom correct {"warnSamples": 3}
 *
 * Languages: yaml/yml (a Prometheus config or operator resource), prom/text/openmetrics (an exposition),
 * markdown/md (a document; use a longer fence, e.g. four backticks, around a mermaid block).
 */
import type { SourceKind } from './types.js';

export const REQUIRED_HEADINGS = ['Why', 'Examples', 'Options', 'When not to use'] as const;

export interface DocExample {
  readonly verdict: 'incorrect' | 'correct';
  readonly kind: SourceKind;
  readonly code: string;
  readonly options?: unknown;
  /** 1-based line of the opening fence in the page. */
  readonly line: number;
}

const KINDS: Readonly<Record<string, SourceKind>> = {
  yaml: 'config',
  yml: 'config',
  prom: 'exposition',
  text: 'exposition',
  openmetrics: 'exposition',
  markdown: 'docs',
  md: 'docs',
};

/** `## Heading` titles of the page, in order. */
export function headings(markdown: string): string[] {
  return [...markdown.matchAll(/^##\s+(.+?)\s*$/gm)].map((m) => m[1] ?? '');
}

export function docExamples(markdown: string): DocExample[] {
  const lines = markdown.split('\n');
  const examples: DocExample[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,}|~{3,})\s*(\w+)\s+(incorrect|correct)\b\s*(.*)$/.exec(lines[i] ?? '');
    if (open === null) continue;
    const [, fence = '```', lang = '', verdict, optionsText = ''] = open;
    const kind = KINDS[lang.toLowerCase()];
    if (kind === undefined) throw new Error(`line ${i + 1}: unknown example language "${lang}"`);
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !(lines[j] ?? '').startsWith(fence); j++) body.push(lines[j] ?? '');
    if (j >= lines.length) throw new Error(`line ${i + 1}: example fence is never closed`);
    examples.push({
      verdict: verdict === 'incorrect' ? 'incorrect' : 'correct',
      kind,
      code: body.join('\n') + '\n',
      ...(optionsText.trim() === '' ? {} : { options: JSON.parse(optionsText) as unknown }),
      line: i + 1,
    });
    i = j;
  }
  return examples;
}
