import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineIndex } from '../positions.js';
import { cleanLabel, mermaidFences, parseDocs } from './docs.js';

const md = (...lines: string[]): string => lines.join('\n');

function chartOf(text: string) {
  const model = parseDocs(text, 'doc.md');
  expect(model.flowcharts).toHaveLength(1);
  return { chart: model.flowcharts[0]!, index: new LineIndex(text), text };
}

const edgeList = (chart: { edges: readonly { from: string; to: string; label?: string }[] }) =>
  chart.edges.map((e) => (e.label === undefined ? `${e.from}->${e.to}` : `${e.from}-[${e.label}]->${e.to}`));

describe('mermaidFences', () => {
  it('finds ```mermaid and ~~~mermaid fences, not other languages or nested fences', () => {
    const text = md(
      '# Title',
      '```mermaid',
      'graph LR',
      '```',
      '```yaml',
      'a: 1',
      '```',
      '~~~~ mermaid extra',
      'flowchart TD',
      '```',
      'still inside',
      '~~~~',
      '````markdown',
      '```mermaid',
      'graph LR',
      '```',
      '````',
    );
    const fences = mermaidFences(text);
    expect(fences.map((f) => text.slice(f.bodyStart, f.bodyEnd))).toEqual([
      'graph LR\n',
      'flowchart TD\n```\nstill inside\n',
    ]);
  });

  it('takes no chart from an indented code block, and reads a fence inside a list item', () => {
    const text = md(
      'Example:',
      '',
      '    ```mermaid',
      '    graph LR',
      '    ```',
      '',
      '1. The design:',
      '',
      '   ```mermaid',
      '   flowchart TD',
      '   ```',
    );
    expect(mermaidFences(text).map((f) => text.slice(f.bodyStart, f.bodyEnd))).toEqual(['   flowchart TD\n']);
  });

  it('runs an unclosed fence to the end of the document', () => {
    const text = '```mermaid\ngraph LR\nA --> B';
    expect(parseDocs(text, 'x.md').flowcharts[0]?.edges).toHaveLength(1);
  });

  it('ignores mermaid blocks that are not flowcharts', () => {
    const text = md('```mermaid', 'sequenceDiagram', 'A->>B: hi', '```');
    expect(parseDocs(text, 'x.md').flowcharts).toEqual([]);
  });

  it('reads nothing from a document without fences, or an empty one', () => {
    expect(parseDocs('', 'x.md').flowcharts).toEqual([]);
    expect(parseDocs('plain text\n', 'x.md').flowcharts).toEqual([]);
    expect(parseDocs('```mermaid\n```\n', 'x.md').flowcharts).toEqual([]);
  });
});

describe('parseFlowchart: nodes', () => {
  it('reads every shape with its label and offsets into the Markdown', () => {
    const { chart, index, text } = chartOf(
      md(
        'Intro',
        '```mermaid',
        'flowchart LR',
        '  a[Rect] --- b(Round) --- c([Stadium]) --- d[[Sub]] --- e[(Kafka)]',
        '  f((Circle)) --- g>Flag] --- h{Decision} --- i{{Hex}} --- j[/Para/] --- k[\\Alt\\]',
        '  l(((Double))) --- m["Quoted [with] brackets"] --- n["`**md** string`"] --- o[Line<br/>break]',
        '  p@{ shape: cyl, label: "Stream" }',
        '```',
      ),
    );
    const labels = Object.fromEntries(chart.nodes.map((n) => [n.id, n.label]));
    expect(labels).toEqual({
      a: 'Rect',
      b: 'Round',
      c: 'Stadium',
      d: 'Sub',
      e: 'Kafka',
      f: 'Circle',
      g: 'Flag',
      h: 'Decision',
      i: 'Hex',
      j: 'Para',
      k: 'Alt',
      l: 'Double',
      m: 'Quoted [with] brackets',
      n: '**md** string',
      o: 'Line break',
      p: 'Stream',
    });
    const kafka = chart.nodes.find((n) => n.id === 'e')!;
    expect(text.slice(kafka.range.start, kafka.range.end)).toBe('e[(Kafka)]');
    expect(index.position(kafka.range.start)).toEqual({ line: 4, column: 58 });
  });

  it('keeps the first labelled occurrence of a node and defaults the label to the id', () => {
    const { chart } = chartOf(md('```mermaid', 'graph TD', 'A --> B', 'B[Broker] --> C', 'B[Other]', '```'));
    expect(chart.nodes.map((n) => [n.id, n.label])).toEqual([
      ['A', 'A'],
      ['B', 'Broker'],
      ['C', 'C'],
    ]);
  });

  it('reads ids with dashes and dots, and classes after :::', () => {
    const { chart } = chartOf(md('```mermaid', 'graph LR', 'my-app:::hot --> svc.v2[Service]', '```'));
    expect(edgeList(chart)).toEqual(['my-app->svc.v2']);
  });
});

describe('parseFlowchart: edges', () => {
  it('reads every link style, labels in |pipes| and in the middle', () => {
    const { chart } = chartOf(
      md(
        '```mermaid',
        'flowchart LR',
        'A-->B',
        'A --- C',
        'A -.-> D',
        'A ==> E',
        'A -->|pushes| F',
        'A -- writes --> G',
        'A == heavy ==> H',
        'A -. maybe .-> I',
        'A ---> J',
        'A --o K',
        'A --x L',
        'A ~~~ M',
        '```',
      ),
    );
    expect(edgeList(chart)).toEqual([
      'A->B',
      'A->C',
      'A->D',
      'A->E',
      'A-[pushes]->F',
      'A-[writes]->G',
      'A-[heavy]->H',
      'A-[maybe]->I',
      'A->J',
      'A->K',
      'A->L',
      'A->M',
    ]);
  });

  it('reads chains, & groups, ; separators and both-way arrows', () => {
    const { chart } = chartOf(
      md('```mermaid', 'graph LR; A --> B --> C; X & Y --> Z & W', 'P <--> Q', '```'),
    );
    expect(edgeList(chart)).toEqual(['A->B', 'B->C', 'X->Z', 'X->W', 'Y->Z', 'Y->W', 'P->Q', 'Q->P']);
  });

  it('gives an edge the range from its source to its target', () => {
    const { chart, text } = chartOf(md('```mermaid', 'graph LR', '  app[App] -->|push| k[(Kafka)]', '```'));
    const edge = chart.edges[0]!;
    expect(text.slice(edge.range.start, edge.range.end)).toBe('app[App] -->|push| k[(Kafka)]');
  });

  it('skips comments, directives, front matter, styles and junk without losing later statements', () => {
    const { chart } = chartOf(
      md(
        '```mermaid',
        '---',
        'title: Demo',
        '---',
        '%%{init: {"theme": "dark"}}%%',
        'flowchart TB',
        '%% a comment --> not an edge',
        'classDef hot fill:#f00',
        'class A hot',
        'style A fill:#fff',
        'linkStyle 0 stroke:#f00',
        'click A "https://example.invalid"',
        '!!! nonsense ((( here',
        'A --> B',
        '```',
      ),
    );
    expect(edgeList(chart)).toEqual(['A->B']);
  });

  it('reads subgraphs with titles, their members and edges to them', () => {
    const { chart } = chartOf(
      md(
        '```mermaid',
        'flowchart LR',
        '  subgraph apps [Applications]',
        '    a1[Checkout] & a2[Payments]',
        '    subgraph inner["Inner group"]',
        '      a3',
        '    end',
        '  end',
        '  subgraph Kafka cluster',
        '    k[(Kafka)]',
        '  end',
        '  apps --> k',
        '```',
      ),
    );
    expect(chart.subgraphs).toEqual([
      expect.objectContaining({ id: 'apps', label: 'Applications', members: ['a1', 'a2', 'inner', 'a3'] }),
      expect.objectContaining({ id: 'inner', label: 'Inner group', members: ['a3'] }),
      expect.objectContaining({ id: 'Kafka cluster', label: 'Kafka cluster', members: ['k'] }),
    ]);
    expect(edgeList(chart)).toEqual(['apps->k']);
    expect(chart.nodes.find((n) => n.id === 'apps')?.label).toBe('Applications');
  });

  it('survives truncated input: unclosed shapes, dangling arrows, lone pipes', () => {
    for (const body of [
      'A[unclosed --> B',
      'A -->',
      'A -->|label',
      '-->',
      'A & & B',
      '|||',
      'A -- text without end',
    ]) {
      const text = md('```mermaid', 'graph LR', body, 'X --> Y', '```');
      const model = parseDocs(text, 'x.md');
      expect(
        model.flowcharts[0]?.edges.some((e) => e.from === 'X' && e.to === 'Y'),
        body,
      ).toBe(true);
    }
  });
});

describe('cleanLabel', () => {
  it('removes quotes, backticks, <br> and extra spaces', () => {
    expect(cleanLabel(' "Kafka  topic" ')).toBe('Kafka topic');
    expect(cleanLabel('`md`')).toBe('md');
    expect(cleanLabel('a<br>b<BR />c')).toBe('a b c');
  });
});

describe('parseDocs on arbitrary input', () => {
  const mermaidish = fc.array(
    fc.oneof(
      fc.constantFrom(
        'A',
        'B',
        'kafka',
        '-->',
        '---',
        '-.->',
        '==>',
        '<-->',
        '|x|',
        '[',
        ']',
        '(',
        ')',
        '{',
        '}',
      ),
      fc.constantFrom(
        '&',
        ';',
        '\n',
        ' ',
        '"',
        '`',
        'subgraph',
        'end',
        '%%',
        '@{',
        ':::',
        '>',
        '~~~',
        '--',
        '==',
      ),
      fc.string({ maxLength: 5 }),
    ),
    { maxLength: 60 },
  );

  it('never throws, keeps every range inside the text and every edge between known nodes', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('```mermaid\nflowchart LR\n', '~~~mermaid\ngraph TD;', '```mermaid\n'),
        mermaidish,
        (head, parts) => {
          const text = head + parts.join('') + '\n```\n';
          const model = parseDocs(text, 'fuzz.md');
          for (const chart of model.flowcharts) {
            const ids = new Set(chart.nodes.map((n) => n.id));
            for (const item of [chart, ...chart.nodes, ...chart.edges, ...(chart.subgraphs ?? [])]) {
              expect(item.range.start).toBeGreaterThanOrEqual(0);
              expect(item.range.end).toBeLessThanOrEqual(text.length);
              expect(item.range.start).toBeLessThanOrEqual(item.range.end);
            }
            for (const edge of chart.edges) {
              expect(ids.has(edge.from) && ids.has(edge.to)).toBe(true);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
