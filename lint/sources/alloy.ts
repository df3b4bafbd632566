/**
 * Grafana Alloy configuration files (`.alloy`; `.river` for Grafana Agent flow mode, its predecessor): the scrape
 * jobs of their `prometheus.scrape` components, at any depth (inside `declare` blocks too), as the same ScrapeJob
 * model a Prometheus configuration gives, so every config rule applies. A `prometheus.scrape` block is Prometheus'
 * scrape config under another syntax: `honor_labels`, `honor_timestamps`, `track_timestamps_staleness`,
 * `sample_limit`, `body_size_limit`, `scrape_interval` (default 60s), `scrape_timeout` (default 10s),
 * `metrics_path` and `params` mean what they mean to Prometheus. Its `targets` is a list of label maps, usually
 * a discovery component's export: only literal `__address__` strings are static targets; anything computed counts
 * as discovery.
 *
 * Written by hand: no maintained JavaScript parser for the Alloy syntax exists (Grafana's is Go, in alloy's
 * syntax/ package). This one reads the whole syntax (blocks, attributes, literals, arrays, objects, references,
 * calls, operators, `//` and `/* *\/` comments, raw strings) but evaluates only literals; every other expression is
 * "computed". It never throws: a syntax error becomes one problem at its place, and the jobs read before it are
 * kept.
 */
import { LineCounter } from 'yaml';
import { formatDuration, parseDuration } from '../../exposition/duration.js';
import type { Range } from '../../exposition/types.js';
import type { ParsedConfig } from './config.js';
import type { Located, ScrapeJob, SourceProblem } from '../types.js';

/** What an expression evaluated to; `computed` for anything but a literal, array or object of them. */
export type AlloyValue =
  | { readonly kind: 'string'; readonly value: string; readonly range: Range }
  | { readonly kind: 'number'; readonly value: number; readonly range: Range }
  | { readonly kind: 'bool'; readonly value: boolean; readonly range: Range }
  | { readonly kind: 'null'; readonly range: Range }
  | { readonly kind: 'array'; readonly items: readonly AlloyValue[]; readonly range: Range }
  | { readonly kind: 'object'; readonly fields: readonly AlloyField[]; readonly range: Range }
  | { readonly kind: 'computed'; readonly range: Range };

export interface AlloyField {
  readonly key: string;
  readonly keyRange: Range;
  readonly value: AlloyValue;
}

export interface AlloyBlock {
  /** `prometheus.scrape`, `declare`, `clustering`, ... */
  readonly name: string;
  readonly nameRange: Range;
  /** The string label (`prometheus.scrape "pods"`), when given. */
  readonly label?: Located<string>;
  readonly range: Range;
  readonly attributes: readonly AlloyField[];
  readonly blocks: readonly AlloyBlock[];
}

/** Deeper nesting than this is refused (a problem), so that hostile input cannot exhaust the stack. */
export const MAX_ALLOY_DEPTH = 64;
const SCRAPE_COMPONENT = 'prometheus.scrape';

class AlloySyntaxError extends Error {
  constructor(
    message: string,
    readonly range: Range,
  ) {
    super(message);
  }
}

type TokenKind = 'ident' | 'string' | 'number' | 'punct' | 'eof';
interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  /** Decoded value of a string token. */
  readonly value: string;
  readonly start: number;
  readonly end: number;
}

const PUNCTUATION = [
  '||',
  '&&',
  '==',
  '!=',
  '<=',
  '>=',
  '{',
  '}',
  '[',
  ']',
  '(',
  ')',
  '=',
  ',',
  '.',
  '!',
  '<',
  '>',
  '+',
  '-',
  '*',
  '/',
  '%',
  '^',
];
const BINARY = new Set(['||', '&&', '==', '!=', '<', '<=', '>', '>=', '+', '-', '*', '/', '%', '^']);
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  '"': '"',
  "'": "'",
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
};

function isIdentStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
}
function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

/** Splits the text into tokens, skipping whitespace and comments. */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const at = (k: number): string => text[k] ?? '';
  while (i < text.length) {
    const c = at(i);
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '\uFEFF') {
      i++;
      continue;
    }
    if (c === '/' && at(i + 1) === '/') {
      while (i < text.length && at(i) !== '\n') i++;
      continue;
    }
    if (c === '/' && at(i + 1) === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end === -1) throw new AlloySyntaxError('a /* comment is never closed', { start: i, end: i + 2 });
      i = end + 2;
      continue;
    }
    const start = i;
    if (isIdentStart(c)) {
      while (isIdentStart(at(i)) || isDigit(at(i))) i++;
      const word = text.slice(start, i);
      tokens.push({ kind: 'ident', text: word, value: word, start, end: i });
      continue;
    }
    if (isDigit(c)) {
      while (isDigit(at(i))) i++;
      if (at(i) === '.' && isDigit(at(i + 1))) {
        i++;
        while (isDigit(at(i))) i++;
      }
      if (
        (at(i) === 'e' || at(i) === 'E') &&
        (isDigit(at(i + 1)) || ((at(i + 1) === '+' || at(i + 1) === '-') && isDigit(at(i + 2))))
      ) {
        i += 2;
        while (isDigit(at(i))) i++;
      }
      const number = text.slice(start, i);
      tokens.push({ kind: 'number', text: number, value: number, start, end: i });
      continue;
    }
    if (c === '"') {
      tokens.push(quotedString(text, start));
      i = tokens[tokens.length - 1]?.end ?? text.length;
      continue;
    }
    if (c === '`') {
      const end = text.indexOf('`', i + 1);
      if (end === -1) throw new AlloySyntaxError('a `raw string` is never closed', { start, end: start + 1 });
      tokens.push({
        kind: 'string',
        text: text.slice(start, end + 1),
        value: text.slice(start + 1, end),
        start,
        end: end + 1,
      });
      i = end + 1;
      continue;
    }
    const punct = PUNCTUATION.find((p) => text.startsWith(p, i));
    if (punct === undefined) {
      const code = c.codePointAt(0) ?? 0;
      const shown =
        code < 0x20 || code === 0x7f
          ? `U+${code.toString(16).toUpperCase().padStart(4, '0')}`
          : JSON.stringify(c);
      throw new AlloySyntaxError(`unexpected character ${shown}`, { start, end: start + c.length });
    }
    i += punct.length;
    tokens.push({ kind: 'punct', text: punct, value: punct, start, end: i });
  }
  tokens.push({ kind: 'eof', text: '', value: '', start: text.length, end: text.length });
  return tokens;
}

/** A "double-quoted" string from `start`, with Go's escapes decoded; it may not span lines. */
function quotedString(text: string, start: number): Token {
  let value = '';
  let i = start + 1;
  for (;;) {
    const c = text[i];
    if (c === undefined || c === '\n')
      throw new AlloySyntaxError('a "string" is not closed on its line', { start, end: i });
    if (c === '"') break;
    if (c !== '\\') {
      value += c;
      i++;
      continue;
    }
    const e = text[i + 1] ?? '';
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      value += simple;
      i += 2;
      continue;
    }
    const digits = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : /[0-7]/.test(e) ? 3 : 0;
    const hex = e === 'x' || e === 'u' || e === 'U';
    const body = text.slice(hex ? i + 2 : i + 1, (hex ? i + 2 : i + 1) + digits);
    const code = Number.parseInt(body, hex ? 16 : 8);
    if (
      digits === 0 ||
      body.length !== digits ||
      !(hex ? /^[0-9a-fA-F]+$/ : /^[0-7]+$/).test(body) ||
      code > 0x10ffff
    )
      throw new AlloySyntaxError(`invalid escape \\${e} in a string`, { start: i, end: i + 2 });
    value += String.fromCodePoint(code);
    i = (hex ? i + 2 : i + 1) + digits;
  }
  return { kind: 'string', text: text.slice(start, i + 1), value, start, end: i + 1 };
}

/** Recursive descent over the tokens: a body is a list of attributes (`name = expr`) and blocks. */
class Parser {
  #pos = 0;
  #depth = 0;
  constructor(
    private readonly tokens: readonly Token[],
    private readonly onBlock: (block: AlloyBlock) => void,
  ) {}

  #peek(offset = 0): Token {
    return this.tokens[Math.min(this.#pos + offset, this.tokens.length - 1)] as Token;
  }
  #next(): Token {
    const token = this.#peek();
    if (token.kind !== 'eof') this.#pos++;
    return token;
  }
  #is(token: Token, punct: string): boolean {
    return token.kind === 'punct' && token.text === punct;
  }
  #expect(punct: string, what: string): Token {
    const token = this.#next();
    if (!this.#is(token, punct)) throw this.#unexpected(token, what);
    return token;
  }
  #unexpected(token: Token, expected: string): AlloySyntaxError {
    const found = token.kind === 'eof' ? 'the end of the file' : `"${token.text}"`;
    return new AlloySyntaxError(`expected ${expected}, found ${found}`, {
      start: token.start,
      end: Math.max(token.end, token.start + 1),
    });
  }
  #enter(token: Token): void {
    if (++this.#depth > MAX_ALLOY_DEPTH)
      throw new AlloySyntaxError(`nested deeper than ${MAX_ALLOY_DEPTH} levels; not read further`, {
        start: token.start,
        end: token.end,
      });
  }

  /** Statements until `}` (inside a block) or the end of the file (at the top). */
  body(closing: boolean): { attributes: AlloyField[]; blocks: AlloyBlock[] } {
    const attributes: AlloyField[] = [];
    const blocks: AlloyBlock[] = [];
    for (;;) {
      const token = this.#peek();
      if (token.kind === 'eof') {
        if (closing) throw this.#unexpected(token, 'a closing "}"');
        return { attributes, blocks };
      }
      if (closing && this.#is(token, '}')) return { attributes, blocks };
      if (token.kind !== 'ident') throw this.#unexpected(token, 'an attribute or a block name');
      this.#next();
      if (this.#is(this.#peek(), '=')) {
        this.#next();
        attributes.push({
          key: token.text,
          keyRange: { start: token.start, end: token.end },
          value: this.expression(),
        });
        continue;
      }
      let name = token.text;
      let nameEnd = token.end;
      while (this.#is(this.#peek(), '.')) {
        this.#next();
        const part = this.#next();
        if (part.kind !== 'ident') throw this.#unexpected(part, 'a name after "."');
        name += `.${part.text}`;
        nameEnd = part.end;
      }
      let label: Located<string> | undefined;
      if (this.#peek().kind === 'string') {
        const l = this.#next();
        label = { value: l.value, range: { start: l.start, end: l.end } };
      }
      const open = this.#expect('{', name === token.text && label === undefined ? '"=" or "{"' : '"{"');
      this.#enter(open);
      const inner = this.body(true);
      const close = this.#expect('}', 'a closing "}"');
      this.#depth--;
      const block: AlloyBlock = {
        name,
        nameRange: { start: token.start, end: nameEnd },
        ...(label === undefined ? {} : { label }),
        range: { start: token.start, end: close.end },
        attributes: inner.attributes,
        blocks: inner.blocks,
      };
      blocks.push(block);
      this.onBlock(block);
    }
  }

  expression(minPrecedence = 0): AlloyValue {
    let left = this.unary();
    for (;;) {
      const op = this.#peek();
      if (op.kind !== 'punct' || !BINARY.has(op.text)) return left;
      const precedence = PRECEDENCE[op.text] ?? 0;
      if (precedence < minPrecedence) return left;
      this.#next();
      const right = this.expression(op.text === '^' ? precedence : precedence + 1);
      left = { kind: 'computed', range: { start: left.range.start, end: right.range.end } };
    }
  }

  unary(): AlloyValue {
    const token = this.#peek();
    if (this.#is(token, '!') || this.#is(token, '-')) {
      this.#next();
      const operand = this.unary();
      if (token.text === '-' && operand.kind === 'number')
        return {
          kind: 'number',
          value: -operand.value,
          range: { start: token.start, end: operand.range.end },
        };
      return { kind: 'computed', range: { start: token.start, end: operand.range.end } };
    }
    return this.postfix(this.primary());
  }

  /** Field access, indexing and calls: `a.b`, `a[0]`, `f(x)`; the result is computed. */
  postfix(value: AlloyValue): AlloyValue {
    let result = value;
    for (;;) {
      const token = this.#peek();
      if (this.#is(token, '.')) {
        this.#next();
        const field = this.#next();
        if (field.kind !== 'ident') throw this.#unexpected(field, 'a field name after "."');
        result = { kind: 'computed', range: { start: result.range.start, end: field.end } };
      } else if (this.#is(token, '[')) {
        this.#next();
        this.#enter(token);
        this.expression();
        const close = this.#expect(']', 'a closing "]"');
        this.#depth--;
        result = { kind: 'computed', range: { start: result.range.start, end: close.end } };
      } else if (this.#is(token, '(')) {
        this.#next();
        this.#enter(token);
        while (!this.#is(this.#peek(), ')')) {
          this.expression();
          if (!this.#is(this.#peek(), ',')) break;
          this.#next();
        }
        const close = this.#expect(')', 'a closing ")"');
        this.#depth--;
        result = { kind: 'computed', range: { start: result.range.start, end: close.end } };
      } else {
        return result;
      }
    }
  }

  primary(): AlloyValue {
    const token = this.#next();
    const range = { start: token.start, end: token.end };
    switch (token.kind) {
      case 'string':
        return { kind: 'string', value: token.value, range };
      case 'number':
        return { kind: 'number', value: Number(token.text), range };
      case 'ident':
        if (token.text === 'true' || token.text === 'false')
          return { kind: 'bool', value: token.text === 'true', range };
        if (token.text === 'null') return { kind: 'null', range };
        return { kind: 'computed', range };
      case 'punct':
        if (token.text === '[') return this.array(token);
        if (token.text === '{') return this.object(token);
        if (token.text === '(') {
          this.#enter(token);
          const inner = this.expression();
          this.#expect(')', 'a closing ")"');
          this.#depth--;
          return inner;
        }
        throw this.#unexpected(token, 'a value');
      default:
        throw this.#unexpected(token, 'a value');
    }
  }

  array(open: Token): AlloyValue {
    this.#enter(open);
    const items: AlloyValue[] = [];
    while (!this.#is(this.#peek(), ']')) {
      items.push(this.expression());
      if (!this.#is(this.#peek(), ',')) break;
      this.#next();
    }
    const close = this.#expect(']', 'a "," or a closing "]"');
    this.#depth--;
    return { kind: 'array', items, range: { start: open.start, end: close.end } };
  }

  object(open: Token): AlloyValue {
    this.#enter(open);
    const fields: AlloyField[] = [];
    while (!this.#is(this.#peek(), '}')) {
      const key = this.#next();
      if (key.kind !== 'ident' && key.kind !== 'string')
        throw this.#unexpected(key, 'a key (a name or a "string")');
      const separator = this.#next();
      if (!this.#is(separator, '=')) throw this.#unexpected(separator, `"=" after the key ${key.text}`);
      fields.push({ key: key.value, keyRange: { start: key.start, end: key.end }, value: this.expression() });
      if (!this.#is(this.#peek(), ',')) break;
      this.#next();
    }
    const close = this.#expect('}', 'a "," or a closing "}"');
    this.#depth--;
    return { kind: 'object', fields, range: { start: open.start, end: close.end } };
  }
}

const PRECEDENCE: Readonly<Record<string, number>> = {
  '||': 1,
  '&&': 2,
  '==': 3,
  '!=': 3,
  '<': 3,
  '<=': 3,
  '>': 3,
  '>=': 3,
  '+': 4,
  '-': 4,
  '*': 5,
  '/': 5,
  '%': 5,
  '^': 6,
};

/**
 * Reads an Alloy file's blocks. `onBlock` sees each block as soon as it closes (inner blocks first), so a syntax
 * error further down loses only what follows it.
 */
export function readAlloy(
  text: string,
  onBlock: (block: AlloyBlock) => void = () => undefined,
): { blocks: AlloyBlock[]; problem?: SourceProblem } {
  try {
    const parser = new Parser(tokenize(text), onBlock);
    return { blocks: parser.body(false).blocks };
  } catch (error) {
    if (error instanceof AlloySyntaxError)
      return { blocks: [], problem: { message: `Alloy syntax: ${error.message}`, range: error.range } };
    throw error;
  }
}

const GO_DURATION = /^([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|ms|s|m|h)/;
const GO_UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/**
 * Alloy's durations are Go's (`1.5m`, `500ms`, `1h30m`, no `d`/`w`/`y`); the rules read Prometheus' spelling. The
 * same text when Prometheus reads it alike, else the Prometheus spelling of the same length of time; undefined when
 * it is no Go duration.
 */
export function alloyDuration(text: string): string | undefined {
  if (text === '0') return '0s';
  let rest = text;
  let ms = 0;
  if (rest === '') return undefined;
  while (rest !== '') {
    const match = GO_DURATION.exec(rest);
    if (match === null) return undefined;
    ms += Number(match[1]) * (GO_UNIT_MS[match[3] ?? ''] ?? 0);
    rest = rest.slice(match[0].length);
  }
  if (parseDuration(text) === ms) return text;
  if (!Number.isFinite(ms)) return undefined;
  const whole = Math.round(ms);
  // Below a millisecond Prometheus has no unit: the rules see 0s, as a timeout of 0 it refuses anyway.
  return formatDuration(whole);
}

/** The scrape job of one `prometheus.scrape` block; type errors in the fields read become problems. */
function scrapeJob(block: AlloyBlock, problems: SourceProblem[]): ScrapeJob {
  const field = (key: string): AlloyField | undefined => block.attributes.find((a) => a.key === key);
  const where = `prometheus.scrape${block.label === undefined ? '' : ` "${block.label.value}"`}`;
  const typed = <K extends AlloyValue['kind']>(
    key: string,
    kind: K,
    type: string,
  ): Extract<AlloyValue, { kind: K }> | undefined => {
    const f = field(key);
    if (f === undefined || f.value.kind === 'computed') return undefined;
    if (f.value.kind === kind) return f.value as Extract<AlloyValue, { kind: K }>;
    problems.push({
      message: `${where}: ${key} must be ${type}, got ${describe(f.value)}`,
      range: f.value.range,
    });
    return undefined;
  };
  const bool = (key: string): Located<boolean> | undefined => {
    const v = typed(key, 'bool', 'a bool (true or false)');
    return v === undefined ? undefined : { value: v.value, range: v.range };
  };
  const str = (key: string): Located<string> | undefined => {
    const v = typed(key, 'string', 'a string');
    return v === undefined ? undefined : { value: v.value, range: v.range };
  };
  const duration = (key: string): Located<string> | undefined => {
    const v = str(key);
    if (v === undefined) return undefined;
    const value = alloyDuration(v.value);
    if (value !== undefined) return { value, range: v.range };
    problems.push({
      message: `${where}: ${key} "${v.value}" is not a duration (e.g. 30s, 1m, 1m30s)`,
      range: v.range,
    });
    return undefined;
  };
  const whole = (key: string): Located<number> | undefined => {
    const v = typed(key, 'number', 'a whole number');
    if (v === undefined) return undefined;
    if (Number.isInteger(v.value) && v.value >= 0) return { value: v.value, range: v.range };
    problems.push({
      message: `${where}: ${key} must be a whole number, got ${String(v.value)}`,
      range: v.range,
    });
    return undefined;
  };

  const jobName = str('job_name');
  const name = jobName ?? {
    value: `${SCRAPE_COMPONENT}.${block.label?.value ?? ''}`,
    range: block.label?.range ?? block.nameRange,
  };
  const staticTargets: Located<string>[] = [];
  let discovers = false;
  const targets = field('targets');
  if (targets === undefined) {
    problems.push({
      message: `${where} has no targets (Alloy refuses it: targets is required)`,
      range: block.nameRange,
    });
  } else if (targets.value.kind === 'array') {
    for (const item of targets.value.items) {
      if (item.kind !== 'object') {
        discovers = true;
        continue;
      }
      const address = item.fields.find((f) => f.key === '__address__');
      if (address?.value.kind === 'string')
        staticTargets.push({ value: address.value.value, range: address.value.range });
      else discovers = true;
    }
  } else {
    discovers = true;
  }

  const paramsField = field('params');
  let params: Located<Record<string, Located<string>[]>> | undefined;
  if (paramsField?.value.kind === 'object') {
    const record: Record<string, Located<string>[]> = {};
    for (const p of paramsField.value.fields) {
      if (p.value.kind !== 'array') continue;
      record[p.key] = p.value.items.flatMap((item) =>
        item.kind === 'string' ? [{ value: item.value, range: item.range }] : [],
      );
    }
    params = { value: record, range: paramsField.value.range };
  }
  const limit = field('body_size_limit');
  const bodySizeLimit =
    limit !== undefined && (limit.value.kind === 'number' || limit.value.kind === 'string')
      ? { value: limit.value.value, range: limit.value.range }
      : undefined;

  const job: ScrapeJob = {
    origin: 'prometheus',
    name,
    range: block.range,
    staticTargets,
    discovers,
    ports: [],
  };
  const set = <K extends keyof ScrapeJob>(key: K, value: ScrapeJob[K] | undefined): void => {
    if (value !== undefined) (job as { -readonly [P in keyof ScrapeJob]: ScrapeJob[P] })[key] = value;
  };
  set('honorLabels', bool('honor_labels'));
  set('honorTimestamps', bool('honor_timestamps'));
  set('trackTimestampsStaleness', bool('track_timestamps_staleness'));
  set('sampleLimit', whole('sample_limit'));
  set('bodySizeLimit', bodySizeLimit);
  set('scrapeInterval', duration('scrape_interval'));
  set('scrapeTimeout', duration('scrape_timeout'));
  set('metricsPath', str('metrics_path'));
  set('params', params);
  return job;
}

function describe(value: AlloyValue): string {
  switch (value.kind) {
    case 'string':
      return `the string ${JSON.stringify(value.value)}`;
    case 'number':
      return `the number ${String(value.value)}`;
    case 'bool':
      return String(value.value);
    default:
      return `a ${value.kind}`;
  }
}

/**
 * Reads an Alloy file into the configuration model. Never throws on bad input: a syntax error, a field of the
 * wrong type and a component declared twice land in `problems`.
 */
export function parseAlloy(text: string, filePath: string): ParsedConfig & { problems: SourceProblem[] } {
  const problems: SourceProblem[] = [];
  const jobs: ScrapeJob[] = [];
  const labels = new Map<string, Range>();
  const { problem } = readAlloy(text, (block) => {
    if (block.name !== SCRAPE_COMPONENT) return;
    const label = block.label?.value;
    if (label === undefined) {
      problems.push({
        message: 'a prometheus.scrape block needs a label: prometheus.scrape "name" { ... }',
        range: block.nameRange,
      });
    } else if (labels.has(label)) {
      problems.push({
        message: `prometheus.scrape "${label}" is declared twice (Alloy refuses the file)`,
        range: block.label?.range ?? block.nameRange,
      });
    } else {
      labels.set(label, block.label?.range ?? block.nameRange);
    }
    jobs.push(scrapeJob(block, problems));
  });
  if (problem !== undefined) problems.push(problem);
  return {
    kind: 'config',
    filePath,
    text,
    documents: [],
    lineCounter: new LineCounter(),
    global: {},
    jobs,
    problems,
    recognized: jobs.length > 0 || problem !== undefined,
    embedded: [],
    prometheusResources: [],
    scrapeConfigFiles: [],
  };
}
