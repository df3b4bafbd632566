/**
 * Prometheus configurations embedded in Kubernetes ConfigMaps (`kind: ConfigMap`, `data: { prometheus.yml: | ... }`):
 * each `data` key ending in .yml/.yaml whose text has `global:` or `scrape_configs:` at its top level. The engine
 * lints the embedded text as a configuration of its own (its suppression comments included) and maps every position
 * back into the outer file. A literal block scalar (`|`, `|-`, `|+`, `|2`) keeps lines and columns (the content
 * line k is the k-th line after the `|` header, shifted by the block's indentation), so its positions map exactly;
 * after verifying that each content line stands in the outer text as `indentation + line`. Folded (`>`) and quoted
 * scalars rewrite lines and escapes: their findings point at the key, and the message says where in the embedded
 * text they are.
 *
 * Secrets are read the same way (`stringData` as text, `data` base64-decoded): the Prometheus Operator takes its
 * additionalScrapeConfigs from a Secret key holding a bare list of scrape configs (`- job_name: ...`), which is read
 * too. A base64 value cannot map positions: findings point at its key.
 */
import { isMap, isScalar, isSeq } from 'yaml';
import type { LineCounter, Node, Scalar, YAMLMap } from 'yaml';
import type { Range } from '../../exposition/types.js';

/**
 * An embedded configuration's top-level keys, as Prometheus reads them, or a bare list of scrape configs (the
 * operator's additionalScrapeConfigs).
 */
const EMBEDDED_CONFIG = /^(?:(?:global|scrape_configs)\s*:|-[ \t]+job_name[ \t]*:)/m;
/** A Secret's `data` value: base64 (line breaks allowed, as kubectl never writes them but people do). */
const BASE64 = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;
const YAML_KEY = /\.ya?ml$/i;

export interface EmbeddedConfig {
  /** The `data` key, e.g. `prometheus.yml`. */
  readonly key: string;
  /** The ConfigMap's (or Secret's) `metadata.name`. */
  readonly configMap: string;
  /** The kind of the resource holding it (`ConfigMap` when absent). */
  readonly resource?: 'ConfigMap' | 'Secret';
  /** The embedded configuration as YAML reads it (the scalar's value). */
  readonly text: string;
  /** The key in the outer file. */
  readonly keyRange: Range;
  /** The whole scalar (header and content) in the outer file. */
  readonly valueRange: Range;
  /**
   * A literal block whose lines map one to one: embedded line k (1-based) is outer line `firstLine + k - 1`, and
   * its column c is outer column `c + indent`. Absent when positions cannot be mapped exactly (see `inexact`).
   */
  readonly block?: { readonly firstLine: number; readonly indent: number };
  /** Why positions cannot be mapped exactly, in words for a message (e.g. `a folded (>) block scalar`). */
  readonly inexact?: string;
}

/** 1-based line:column (end exclusive) as reporters show it. */
export interface LineColumn {
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

function nodeRange(node: Node): Range {
  const r = node.range;
  return r ? { start: r[0], end: r[1] } : { start: 0, end: 0 };
}

/** Where a literal block's content lines stand, or why they cannot be mapped. */
function literalBlock(
  text: string,
  node: Scalar,
  lineCounter: LineCounter,
): { firstLine: number; indent: number } | string {
  if (node.type === 'BLOCK_FOLDED') return 'a folded (>) block scalar, which joins lines';
  if (node.type !== 'BLOCK_LITERAL')
    return 'a quoted or plain scalar, whose escapes and line breaks are rewritten';
  const value = String(node.value);
  const starts = lineCounter.lineStarts;
  const header = lineCounter.linePos(nodeRange(node).start).line;
  const lines = value.split('\n');
  if (lines.at(-1) === '') lines.pop();
  let indent = -1;
  for (let i = 0; i < lines.length; i++) {
    const start = starts[header + i];
    if (start === undefined) return 'a block scalar whose lines could not be found';
    const next = starts[header + i + 1];
    const raw = text.slice(start, next === undefined ? text.length : next).replace(/\r?\n$/, '');
    const line = lines[i] ?? '';
    if (line === '') {
      if (raw.trim() !== '') return 'a block scalar whose lines could not be matched';
      continue;
    }
    if (indent === -1) indent = raw.length - line.length;
    if (indent < 0 || raw.slice(indent) !== line || raw.slice(0, indent).trim() !== '')
      return 'a block scalar whose lines could not be matched';
  }
  return { firstLine: header + 1, indent: Math.max(indent, 0) };
}

function stringScalar(map: YAMLMap, key: string): string | undefined {
  const node = map.get(key, true);
  return isScalar(node) && typeof node.value === 'string' ? node.value : undefined;
}

/**
 * The Prometheus configurations embedded in `root` when it is a ConfigMap or a Secret (or a `kind: List` of them);
 * `text` and `lineCounter` are the outer file's.
 */
export function embeddedConfigs(root: YAMLMap, text: string, lineCounter: LineCounter): EmbeddedConfig[] {
  if (stringScalar(root, 'kind')?.endsWith('List') === true) {
    const items = root.get('items', true);
    if (!isSeq(items)) return [];
    return items.items.flatMap((item) => (isMap(item) ? embeddedConfigs(item, text, lineCounter) : []));
  }
  const kind = stringScalar(root, 'kind');
  if (kind !== 'ConfigMap' && kind !== 'Secret') return [];
  const metadata = root.get('metadata', true);
  const name = (isMap(metadata) ? stringScalar(metadata, 'name') : undefined) ?? '<unnamed>';
  const found: EmbeddedConfig[] = [];
  // A ConfigMap's data, a Secret's stringData: text. A Secret's data: base64.
  const sections: [string, boolean][] =
    kind === 'Secret'
      ? [
          ['stringData', false],
          ['data', true],
        ]
      : [['data', false]];
  for (const [section, encoded] of sections) {
    const data = root.get(section, true);
    if (!isMap(data)) continue;
    for (const pair of data.items) {
      const key = pair.key;
      const value = pair.value;
      if (!isScalar(key) || typeof key.value !== 'string' || !YAML_KEY.test(key.value)) continue;
      if (!isScalar(value) || typeof value.value !== 'string') continue;
      const content = encoded ? decodeBase64(value.value) : value.value;
      if (content === undefined || !EMBEDDED_CONFIG.test(content)) continue;
      const block = encoded ? 'a base64-encoded Secret value' : literalBlock(text, value, lineCounter);
      found.push({
        key: key.value,
        configMap: name,
        ...(kind === 'Secret' ? { resource: 'Secret' as const } : {}),
        text: content,
        keyRange: nodeRange(key),
        valueRange: nodeRange(value),
        ...(typeof block === 'string' ? { inexact: block } : { block }),
      });
    }
  }
  return found;
}

/** The UTF-8 text of a base64 value, or undefined when it is not base64 (or not text). */
function decodeBase64(value: string): string | undefined {
  if (!BASE64.test(value)) return undefined;
  const text = Buffer.from(value.replace(/\s+/g, ''), 'base64').toString('utf8');
  return text.includes('\uFFFD') ? undefined : text;
}

/**
 * Moves a position found in the embedded text into the outer file: exactly for a literal block, else onto the key
 * (`keyAt`, the key's own line:column), returning the words that say where in the embedded text it was.
 */
export function toOuter(
  embedded: EmbeddedConfig,
  at: LineColumn,
  keyAt: LineColumn,
): { at: LineColumn; note?: string } {
  const block = embedded.block;
  if (block !== undefined) {
    return {
      at: {
        line: block.firstLine + at.line - 1,
        column: at.column + block.indent,
        endLine: block.firstLine + at.endLine - 1,
        endColumn: at.endColumn + block.indent,
      },
    };
  }
  return {
    at: keyAt,
    note: ` (at line ${at.line}:${at.column} of ${embedded.key} in ${embedded.resource ?? 'ConfigMap'} ${embedded.configMap}; the position cannot be mapped exactly into ${embedded.inexact ?? 'this scalar'})`,
  };
}
