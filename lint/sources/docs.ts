/**
 * The docs source: Markdown -> `DocsModel`. Finds ```mermaid (or ~~~mermaid) fences and reads the flowcharts in
 * them (`flowchart` / `graph`): nodes with their ids, labels and shapes, edges with their labels, chains
 * (`A --> B --> C`), `&` groups, subgraphs. Every node, edge and chart keeps its offsets into the Markdown text, so
 * findings point at the line and column of the document.
 *
 * Written by hand on purpose: mermaid's own parser (the `mermaid` package) needs a browser DOM (it loads DOMPurify
 * and d3 at import time and renders into an SVG element), which would mean pulling jsdom into a command-line
 * checker, and it discards the source positions that findings need. The subset read here is the flowchart
 * grammar of mermaid 10/11 (`flowchart.jison`); anything else in a statement is skipped up to its end, never fatal.
 */
import type { Range } from '../../exposition/types.js';
import type {
  DocsModel,
  Finding,
  Flowchart,
  FlowchartEdge,
  FlowchartNode,
  FlowchartSubgraph,
} from '../types.js';
import { markdownBlocks } from '../markdown.js';
import { bindRule } from './configured-rule.js';
import type { ConfiguredRule } from './configured-rule.js';

/** Reads a Markdown document; never throws (unreadable parts simply yield no flowchart). */
export function parseDocs(text: string, filePath: string): DocsModel {
  const flowcharts: Flowchart[] = [];
  for (const fence of mermaidFences(text)) {
    const chart = parseFlowchart(text, fence.bodyStart, fence.bodyEnd, fence.range);
    if (chart !== undefined) flowcharts.push(chart);
  }
  return { kind: 'docs', filePath, text, flowcharts };
}

/**
 * Runs docs rules over a parsed document without the engine (tests, scripts): options validated by each rule's
 * schema, messages filled in. Findings carry offsets into `model.text`.
 */
export function lintDocs(model: DocsModel, rules: readonly ConfiguredRule[]): Finding[] {
  const findings: Finding[] = [];
  for (const configured of rules) {
    bindRule(configured, model.filePath, 'docs', (finding) => findings.push(finding)).docs?.(model);
  }
  return findings;
}

interface Fence {
  readonly range: Range;
  readonly bodyStart: number;
  readonly bodyEnd: number;
}

/**
 * CommonMark fenced code blocks whose info string's first word is `mermaid`: top-level ones only (a ```mermaid
 * fence shown inside a ````markdown fence, or in an indented code block, is an example of the page, not its chart).
 */
export function mermaidFences(text: string): Fence[] {
  return markdownBlocks(text)
    .fences.filter((fence) => fence.language === 'mermaid')
    .map((fence) => ({
      range: { start: fence.start, end: fence.end },
      bodyStart: fence.bodyStart,
      bodyEnd: fence.bodyEnd,
    }));
}

/** Shapes by opening delimiter, longest first; each lists its possible closers. */
const SHAPES: readonly { open: string; close: readonly string[] }[] = [
  { open: '(((', close: [')))'] },
  { open: '((', close: ['))'] },
  { open: '([', close: ['])'] },
  { open: '[[', close: [']]'] },
  { open: '[(', close: [')]'] },
  { open: '[/', close: ['/]', '\\]'] },
  { open: '[\\', close: ['\\]', '/]'] },
  { open: '{{', close: ['}}'] },
  { open: '(', close: [')'] },
  { open: '[', close: [']'] },
  { open: '{', close: ['}'] },
  { open: '>', close: [']'] },
];

const SKIPPED_STATEMENTS = /^(?:classDef|class|style|linkStyle|click|direction|accTitle|accDescr)\b/;

/** An identifier character of a node id (mermaid accepts letters, digits, `_` and more; we take the usual ones). */
function isIdChar(code: number): boolean {
  return (
    (code >= 48 && code <= 57) ||
    (code >= 65 && code <= 90) ||
    (code >= 97 && code <= 122) ||
    code === 95 ||
    code > 127
  );
}

/** Turns a written label into plain text: quotes, markdown-string backticks, `<br>` and spacing removed. */
export function cleanLabel(raw: string): string {
  let label = raw.trim();
  if (label.length >= 2 && label.startsWith('"') && label.endsWith('"')) label = label.slice(1, -1);
  if (label.length >= 2 && label.startsWith('`') && label.endsWith('`')) label = label.slice(1, -1);
  return label
    .replace(/<br\s*\/?>/gi, ' ')
    .replace(/&nbsp;/gi, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

interface NodeRef {
  readonly id: string;
  readonly range: Range;
}

interface Link {
  readonly label?: string;
  /** `forward` for `-->`, `back` for `<--`, `both` for `<-->`, `open` for `---` (kept in written order). */
  readonly direction: 'forward' | 'back' | 'both' | 'open';
}

/**
 * Parses the body of one mermaid block, `[start, end)` of `text`; undefined when it is not a flowchart.
 */
export function parseFlowchart(
  text: string,
  start: number,
  end: number,
  range: Range,
): Flowchart | undefined {
  const nodes = new Map<string, { id: string; label: string; range: Range; labelled: boolean }>();
  const edges: FlowchartEdge[] = [];
  const subgraphs: { id: string; label: string; range: Range; members: string[] }[] = [];
  const stack: (typeof subgraphs)[number][] = [];
  let i = start;
  let sawHeader = false;

  const peek = (offset = 0): string => (i + offset < end ? text.charAt(i + offset) : '');
  const startsWith = (s: string): boolean => i + s.length <= end && text.startsWith(s, i);
  const skipBlanks = (): void => {
    while (i < end && (text.charAt(i) === ' ' || text.charAt(i) === '\t')) i++;
  };
  const atStatementEnd = (): boolean => i >= end || peek() === '\n' || peek() === ';' || peek() === '\r';
  const skipToStatementEnd = (): void => {
    let quote = false;
    while (i < end) {
      const c = text.charAt(i);
      if (c === '"') quote = !quote;
      if (c === '\n' || (!quote && c === ';')) break;
      i++;
    }
  };
  const skipToLineEnd = (): void => {
    while (i < end && text.charAt(i) !== '\n') i++;
  };

  const remember = (ref: NodeRef, label: string | undefined): void => {
    const known = nodes.get(ref.id);
    if (known === undefined) {
      nodes.set(ref.id, {
        id: ref.id,
        label: label ?? ref.id,
        range: ref.range,
        labelled: label !== undefined,
      });
    } else if (label !== undefined && !known.labelled) {
      nodes.set(ref.id, { id: ref.id, label, range: ref.range, labelled: true });
    }
    for (const group of stack) if (!group.members.includes(ref.id)) group.members.push(ref.id);
  };

  /** Reads up to (not including) the first of `closers`; returns the raw text and moves past the closer. */
  const readUntil = (closers: readonly string[]): string | undefined => {
    const from = i;
    let quote = false;
    while (i < end) {
      const c = text.charAt(i);
      if (c === '"') quote = !quote;
      else if (c === '\n' && !quote) return undefined;
      else if (!quote) {
        const closer = closers.find((s) => startsWith(s));
        if (closer !== undefined) {
          const raw = text.slice(from, i);
          i += closer.length;
          return raw;
        }
      }
      i++;
    }
    return undefined;
  };

  const readId = (): string | undefined => {
    const from = i;
    while (i < end) {
      const code = text.charCodeAt(i);
      if (isIdChar(code)) {
        i++;
      } else if (
        (code === 45 || code === 46) &&
        i > from &&
        isIdChar(text.charCodeAt(i + 1)) &&
        i + 1 < end
      ) {
        // `-` and `.` inside an id (`my-app`, `svc.v2`), never the start of an arrow.
        i++;
      } else {
        break;
      }
    }
    return i > from ? text.slice(from, i) : undefined;
  };

  const readNode = (): NodeRef | undefined => {
    skipBlanks();
    const from = i;
    const id = readId();
    if (id === undefined) return undefined;
    let label: string | undefined;
    if (startsWith('@{')) {
      // Shape syntax of mermaid 11: `A@{ shape: cyl, label: "Kafka" }`.
      i += 2;
      const body = readUntil(['}']);
      if (body === undefined) return undefined;
      const match = /label\s*:\s*("([^"]*)"|'([^']*)'|[^,}]+)/.exec(body);
      if (match !== null) label = cleanLabel(match[2] ?? match[3] ?? match[1] ?? '');
    } else {
      const shape = SHAPES.find((s) => startsWith(s.open));
      if (shape !== undefined) {
        const save = i;
        i += shape.open.length;
        const raw = readUntil(shape.close);
        if (raw === undefined) {
          i = save;
        } else {
          label = cleanLabel(raw);
        }
      }
    }
    if (startsWith(':::')) {
      i += 3;
      readId();
    }
    const ref = { id, range: { start: from, end: i } };
    remember(ref, label);
    return ref;
  };

  const readGroup = (): NodeRef[] | undefined => {
    const first = readNode();
    if (first === undefined) return undefined;
    const group = [first];
    for (;;) {
      const save = i;
      skipBlanks();
      if (peek() !== '&') {
        i = save;
        return group;
      }
      i++;
      const next = readNode();
      if (next === undefined) {
        i = save;
        return group;
      }
      group.push(next);
    }
  };

  const LINK = /([<xo]?)(-{2,}[->xo]|={2,}[=>xo]|-?\.+-[>xo]?|~{3,})/y;
  const TEXT_LINK = /([<xo]?)(--|==|-\.)(?=[^->=.])/y;
  const TEXT_CLOSE: Record<string, RegExp> = {
    '--': /-{2,}[->xo]/g,
    '==': /={2,}[=>xo]/g,
    '-.': /\.+-[>xo]?/g,
  };

  const direction = (head: string, tail: string): Link['direction'] => {
    const forward = tail.endsWith('>');
    const back = head === '<';
    return forward && back ? 'both' : forward ? 'forward' : back ? 'back' : 'open';
  };

  const readLink = (): Link | undefined => {
    const save = i;
    skipBlanks();
    LINK.lastIndex = i;
    let link: { direction: Link['direction']; label?: string } | undefined;
    const match = LINK.exec(text);
    if (match !== null && match.index + match[0].length <= end) {
      i += match[0].length;
      link = { direction: direction(match[1] ?? '', match[2] ?? '') };
    } else {
      TEXT_LINK.lastIndex = i;
      const opening = TEXT_LINK.exec(text);
      const close = opening === null ? undefined : TEXT_CLOSE[opening[2] ?? ''];
      if (opening !== null && close !== undefined) {
        const textStart = i + opening[0].length;
        const lineEnd = text.indexOf('\n', textStart);
        close.lastIndex = textStart;
        const closing = close.exec(text);
        if (closing !== null && closing.index < (lineEnd === -1 ? end : Math.min(lineEnd, end))) {
          link = {
            direction: direction(opening[1] ?? '', closing[0]),
            label: cleanLabel(text.slice(textStart, closing.index)),
          };
          i = closing.index + closing[0].length;
        }
      }
    }
    if (link === undefined) {
      i = save;
      return undefined;
    }
    // `-->|label|`
    const beforeLabel = i;
    skipBlanks();
    if (peek() === '|') {
      i++;
      const raw = readUntil(['|']);
      if (raw === undefined) i = beforeLabel;
      else link.label = cleanLabel(raw);
    } else {
      i = beforeLabel;
    }
    return link.label === undefined || link.label === '' ? { direction: link.direction } : link;
  };

  const addEdge = (from: NodeRef, to: NodeRef, link: Link): void => {
    const edgeRange = {
      start: Math.min(from.range.start, to.range.start),
      end: Math.max(from.range.end, to.range.end),
    };
    const labelled = link.label === undefined ? {} : { label: link.label };
    if (link.direction === 'back') {
      edges.push({ from: to.id, to: from.id, ...labelled, range: edgeRange });
      return;
    }
    edges.push({ from: from.id, to: to.id, ...labelled, range: edgeRange });
    if (link.direction === 'both') edges.push({ from: to.id, to: from.id, ...labelled, range: edgeRange });
  };

  const readSubgraph = (keywordStart: number): void => {
    skipBlanks();
    const titleStart = i;
    skipToLineEnd();
    const rest = text.slice(titleStart, i).replace(/;?\s*$/, '');
    const bracketed = /^([^\s[\]"]+)\s*\[(.*)\]$/.exec(rest);
    let id: string;
    let label: string;
    if (bracketed !== null) {
      id = bracketed[1] ?? '';
      label = cleanLabel(bracketed[2] ?? '');
    } else {
      label = cleanLabel(rest);
      id = rest.trim().replace(/^"|"$/g, '');
    }
    if (id === '') id = `subgraph-${subgraphs.length + 1}`;
    const group = {
      id,
      label: label === '' ? id : label,
      range: { start: keywordStart, end: i },
      members: [],
    };
    for (const parent of stack) if (!parent.members.includes(id)) parent.members.push(id);
    subgraphs.push(group);
    stack.push(group);
    if (!nodes.has(id)) nodes.set(id, { id, label: group.label, range: group.range, labelled: true });
  };

  while (i < end) {
    // Statement separators and blank space.
    const c = peek();
    if (c === '\n' || c === ';' || c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (startsWith('%%')) {
      skipToLineEnd();
      continue;
    }
    const rest = text.slice(i, Math.min(end, i + 16));
    if (!sawHeader) {
      // YAML front matter (`---` ... `---`) may precede the diagram type.
      if (rest.startsWith('---')) {
        const close = text.indexOf('\n---', i + 3);
        i = close === -1 || close >= end ? end : close + 4;
        skipToLineEnd();
        continue;
      }
      if (!/^(?:flowchart|graph|flowchart-elk)\b/.test(rest)) return undefined;
      sawHeader = true;
      readId();
      if (startsWith('-elk')) i += 4;
      skipBlanks();
      if (/^(?:TB|TD|BT|RL|LR)\b/.test(text.slice(i, i + 3))) i += 2;
      else if (/^[<>^v]/.test(peek())) i++;
      continue;
    }
    if (/^subgraph\b/.test(rest)) {
      const keywordStart = i;
      i += 'subgraph'.length;
      readSubgraph(keywordStart);
      continue;
    }
    if (/^end\b/.test(rest)) {
      i += 3;
      stack.pop();
      continue;
    }
    if (SKIPPED_STATEMENTS.test(rest)) {
      skipToStatementEnd();
      continue;
    }
    const before = i;
    let group = readGroup();
    if (group !== undefined) {
      for (;;) {
        const link = readLink();
        if (link === undefined) break;
        const next = readGroup();
        if (next === undefined) break;
        for (const from of group) for (const to of next) addEdge(from, to, link);
        group = next;
      }
    }
    skipBlanks();
    if (!atStatementEnd()) skipToStatementEnd();
    if (i === before) i++;
  }
  if (!sawHeader) return undefined;
  return {
    range,
    nodes: [...nodes.values()].map(({ id, label, range: nodeRange }): FlowchartNode => ({
      id,
      label,
      range: nodeRange,
    })),
    edges,
    subgraphs: subgraphs.map((group): FlowchartSubgraph => ({
      id: group.id,
      label: group.label,
      range: group.range,
      members: group.members,
    })),
  };
}
