/**
 * An incremental parser of Prometheus text 0.0.4 and OpenMetrics 1.0. Input arrives in chunks (Buffers are
 * decoded with a StringDecoder, so a character split between chunks is kept whole); only the unfinished last
 * line is carried between chunks, so memory does not grow with the input (except the compact series table of
 * duplicate tracking and one small record per metric family).
 *
 * Lines are scanned by char code. A broken line yields one diagnostic and the parser resumes at the next line.
 * text 0.0.4 follows what promtool (client_golang's expfmt TextParser) accepts, which the corpus proves line by
 * line; OpenMetrics follows the ABNF of the 1.0 specification. Both accept the quoted UTF-8 names of Prometheus 3.
 */
import { StringDecoder } from 'node:string_decoder';
import type {
  Diagnostic,
  FactEvent,
  Format,
  MetadataEvent,
  MetricType,
  ParseErrorCode,
  ParseEvent,
  ParseOptions,
  ParseSummary,
  ParsedExemplar,
  ParsedLabel,
  Range,
  SampleEvent,
} from './types.js';
import {
  isLabelNameChar,
  isLabelNameStart,
  isMetricNameChar,
  isMetricNameStart,
  isValidUtf8Name,
} from './names.js';
import { isFloat, plainDecimal, scanIntTimestamp, scanSecondsTimestamp, scanValue } from './numbers.js';
import { SeriesTable } from './series-table.js';

const SPACE = 32;
const TAB = 9;
const HASH = 35;
const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const EQUALS = 61;
const OPEN = 123;
const CLOSE = 125;
const CR = 13;

/** How much input is looked at to detect the format when neither a Content-Type nor an option names it. */
const DETECTION_WINDOW = 64 * 1024;
const DEFAULT_MAX_LINE = 4 * 1024 * 1024;
/** OpenMetrics: the combined length of an exemplar's label names and values, in characters. */
const EXEMPLAR_LABELS_MAX = 128;
const NO_LABELS: readonly ParsedLabel[] = Object.freeze([]);

interface FamilyState {
  readonly name: string;
  /** Explicit TYPE, or the type a first sample implied (text: untyped). */
  type: MetricType | undefined;
  typeExplicit: boolean;
  help: boolean;
  unit: boolean;
  sampled: boolean;
}

/** text 0.0.4 type names, lower-cased (a Map: an object would also answer "constructor" or "toString"). */
const TEXT_TYPES: ReadonlyMap<string, MetricType> = new Map([
  ['counter', 'counter'],
  ['gauge', 'gauge'],
  ['histogram', 'histogram'],
  ['summary', 'summary'],
  ['untyped', 'untyped'],
  // promtool 2.42 accepts client_model's GAUGE_HISTOGRAM, in any case, like every other type name.
  ['gauge_histogram', 'gaugehistogram'],
]);

/**
 * A text 0.0.4 TYPE word the way promtool reads it, lower-cased for TEXT_TYPES. promtool reads the rest of the line
 * with escapes off yet still swallows every backslash (`histo\gram` is histogram), and upper-cases with Go's
 * simple case mapping, in which "ı" and "ſ" become "I" and "S" (JavaScript's case mappings differ elsewhere:
 * "ﬆ" would become "ST"). Prometheus' own scraper accepts neither.
 */
function promtoolTypeWord(word: string): string {
  let out = '';
  for (const ch of word) {
    if (ch === '\\') continue;
    out += ch === 'ı' ? 'i' : ch === 'ſ' ? 's' : ch < '\u0080' ? ch.toLowerCase() : ch;
  }
  return out;
}

/** The TYPE words Prometheus' own text parser (textparse) takes: these, exactly. */
const SCRAPER_TYPES: ReadonlySet<string> = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

const OM_TYPES: ReadonlySet<string> = new Set([
  'counter',
  'gauge',
  'histogram',
  'gaugehistogram',
  'stateset',
  'info',
  'summary',
  'unknown',
]);

/** OpenMetrics: the suffixes each type's samples may add to the family name ('' = the bare name). */
const OM_SUFFIXES: Readonly<Record<MetricType, readonly string[]>> = {
  counter: ['_total', '_created'],
  gauge: [''],
  histogram: ['_bucket', '_count', '_sum', '_created'],
  gaugehistogram: ['_bucket', '_gcount', '_gsum'],
  summary: ['', '_count', '_sum', '_created'],
  info: ['_info'],
  stateset: [''],
  unknown: [''],
  untyped: [''],
};
const OM_ALL_SUFFIXES = ['_total', '_created', '_bucket', '_count', '_sum', '_gcount', '_gsum', '_info'];

/** The media type of a Content-Type header value, if it names one of the two formats. */
export function formatFromContentType(contentType: string): Format | undefined {
  const semi = contentType.indexOf(';');
  const media = (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  if (media === 'application/openmetrics-text') return 'openmetrics';
  if (media === 'text/plain') return 'text';
  return undefined;
}

/**
 * Guesses the format of the beginning of an input: OpenMetrics when it holds `# EOF`, `# UNIT`, a TYPE that
 * only OpenMetrics has, or an exemplar; text otherwise.
 */
export function detectFormat(head: string): Format {
  if (/(?:^|\n)# (?:EOF(?:\n|$)|UNIT |TYPE \S+ (?:unknown|info|stateset|gaugehistogram)\n)/.test(head)) {
    return 'openmetrics';
  }
  if (/(?:^|\n)[^#\n][^\n]* # \{/.test(head)) return 'openmetrics';
  return 'text';
}

/** Characters that print as nothing, or as something else, named in messages by code point. */
const INVISIBLE: ReadonlyMap<number, string> = new Map([
  [0x00, 'a NUL byte'],
  [0x7f, 'a DEL control character'],
  [0xa0, 'a no-break space'],
  [0xad, 'a soft hyphen'],
  [0x200b, 'a zero-width space'],
  [0x200c, 'a zero-width non-joiner'],
  [0x200d, 'a zero-width joiner'],
  [0x200e, 'a left-to-right mark'],
  [0x200f, 'a right-to-left mark'],
  [0x2028, 'a line separator'],
  [0x2029, 'a paragraph separator'],
  [0x2060, 'a word joiner'],
  [0xfeff, 'a byte order mark (save the file as UTF-8 without one)'],
  [0xfffd, 'the replacement character (the input was not valid UTF-8 here)'],
]);

function describeChar(c: number): string {
  if (Number.isNaN(c) || c < 0) return 'end of line';
  if (c === SPACE) return 'a space';
  if (c === TAB) return 'a tab';
  if (c === CR) return 'a carriage return (lines must end with \\n only)';
  const hex = `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
  const named = INVISIBLE.get(c);
  if (named !== undefined) return `${hex}, ${named}`;
  if (c < 0x20 || (c >= 0x80 && c < 0xa0)) return `${hex}, a control character`;
  return `'${String.fromCharCode(c)}'`;
}

/** The message for a `# TYPE` word that is no type: quoted so that a carriage return or a control shows. */
function unknownType(word: string, expected: string): string {
  const crlf = word.endsWith('\r') ? '; the line ends with \\r\\n, and lines must end with \\n only' : '';
  return `unknown metric type ${JSON.stringify(word)} (expected ${expected})${crlf}`;
}

/** FNV-1a over a range of char codes, in two lanes with different seeds and primes. */
function hashRange(s: string, a: number, b: number, out: Uint32Array): void {
  let h1 = 0x811c9dc5;
  let h2 = 0x9747b28c;
  for (let i = a; i < b; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
  }
  out[0] = h1;
  out[1] = h2 ^ (h2 >>> 15);
}

/**
 * Bytes per series assumed when sizing the duplicate table from a size hint: below the usual sample line (an
 * exposer's lines with job and instance are 80–150 bytes), so the table rarely has to grow; an overestimate costs
 * only empty slots, bounded by MAX_PRESIZED_CAPACITY.
 */
const HINT_BYTES_PER_SERIES = 64;

function expectedSeries(sizeHint: number | undefined): number {
  if (sizeHint === undefined || !Number.isFinite(sizeHint) || sizeHint <= 0) return 0;
  return Math.floor(sizeHint / HINT_BYTES_PER_SERIES);
}

export class ExpositionParser {
  readonly #onEvent: (event: ParseEvent) => void;
  readonly #trackDuplicates: boolean;
  readonly #maxLine: number;
  #format: Format | undefined;
  #formatSource: NonNullable<ParseSummary['formatSource']> = 'default';
  #decoder: StringDecoder | undefined;
  /** Unprocessed input: the unfinished last line (or the detection window). */
  #pending = '';
  /** Absolute offset of #pending[0]. */
  #pendingBase = 0;
  /** Absolute offset of index 0 of the string being scanned. */
  #base = 0;
  #line = 0;
  #lineStart = 0;
  #skipping = false;
  #ended = false;
  #length = 0;
  #samples = 0;
  #timestamped = 0;
  #errors = 0;
  #facts = 0;
  readonly #families = new Map<string, FamilyState>();
  #lastSampleFamily: FamilyState | undefined;
  /** OpenMetrics: the family the last line belongs to. */
  #current: FamilyState | undefined;
  #eof = false;
  #afterEofReported = false;
  #series: SeriesTable | undefined;
  /** [start, end) absolute ranges of decoded input that held invalid UTF-8 (decoded to U+FFFD). */
  readonly #dirty: number[] = [];
  /** The last sample name and its family: consecutive samples of one family reuse them. */
  #lastName: string | undefined;
  /** The last metric name written bare (so a valid bare name), reused when the next line spells it again. */
  #lastBareName: string | undefined;
  #lastFamily: FamilyState | undefined;
  #lastSuffix = '';
  #lastNameHash1 = 0;
  #lastNameHash2 = 0;
  /** Label names of the last label set, reused when the next set writes the same names in the same places. */
  #prevLabelNames: string[] = [];
  /** Bare label names of recent label sets by position, reused when a line spells one again. */
  readonly #prevBareNames: string[] = [];
  #prevLabelHash1: number[] = [];
  #prevLabelHash2: number[] = [];
  /** Order-independent hash of the label pairs of the last label set (when tracking duplicates). */
  #labelsHash1 = 0;
  #labelsHash2 = 0;
  /** Scratch: where the last scan stopped. */
  #pos = 0;
  readonly #hash = new Uint32Array(2);

  constructor(options: ParseOptions, onEvent: (event: ParseEvent) => void) {
    this.#onEvent = onEvent;
    this.#trackDuplicates = options.trackDuplicates ?? true;
    this.#maxLine = options.maxLineLength ?? DEFAULT_MAX_LINE;
    const fromHeader =
      options.contentType === undefined ? undefined : formatFromContentType(options.contentType);
    if (fromHeader !== undefined) {
      this.#format = fromHeader;
      this.#formatSource = 'content-type';
    } else if (options.format !== undefined) {
      this.#format = options.format;
      this.#formatSource = 'option';
    }
    if (this.#trackDuplicates) this.#series = new SeriesTable(expectedSeries(options.sizeHint));
  }

  /** The format in use, once known (at once with a Content-Type or option, else after detection). */
  get format(): Format | undefined {
    return this.#format;
  }

  write(chunk: Buffer | Uint8Array | string): void {
    if (this.#ended) throw new Error('ExpositionParser: write() after end()');
    let text: string;
    if (typeof chunk === 'string') {
      text = chunk;
    } else {
      this.#decoder ??= new StringDecoder('utf8');
      text = this.#decoder.write(
        Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length),
      );
      if (text.includes('\uFFFD')) this.#markDirty(text, chunk);
    }
    this.#length += text.length;
    this.#feed(text);
  }

  end(): ParseSummary {
    if (!this.#ended) {
      this.#ended = true;
      if (this.#decoder !== undefined) {
        const rest = this.#decoder.end();
        if (rest.length > 0) {
          this.#dirty.push(this.#length, this.#length + rest.length);
          this.#length += rest.length;
          this.#feed(rest);
        }
      }
      if (this.#format === undefined) this.#decide();
      this.#finish();
    }
    return {
      format: this.#format ?? 'text',
      lines: this.#line,
      samples: this.#samples,
      families: this.#families.size,
      timestampedSamples: this.#timestamped,
      errors: this.#errors,
      length: this.#length,
      facts: this.#facts,
      formatSource: this.#formatSource,
    };
  }

  #markDirty(text: string, chunk: Uint8Array): void {
    let replacements = 0;
    for (let i = text.indexOf('\uFFFD'); i !== -1; i = text.indexOf('\uFFFD', i + 1)) replacements++;
    let encoded = 0;
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    for (let i = bytes.indexOf(0xef); i !== -1 && i + 2 < bytes.length; i = bytes.indexOf(0xef, i + 1)) {
      if (bytes[i + 1] === 0xbf && bytes[i + 2] === 0xbd) encoded++;
    }
    if (replacements > encoded) this.#dirty.push(this.#length, this.#length + text.length);
  }

  #isDirty(start: number, end: number): boolean {
    const d = this.#dirty;
    for (let k = d.length - 2; k >= 0; k -= 2) {
      if ((d[k] ?? 0) < end && (d[k + 1] ?? 0) > start) return true;
    }
    return false;
  }

  #feed(text: string): void {
    if (this.#format === undefined) {
      this.#pending += text;
      if (this.#pending.length < DETECTION_WINDOW) return;
      this.#decide();
      text = this.#pending;
      this.#pending = '';
    }
    // #pending is an unfinished line starting at #pendingBase; text follows it.
    const textBase = this.#pendingBase + this.#pending.length;
    let from = 0;
    if (this.#skipping) {
      const nl = text.indexOf('\n');
      if (nl === -1) {
        this.#pendingBase = textBase + text.length;
        return;
      }
      this.#skipping = false;
      this.#line++;
      from = nl + 1;
    } else if (this.#pending.length > 0) {
      const nl = text.indexOf('\n');
      if (nl === -1) {
        this.#pending += text;
        this.#checkLongLine();
        return;
      }
      // Finish the carried line on its own, so that the chunk itself is scanned as the flat string it is.
      const joined = this.#pending + text.slice(0, nl + 1);
      this.#scan(joined, this.#pendingBase, 0, joined.length);
      from = nl + 1;
    }
    const last = text.lastIndexOf('\n');
    if (last >= from) {
      this.#scan(text, textBase, from, last + 1);
      from = last + 1;
    }
    this.#pending = text.slice(from);
    this.#pendingBase = textBase + from;
    this.#checkLongLine();
  }

  #checkLongLine(): void {
    if (this.#pending.length <= this.#maxLine) return;
    this.#lineStart = this.#pendingBase;
    this.#base = this.#pendingBase;
    this.#error(
      'line-too-long',
      `line longer than ${this.#maxLine} characters: skipped to the next line`,
      0,
      Math.min(this.#pending.length, 64),
      this.#line + 1,
    );
    this.#skipping = true;
    this.#pendingBase += this.#pending.length;
    this.#pending = '';
  }

  #decide(): void {
    this.#format = detectFormat(this.#pending.slice(0, DETECTION_WINDOW));
    this.#formatSource = 'detected';
  }

  /** Scans the complete lines of data[from, end) (end just after a '\n'); base is the offset of data[0]. */
  #scan(data: string, base: number, from: number, end: number): void {
    this.#base = base;
    const om = this.#format === 'openmetrics';
    let a = from;
    while (a < end) {
      let nl = data.indexOf('\n', a);
      if (nl === -1 || nl >= end) nl = end;
      this.#line++;
      this.#lineStart = base + a;
      if (nl - a > this.#maxLine) {
        this.#error(
          'line-too-long',
          `line longer than ${this.#maxLine} characters: skipped to the next line`,
          a,
          a + Math.min(nl - a, 64),
        );
      } else if (om) this.#omLine(data, a, nl);
      else this.#textLine(data, a, nl);
      a = nl + 1;
    }
  }

  #finish(): void {
    const rest = this.#pending;
    const base = this.#pendingBase;
    this.#pending = '';
    const om = this.#format === 'openmetrics';
    if (this.#skipping) {
      this.#skipping = false;
    } else if (rest.length > 0) {
      const nl = rest.lastIndexOf('\n');
      if (nl !== -1) this.#scan(rest, base, 0, nl + 1);
      const tail = rest.slice(nl + 1);
      const tailBase = base + nl + 1;
      if (tail.length > 0) {
        this.#base = tailBase;
        this.#line++;
        this.#lineStart = tailBase;
        if (om) {
          this.#omLine(tail, 0, tail.length);
        } else {
          let i = 0;
          while (i < tail.length && (tail.charCodeAt(i) === SPACE || tail.charCodeAt(i) === TAB)) i++;
          if (i < tail.length) {
            const errors = this.#errors;
            this.#textLine(tail, 0, tail.length);
            if (this.#errors === errors) {
              this.#error(
                'missing-newline',
                'the last line does not end with a line feed',
                tail.length,
                tail.length,
              );
            }
          }
        }
      }
    }
    if (om && !this.#eof) {
      this.#base = 0;
      this.#lineStart = this.#length;
      this.#error(
        'missing-eof',
        'OpenMetrics input must end with a "# EOF" line',
        this.#length,
        this.#length,
        // Lines are 1-based: an empty input still has its first line.
        Math.max(1, this.#line),
      );
    }
  }

  // ---- events --------------------------------------------------------------------------------------------

  /** Reports an error at [a, b) of the string being scanned (indexes relative to this.#base). */
  #error(code: ParseErrorCode, message: string, a: number, b: number, line = this.#line): void {
    this.#errors++;
    const event: Diagnostic = {
      kind: 'diagnostic',
      code,
      message,
      start: this.#base + a,
      end: this.#base + Math.max(a, b),
      line,
      lineStart: this.#lineStart,
    };
    this.#onEvent(event);
  }

  #range(a: number, b: number): Range {
    return { start: this.#base + a, end: this.#base + b };
  }

  #fact(event: FactEvent): void {
    this.#facts++;
    this.#onEvent(event);
  }

  #comment(s: string, a: number, b: number): void {
    let i = a + 1;
    if (i < b && s.charCodeAt(i) === SPACE) i++;
    this.#onEvent({
      kind: 'comment',
      text: s.slice(i, b),
      range: this.#range(a, b),
      line: this.#line,
      lineStart: this.#lineStart,
    });
  }

  #family(name: string): FamilyState {
    let family = this.#families.get(name);
    if (family === undefined) {
      family = { name, type: undefined, typeExplicit: false, help: false, unit: false, sampled: false };
      this.#families.set(name, family);
    }
    return family;
  }

  /**
   * Whether `label` is the special label of the family a text sample named `name` belongs to (`le` of a histogram,
   * `quantile` of a summary), found as #textFamily finds it but creating no family.
   */
  #specialLabelOf(name: string, label: string): boolean {
    const want = label === 'le' ? 'histogram' : 'summary';
    const exact = this.#families.get(name);
    if (exact !== undefined) return exact.type === want;
    const base = baseOf(name, '_count') ?? baseOf(name, '_sum');
    const family = base === undefined ? undefined : this.#families.get(base);
    if (family !== undefined && (family.type === 'summary' || family.type === 'histogram'))
      return family.type === want;
    const bucketBase = want === 'histogram' ? baseOf(name, '_bucket') : undefined;
    return bucketBase !== undefined && this.#families.get(bucketBase)?.type === 'histogram';
  }

  /** text 0.0.4 (as expfmt): the family a name belongs to, creating it when it is new. */
  #textFamily(name: string): FamilyState {
    const exact = this.#families.get(name);
    if (exact !== undefined) return exact;
    const base = baseOf(name, '_count') ?? baseOf(name, '_sum');
    if (base !== undefined) {
      const family = this.#families.get(base);
      if (family !== undefined && (family.type === 'summary' || family.type === 'histogram')) return family;
    }
    const bucketBase = baseOf(name, '_bucket');
    if (bucketBase !== undefined) {
      const family = this.#families.get(bucketBase);
      if (family !== undefined && family.type === 'histogram') return family;
    }
    return this.#family(name);
  }

  // ---- text 0.0.4 ----------------------------------------------------------------------------------------

  #textLine(s: string, a: number, b: number): void {
    let i = a;
    let c = 0;
    while (i < b && ((c = s.charCodeAt(i)) === SPACE || c === TAB)) i++;
    if (i === b) return;
    if (c === HASH) this.#textComment(s, i, b);
    else this.#sample(s, i, b, false);
  }

  #textComment(s: string, a: number, b: number): void {
    let i = a + 1;
    let c = 0;
    while (i < b && ((c = s.charCodeAt(i)) === SPACE || c === TAB)) i++;
    const ks = i;
    while (i < b && (c = s.charCodeAt(i)) !== SPACE && c !== TAB) i++;
    const keyword = i - ks === 4 ? s.slice(ks, i) : '';
    if ((keyword !== 'HELP' && keyword !== 'TYPE') || i === b) return this.#comment(s, a, b);
    while (i < b && ((c = s.charCodeAt(i)) === SPACE || c === TAB)) i++;
    if (i === b) return this.#comment(s, a, b);
    const ns = i;
    let name: string;
    if (c === QUOTE) {
      const quoted = this.#quoted(s, i, b, 'metric name');
      if (quoted === undefined) return;
      if (!this.#checkQuotedName(quoted, ns, this.#pos, 'invalid-metric-name', 'metric')) return;
      name = quoted;
      i = this.#pos;
    } else {
      if (isMetricNameStart(c)) {
        i++;
        while (i < b && isMetricNameChar(s.charCodeAt(i))) i++;
      }
      name = s.slice(ns, i);
    }
    const ne = i;
    if (i === b) return this.#comment(s, a, b);
    c = s.charCodeAt(i);
    if (c !== SPACE && c !== TAB) {
      return this.#error(
        'invalid-metric-name',
        `invalid metric name in # ${keyword}: unexpected ${describeChar(c)}${c === 46 ? ' (quote UTF-8 names: "a.b")' : ''}`,
        ns,
        Math.max(i + 1, ne),
      );
    }
    while (i < b && ((c = s.charCodeAt(i)) === SPACE || c === TAB)) i++;
    if (i === b) return this.#comment(s, a, b);
    this.#invalidate();
    const family = this.#textFamily(name);
    if (keyword === 'HELP') {
      if (family.help) {
        return this.#error('duplicate-metadata', `second HELP line for metric family "${family.name}"`, a, b);
      }
      const help = this.#helpText(s, i, b, false);
      if (help === undefined) return;
      family.help = true;
      this.#metadata('help', family.name, help, undefined, s, a, b, ns, ne);
    } else {
      const word = s.slice(i, b);
      const type = TEXT_TYPES.get(word) ?? TEXT_TYPES.get(promtoolTypeWord(word));
      if (type === undefined) {
        return this.#error(
          'invalid-type',
          unknownType(word, 'counter, gauge, histogram, summary or untyped'),
          i,
          b,
        );
      }
      if (family.type !== undefined) {
        return family.typeExplicit
          ? this.#error('duplicate-metadata', `second TYPE line for metric family "${family.name}"`, a, b)
          : this.#error(
              'metadata-after-samples',
              `TYPE line for "${family.name}" after its samples: TYPE must come first`,
              a,
              b,
            );
      }
      family.type = type;
      family.typeExplicit = true;
      this.#metadata('type', family.name, word, type, s, a, b, ns, ne);
      if (!SCRAPER_TYPES.has(word)) {
        this.#scraperRefuses(
          family.name,
          `TYPE "${word}" is read as ${type} by promtool, but Prometheus' scraper takes only counter, gauge, histogram, summary or untyped, in lower case, and fails the whole scrape ("invalid metric type")`,
          i,
          b,
        );
      }
    }
  }

  /** Forgets the sample-name cache: a metadata line may change the family a name belongs to. */
  #invalidate(): void {
    this.#lastName = undefined;
    this.#lastFamily = undefined;
  }

  #metadata(
    kind: 'help' | 'type' | 'unit',
    family: string,
    text: string,
    type: MetricType | undefined,
    _s: string,
    a: number,
    b: number,
    ns: number,
    ne: number,
  ): void {
    // Fixed fields first and the optional one assigned after: a spread in the middle of an object literal makes V8
    // define every later field through its slow path (a fifth of the time of a small exposition went there).
    const event: { -readonly [K in keyof MetadataEvent]: MetadataEvent[K] } = {
      kind,
      family,
      text,
      range: this.#range(a, b),
      familyRange: this.#range(ns, ne),
      line: this.#line,
      lineStart: this.#lineStart,
    };
    if (type !== undefined) event.type = type;
    this.#onEvent(event);
  }

  /** HELP text: `\\` and `\n` in text 0.0.4; OpenMetrics also `\"` and refuses a bare `"`. */
  #helpText(s: string, a: number, b: number, om: boolean): string | undefined {
    let i = a;
    let c: number;
    while (i < b && (c = s.charCodeAt(i)) !== BACKSLASH && !(om && c === QUOTE)) i++;
    if (i === b) return s.slice(a, b);
    let out = s.slice(a, i);
    let from = i;
    for (; i < b; i++) {
      c = s.charCodeAt(i);
      if (c === QUOTE && om) {
        this.#error(
          'invalid-escape',
          'a double quote in OpenMetrics HELP text must be escaped as \\"',
          i,
          i + 1,
        );
        return undefined;
      }
      if (c !== BACKSLASH) continue;
      out += s.slice(from, i);
      const e = i + 1 < b ? s.charCodeAt(i + 1) : -1;
      if (e === BACKSLASH) out += '\\';
      else if (e === 110) out += '\n';
      else if (e === QUOTE && om) out += '"';
      else {
        this.#error(
          'invalid-escape',
          `invalid escape sequence ${e === -1 ? 'at end of line' : `'\\${String.fromCharCode(e)}'`} in HELP (allowed: \\\\, \\n${om ? ', \\"' : ''})`,
          i,
          Math.min(i + 2, b),
        );
        return undefined;
      }
      i++;
      from = i + 1;
    }
    return out + s.slice(from, b);
  }

  // ---- OpenMetrics 1.0 -----------------------------------------------------------------------------------

  #omLine(s: string, a: number, b: number): void {
    if (this.#eof) {
      if (!this.#afterEofReported) {
        this.#afterEofReported = true;
        this.#error('content-after-eof', 'content after "# EOF": nothing may follow it', a, b);
      }
      return;
    }
    if (a === b) return this.#error('blank-line', 'blank lines are not allowed in OpenMetrics', a, b);
    const c = s.charCodeAt(a);
    if (c === HASH) return this.#omMetadata(s, a, b);
    if (c === SPACE || c === TAB) {
      return this.#error(
        'unexpected-character',
        `OpenMetrics allows no leading whitespace: ${describeChar(c)}`,
        a,
        a + 1,
      );
    }
    if (this.#dirty.length > 0 && this.#checkUtf8(s, a, b)) return;
    this.#sample(s, a, b, true);
  }

  /** OpenMetrics requires the whole input to be UTF-8: reports invalid bytes on the line. */
  #checkUtf8(s: string, a: number, b: number): boolean {
    if (!this.#isDirty(this.#base + a, this.#base + b)) return false;
    const bad = s.indexOf('\uFFFD', a);
    if (bad === -1 || bad >= b) return false;
    this.#error('invalid-utf8', 'invalid UTF-8', bad, bad + 1);
    return true;
  }

  #omMetadata(s: string, a: number, b: number): void {
    if (b - a === 5 && s.startsWith('# EOF', a)) {
      this.#eof = true;
      return;
    }
    if (this.#dirty.length > 0 && this.#checkUtf8(s, a, b)) return;
    const keyword = s.slice(a + 2, a + 6);
    if (
      s.charCodeAt(a + 1) !== SPACE ||
      (keyword !== 'HELP' && keyword !== 'TYPE' && keyword !== 'UNIT') ||
      s.charCodeAt(a + 6) !== SPACE
    ) {
      return this.#error(
        'invalid-metadata',
        'OpenMetrics allows only "# HELP ", "# TYPE ", "# UNIT " and "# EOF" lines starting with #',
        a,
        b,
      );
    }
    let i = a + 7;
    const ns = i;
    let name: string;
    if (s.charCodeAt(i) === QUOTE) {
      const quoted = this.#quoted(s, i, b, 'metric name');
      if (quoted === undefined) return;
      if (!this.#checkQuotedName(quoted, ns, this.#pos, 'invalid-metric-name', 'metric')) return;
      name = quoted;
      i = this.#pos;
    } else {
      if (i < b && isMetricNameStart(s.charCodeAt(i))) {
        i++;
        while (i < b && isMetricNameChar(s.charCodeAt(i))) i++;
      }
      name = s.slice(ns, i);
    }
    const ne = i;
    if (ne === ns)
      return this.#error('invalid-metric-name', `expected a metric name after "# ${keyword} "`, ns, ns + 1);
    if (i === b) {
      return keyword === 'TYPE'
        ? this.#error('invalid-type', `missing type after "# TYPE ${name}"`, i, i)
        : this.#error('invalid-metadata', `expected a space after the metric name in # ${keyword}`, i, i);
    }
    if (s.charCodeAt(i) !== SPACE) {
      return this.#error(
        'invalid-metric-name',
        `unexpected ${describeChar(s.charCodeAt(i))} in metric name`,
        ns,
        i + 1,
      );
    }
    i++;
    this.#invalidate();
    const family = this.#omEnter(name, ns, ne, a, b);
    const what = keyword === 'HELP' ? 'help' : keyword === 'TYPE' ? 'type' : 'unit';
    const already = what === 'help' ? family.help : what === 'type' ? family.typeExplicit : family.unit;
    if (family.sampled) {
      return this.#error('metadata-after-samples', `# ${keyword} for "${name}" after its samples`, a, b);
    }
    if (already) return this.#error('duplicate-metadata', `second # ${keyword} line for "${name}"`, a, b);
    if (what === 'help') {
      const help = this.#helpText(s, i, b, true);
      if (help === undefined) return;
      family.help = true;
      this.#metadata('help', name, help, undefined, s, a, b, ns, ne);
    } else if (what === 'type') {
      const word = s.slice(i, b);
      if (!OM_TYPES.has(word)) {
        return this.#error(
          'invalid-type',
          unknownType(word, 'counter, gauge, histogram, gaugehistogram, stateset, info, summary or unknown'),
          i,
          b,
        );
      }
      const type = word as MetricType;
      if (family.unit && (type === 'info' || type === 'stateset')) {
        return this.#error('invalid-unit', `a ${type} family cannot have a UNIT`, i, b);
      }
      family.type = type;
      family.typeExplicit = true;
      this.#metadata('type', name, word, type, s, a, b, ns, ne);
    } else {
      for (let k = i; k < b; k++) {
        if (!isMetricNameChar(s.charCodeAt(k))) {
          return this.#error('invalid-unit', `unexpected ${describeChar(s.charCodeAt(k))} in UNIT`, k, k + 1);
        }
      }
      const unit = s.slice(i, b);
      if (unit.length > 0 && !name.endsWith(`_${unit}`)) {
        return this.#error(
          'invalid-unit',
          `the metric name "${name}" must end with the unit suffix "_${unit}"`,
          i,
          b,
        );
      }
      if (family.type === 'info' || family.type === 'stateset') {
        return this.#error('invalid-unit', `a ${family.type} family cannot have a UNIT`, i, b);
      }
      family.unit = true;
      this.#metadata('unit', name, unit, undefined, s, a, b, ns, ne);
    }
  }

  /** OpenMetrics: makes `name` the current family (a metadata line names its family). */
  #omEnter(name: string, _ns: number, _ne: number, a: number, b: number): FamilyState {
    const current = this.#current;
    if (current !== undefined && current.name === name) return current;
    const existing = this.#families.get(name);
    if (
      existing !== undefined &&
      (existing.sampled || existing.help || existing.typeExplicit || existing.unit)
    ) {
      this.#splitFact(existing, a, b);
    }
    const family = existing ?? this.#family(name);
    this.#current = family;
    return family;
  }

  /** A line promtool reads and Prometheus' scraper refuses (FactCode `scraper-refuses`). */
  #scraperRefuses(family: string, message: string, a: number, b: number): void {
    this.#fact({
      kind: 'fact',
      code: 'scraper-refuses',
      family,
      message,
      range: this.#range(a, b),
      line: this.#line,
      lineStart: this.#lineStart,
    });
  }

  #splitFact(family: FamilyState, a: number, b: number): void {
    this.#fact({
      kind: 'fact',
      code: 'split-family',
      family: family.name,
      message: `metric family "${family.name}" continues after other families: its lines must form one group`,
      range: this.#range(a, b),
      line: this.#line,
      lineStart: this.#lineStart,
    });
  }

  /**
   * OpenMetrics: the family of a sample name. The current family if the name is one of its sample names,
   * else an earlier family (a split), else a new family of type unknown.
   */
  #omFamily(name: string): { family: FamilyState; suffix: string } {
    const current = this.#current;
    if (current !== undefined) {
      const suffix = omSuffix(current, name);
      if (suffix !== undefined) return { family: current, suffix };
    }
    let family = this.#families.get(name);
    let suffix = '';
    if (family === undefined || omSuffix(family, name) === undefined) {
      for (const candidate of OM_ALL_SUFFIXES) {
        const base = baseOf(name, candidate);
        if (base === undefined) continue;
        const found = this.#families.get(base);
        if (found !== undefined && omSuffix(found, name) === candidate) {
          family = found;
          suffix = candidate;
          break;
        }
      }
    }
    family ??= this.#family(name);
    return { family, suffix };
  }

  // ---- samples (both formats) ----------------------------------------------------------------------------

  #sample(s: string, a: number, b: number, om: boolean): void {
    let i = a;
    let c = s.charCodeAt(i);
    let name: string | undefined;
    let ns = a;
    let ne = a;
    if (c !== OPEN) {
      if (!isMetricNameStart(c)) {
        return this.#error(
          'invalid-metric-name',
          `invalid metric name: unexpected ${describeChar(c)}`,
          i,
          i + 1,
        );
      }
      // Consecutive samples mostly repeat the last bare name: reuse that string when the line spells it.
      // The end of the name is checked first: a _sum or _count line after a _bucket one differs in length only.
      const last = this.#lastBareName;
      if (last !== undefined && !isMetricNameChar(s.charCodeAt(a + last.length)) && matchesAt(s, a, last)) {
        name = last;
        i = a + last.length;
      } else {
        i++;
        while (i < b && isMetricNameChar(s.charCodeAt(i))) i++;
        name = flat(s.slice(a, i));
        this.#lastBareName = name;
      }
      ne = i;
      if (i === b) return this.#error('unexpected-end-of-line', `expected a value after "${name}"`, i, i);
      c = s.charCodeAt(i);
      if (c === SPACE || (c === TAB && !om)) {
        i++;
        if (!om) while (i < b && ((c = s.charCodeAt(i)) === SPACE || c === TAB)) i++;
        c = i < b ? s.charCodeAt(i) : -1;
        if (om && c === OPEN) {
          return this.#error(
            'unexpected-character',
            'OpenMetrics allows no space between a metric name and "{"',
            i - 1,
            i,
          );
        }
      } else if (c !== OPEN && (om || !valueStartsAt(s, i, b))) {
        return this.#error(
          'invalid-metric-name',
          `unexpected ${describeChar(c)} in metric name${c === 46 || c > 127 ? ' (quote UTF-8 names: {"a.b"})' : ''}`,
          a,
          i + 1,
        );
      }
    }
    let labels = NO_LABELS;
    let labelsHash1 = 0;
    let labelsHash2 = 0;
    /** A histogram's le or a summary's quantile given twice (text 0.0.4): accepted, as promtool does. */
    let repeated: string | undefined;
    let repeatedStart = 0;
    let repeatedEnd = 0;
    if (c === OPEN) {
      const parsed = this.#labelSet(s, i, b, om, name === undefined);
      if (parsed === undefined) return;
      labels = parsed;
      labelsHash1 = this.#labelsHash1;
      labelsHash2 = this.#labelsHash2;
      i = this.#pos;
      if (this.#quotedName !== undefined) {
        name = this.#quotedName;
        ns = this.#quotedNameStart;
        ne = this.#quotedNameEnd;
        this.#quotedName = undefined;
      }
      if (name === undefined) {
        return this.#error(
          'invalid-metric-name',
          'missing metric name: write it before "{" or quoted first inside',
          a,
          i,
        );
      }
      if (this.#dupSpecial !== undefined && !this.#specialLabelOf(name, this.#dupSpecial)) {
        return this.#error(
          'duplicate-label',
          `label "${this.#dupSpecial}" appears twice in the label set`,
          this.#dupSpecialStart,
          this.#dupSpecialEnd,
        );
      }
      repeated = this.#dupSpecial;
      repeatedStart = this.#dupSpecialStart;
      repeatedEnd = this.#dupSpecialEnd;
      c = i < b ? s.charCodeAt(i) : -1;
      if (om) {
        if (c !== SPACE) {
          return c === -1
            ? this.#error('unexpected-end-of-line', `expected a value after "${name}"`, i, i)
            : this.#error(
                'unexpected-character',
                `expected a space after "}", found ${describeChar(c)}`,
                i,
                i + 1,
              );
        }
        i++;
      } else {
        while (i < b && ((c = s.charCodeAt(i)) === SPACE || c === TAB)) i++;
      }
    }
    if (name === undefined) return;
    // value
    const vs = i;
    if (om) while (i < b && s.charCodeAt(i) !== SPACE) i++;
    else while (i < b && (c = s.charCodeAt(i)) !== SPACE && c !== TAB) i++;
    const ve = i;
    if (vs === ve) return this.#error('invalid-value', `expected a value after "${name}"`, vs, vs);
    const value = plainDecimal(s, vs, ve) ?? scanValue(s, vs, ve);
    if (value === undefined) {
      const token = s.slice(vs, ve);
      return this.#error(
        'invalid-value',
        token.endsWith('\r')
          ? 'invalid value: lines must end with \\n, not \\r\\n'
          : `invalid value ${JSON.stringify(token)} (expected a float, NaN, +Inf or -Inf)`,
        vs,
        ve,
      );
    }
    let timestampMs: number | undefined;
    let ts = -1;
    let te = -1;
    let exemplar: ParsedExemplar | undefined;
    if (i < b) {
      if (om) {
        i++; // the single space
        if (i === b)
          return this.#error('unexpected-character', 'OpenMetrics allows no trailing space', i - 1, i);
        if (s.charCodeAt(i) !== HASH) {
          ts = i;
          while (i < b && s.charCodeAt(i) !== SPACE) i++;
          te = i;
          timestampMs = scanSecondsTimestamp(s, ts, te);
          if (timestampMs === undefined) {
            return this.#error(
              'invalid-timestamp',
              `invalid timestamp "${s.slice(ts, te)}" (expected seconds, e.g. 1520879607.789)`,
              ts,
              te,
            );
          }
          if (i < b) {
            i++;
            if (i === b)
              return this.#error('unexpected-character', 'OpenMetrics allows no trailing space', i - 1, i);
          }
        }
        if (i < b) {
          exemplar = this.#exemplar(s, i, b);
          if (exemplar === undefined) return;
        }
      } else {
        while (i < b && ((c = s.charCodeAt(i)) === SPACE || c === TAB)) i++;
        ts = i;
        while (i < b && (c = s.charCodeAt(i)) !== SPACE && c !== TAB) i++;
        te = i;
        if (ts === te) {
          return this.#error(
            'invalid-timestamp',
            'whitespace after the value must be followed by a timestamp (promtool rejects trailing whitespace)',
            vs,
            te,
          );
        }
        timestampMs = scanIntTimestamp(s, ts, te);
        if (timestampMs === undefined) {
          const token = s.slice(ts, te);
          return this.#error(
            'invalid-timestamp',
            token.endsWith('\r')
              ? 'invalid timestamp: lines must end with \\n, not \\r\\n'
              : `invalid timestamp "${token}" (expected integer milliseconds)`,
            ts,
            te,
          );
        }
        if (i < b) return this.#error('unexpected-character', 'unexpected content after the timestamp', i, b);
      }
    }

    // family and type-dependent rules
    let family: FamilyState;
    let suffix: string;
    if (name === this.#lastName && this.#lastFamily !== undefined) {
      family = this.#lastFamily;
      suffix = this.#lastSuffix;
    } else {
      if (om) {
        const found = this.#omFamily(name);
        family = found.family;
        suffix = found.suffix;
      } else {
        family = this.#textFamily(name);
        suffix = '';
      }
      this.#lastName = name;
      this.#lastFamily = family;
      this.#lastSuffix = suffix;
      this.#lastNameHash1 = 0;
      this.#lastNameHash2 = 0;
    }
    if (om) {
      if (!this.#omSampleRules(family, suffix, name, labels, exemplar, ns, ne, a, b)) return;
    } else {
      if (
        (family.type === 'histogram' || family.type === 'summary') &&
        !this.#textSampleRules(family, labels)
      ) {
        return;
      }
      family.type ??= 'untyped';
    }

    if (this.#lastSampleFamily !== family) {
      if (family.sampled) this.#splitFact(family, a, b);
      this.#lastSampleFamily = family;
      if (om) this.#current = family;
    }
    family.sampled = true;

    const event: {
      -readonly [K in keyof SampleEvent]: SampleEvent[K];
    } = {
      kind: 'sample',
      name,
      family: family.name,
      labels,
      value,
      range: this.#range(a, b),
      nameRange: this.#range(ns, ne),
      valueRange: this.#range(vs, ve),
      line: this.#line,
      lineStart: this.#lineStart,
    };
    if (timestampMs !== undefined) {
      event.timestampMs = timestampMs;
      event.timestampRange = this.#range(ts, te);
      this.#timestamped++;
    }
    if (exemplar !== undefined) event.exemplar = exemplar;
    this.#samples++;
    if (this.#series !== undefined)
      this.#checkDuplicate(name, labels, labelsHash1, labelsHash2, a, b, timestampMs, family.name);
    this.#onEvent(event);
    if (repeated !== undefined) {
      this.#scraperRefuses(
        family.name,
        `label "${repeated}" appears twice: promtool reads the sample (the last value wins), but Prometheus' scraper refuses it and fails the whole scrape ("label name ${JSON.stringify(repeated)} is not unique")`,
        repeatedStart,
        repeatedEnd,
      );
    }
  }

  #textSampleRules(family: FamilyState, labels: readonly ParsedLabel[]): boolean {
    const special = family.type === 'histogram' ? 'le' : family.type === 'summary' ? 'quantile' : undefined;
    if (special === undefined) return true;
    for (const label of labels) {
      if (label.name === special && !isFloat(label.value)) {
        this.#error(
          'invalid-label-value',
          `expected a float as the value of the "${special}" label, got "${label.value}"`,
          label.valueRange.start - this.#base,
          label.valueRange.end - this.#base,
        );
        return false;
      }
    }
    return true;
  }

  #omSampleRules(
    family: FamilyState,
    suffix: string,
    name: string,
    labels: readonly ParsedLabel[],
    exemplar: ParsedExemplar | undefined,
    ns: number,
    ne: number,
    a: number,
    b: number,
  ): boolean {
    const type = family.type ?? 'unknown';
    if (suffix === '' && !OM_SUFFIXES[type].includes('')) {
      const needed = OM_SUFFIXES[type].join(', ');
      this.#error(
        'invalid-suffix',
        `samples of ${type} "${family.name}" must be named with one of the suffixes ${needed}${type === 'counter' ? ' (the family name in # TYPE excludes _total)' : ''}`,
        ns,
        ne,
      );
      return false;
    }
    const special =
      suffix === '_bucket'
        ? 'le'
        : type === 'summary' && suffix === ''
          ? 'quantile'
          : type === 'stateset'
            ? family.name
            : undefined;
    if (special !== undefined) {
      const label = labels.find((l) => l.name === special);
      if (label === undefined) {
        this.#error('missing-label', `${name} needs a "${special}" label`, a, b);
        return false;
      }
      if (special !== family.name && scanValue(label.value, 0, label.value.length) === undefined) {
        this.#error(
          'invalid-label-value',
          `expected a float as the value of the "${special}" label, got "${label.value}"`,
          label.valueRange.start - this.#base,
          label.valueRange.end - this.#base,
        );
        return false;
      }
    }
    if (exemplar !== undefined) {
      const allowed =
        (type === 'counter' && suffix === '_total') ||
        ((type === 'histogram' || type === 'gaugehistogram') && suffix === '_bucket');
      if (!allowed) {
        this.#error(
          'invalid-exemplar',
          'exemplars are allowed only on counter _total and histogram _bucket samples',
          exemplar.range.start - this.#base,
          exemplar.range.end - this.#base,
        );
        return false;
      }
    }
    return true;
  }

  #checkDuplicate(
    name: string,
    labels: readonly ParsedLabel[],
    labelsHash1: number,
    labelsHash2: number,
    a: number,
    b: number,
    timestampMs: number | undefined,
    family: string,
  ): void {
    let n1 = this.#lastNameHash1;
    let n2 = this.#lastNameHash2;
    // #sample has just made name the last name, and reset its hash when it changed.
    if ((n1 | n2) === 0) {
      hashRange(name, 0, name.length, this.#hash);
      n1 = this.#hash[0] ?? 0;
      n2 = this.#hash[1] ?? 0;
      this.#lastNameHash1 = n1;
      this.#lastNameHash2 = n2;
    }
    const h1 = (n1 + labelsHash1) >>> 0;
    let h2 = (Math.imul(n2, 0x27d4eb2f) + labelsHash2) >>> 0;
    if (h2 === 0) h2 = 1;
    const series = this.#series;
    if (series === undefined) return;
    const first = series.add(h1, h2, this.#line, this.#lineStart, b - a, timestampMs ?? Number.NaN);
    if (first === undefined) return;
    const sameTimestamp =
      timestampMs === undefined ? Number.isNaN(first.timestampMs) : first.timestampMs === timestampMs;
    this.#fact({
      kind: 'fact',
      code: 'duplicate-series',
      family,
      message: `series ${name}${labels.length > 0 ? `{${labels.map((l) => `${l.name}="${l.value}"`).join(',')}}` : ''} repeats line ${first.line}`,
      range: this.#range(a, b),
      line: this.#line,
      lineStart: this.#lineStart,
      first: {
        line: first.line,
        lineStart: first.lineStart,
        start: first.lineStart,
        end: first.lineStart + first.lineLength,
      },
      sameTimestamp,
    });
  }

  #exemplar(s: string, a: number, b: number): ParsedExemplar | undefined {
    let i = a;
    if (s.charCodeAt(i) !== HASH || s.charCodeAt(i + 1) !== SPACE || s.charCodeAt(i + 2) !== OPEN) {
      this.#error('invalid-exemplar', 'expected an exemplar "# {labels} value [timestamp]"', i, b);
      return undefined;
    }
    i += 2;
    const labels = this.#labelSet(s, i, b, true, false);
    if (labels === undefined) return undefined;
    i = this.#pos;
    let length = 0;
    for (const label of labels) length += codePoints(label.name) + codePoints(label.value);
    if (length > EXEMPLAR_LABELS_MAX) {
      this.#error(
        'invalid-exemplar',
        `exemplar labels are ${length} characters long: at most ${EXEMPLAR_LABELS_MAX} are allowed`,
        a + 2,
        i,
      );
      return undefined;
    }
    if (i >= b || s.charCodeAt(i) !== SPACE) {
      this.#error(
        'invalid-exemplar',
        'expected a space and a value after the exemplar labels',
        i,
        Math.min(i + 1, b),
      );
      return undefined;
    }
    i++;
    const vs = i;
    while (i < b && s.charCodeAt(i) !== SPACE) i++;
    const value = scanValue(s, vs, i);
    if (value === undefined) {
      this.#error('invalid-exemplar', `invalid exemplar value "${s.slice(vs, i)}"`, vs, i);
      return undefined;
    }
    let timestampMs: number | undefined;
    if (i < b) {
      i++;
      const ts = i;
      while (i < b && s.charCodeAt(i) !== SPACE) i++;
      timestampMs = scanSecondsTimestamp(s, ts, i);
      if (timestampMs === undefined) {
        this.#error('invalid-exemplar', `invalid exemplar timestamp "${s.slice(ts, i)}"`, ts, i);
        return undefined;
      }
      if (i < b) {
        this.#error('unexpected-character', 'unexpected content after the exemplar', i, b);
        return undefined;
      }
    }
    const exemplar: { -readonly [K in keyof ParsedExemplar]: ParsedExemplar[K] } = {
      labels,
      value,
      range: this.#range(a, b),
    };
    if (timestampMs !== undefined) exemplar.timestampMs = timestampMs;
    return exemplar;
  }

  #quotedName: string | undefined;
  #quotedNameStart = 0;
  #quotedNameEnd = 0;
  /**
   * text 0.0.4: a repeated `le` or `quantile` in the label set just read, left for the caller to judge once the
   * family is known (promtool keeps a histogram's `le` and a summary's `quantile` out of the label pairs it checks
   * for duplicates, so there the last one wins).
   */
  #dupSpecial: string | undefined;
  #dupSpecialStart = 0;
  #dupSpecialEnd = 0;

  /**
   * Parses `{...}` starting at the `{` at index a; sets #pos after the `}`. When `allowName`, a quoted string
   * standing alone as the first item is the metric name (Prometheus 3), left in #quotedName.
   */
  #labelSet(s: string, a: number, b: number, om: boolean, allowName: boolean): ParsedLabel[] | undefined {
    let i = a + 1;
    let c: number;
    let afterComma = false;
    let first = true;
    const labels: ParsedLabel[] = [];
    const track = this.#series !== undefined;
    const prevNames = this.#prevLabelNames;
    const prevBare = this.#prevBareNames;
    const prevH1 = this.#prevLabelHash1;
    const prevH2 = this.#prevLabelHash2;
    const base = this.#base;
    let sum1 = 0;
    let sum2 = 0;
    this.#labelsHash1 = 0;
    this.#labelsHash2 = 0;
    this.#quotedName = undefined;
    this.#dupSpecial = undefined;
    for (;;) {
      if (!om) while (i < b && ((c = s.charCodeAt(i)) === SPACE || c === TAB)) i++;
      if (i >= b) {
        this.#error('unexpected-end-of-line', 'label set not closed: expected "}"', a, b);
        return undefined;
      }
      c = s.charCodeAt(i);
      if (c === CLOSE) {
        if (afterComma && om) {
          this.#error(
            'unexpected-character',
            'OpenMetrics allows no trailing comma in a label set',
            i - 1,
            i,
          );
          return undefined;
        }
        this.#pos = i + 1;
        return labels;
      }
      const ns = i;
      let name: string;
      const quoted = c === QUOTE;
      if (quoted) {
        const q = this.#quoted(s, i, b, 'label name');
        if (q === undefined) return undefined;
        name = q;
        i = this.#pos;
      } else if (isLabelNameStart(c)) {
        const prev = prevBare[labels.length];
        if (
          prev !== undefined &&
          matchesAt(s, ns, prev) &&
          !isLabelNameChar(s.charCodeAt(ns + prev.length))
        ) {
          name = prev;
          i = ns + prev.length;
        } else {
          i++;
          while (i < b && isLabelNameChar(s.charCodeAt(i))) i++;
          name = flat(s.slice(ns, i));
          prevBare[labels.length] = name;
        }
      } else {
        this.#error('invalid-label-name', `invalid label name: unexpected ${describeChar(c)}`, i, i + 1);
        return undefined;
      }
      const ne = i;
      if (!om) while (i < b && ((c = s.charCodeAt(i)) === SPACE || c === TAB)) i++;
      c = i < b ? s.charCodeAt(i) : -1;
      if (c !== EQUALS) {
        if (quoted && first && (c === COMMA || c === CLOSE)) {
          if (!allowName) {
            this.#error(
              'invalid-metric-name',
              'the metric name is given twice (before "{" and quoted inside)',
              ns,
              ne,
            );
            return undefined;
          }
          if (!this.#checkQuotedName(name, ns, ne, 'invalid-metric-name', 'metric')) return undefined;
          this.#quotedName = name;
          this.#quotedNameStart = ns;
          this.#quotedNameEnd = ne;
          first = false;
          if (c === CLOSE) {
            this.#pos = i + 1;
            return labels;
          }
          i++;
          afterComma = true;
          continue;
        }
        this.#error(
          c === -1 ? 'unexpected-end-of-line' : 'unexpected-character',
          `expected "=" after label name "${name}", found ${describeChar(c)}`,
          i,
          Math.min(i + 1, b),
        );
        return undefined;
      }
      if (quoted && !this.#checkQuotedName(name, ns, ne, 'invalid-label-name', 'label')) return undefined;
      if (name === '__name__') {
        this.#error('invalid-label-name', 'label name "__name__" is reserved', ns, ne);
        return undefined;
      }
      for (let k = 0; k < labels.length; k++) {
        if (labels[k]?.name === name) {
          if (!om && (name === 'le' || name === 'quantile') && (this.#dupSpecial ?? name) === name) {
            if (this.#dupSpecial === undefined) {
              this.#dupSpecial = name;
              this.#dupSpecialStart = ns;
              this.#dupSpecialEnd = ne;
            }
            break;
          }
          this.#error('duplicate-label', `label "${name}" appears twice in the label set`, ns, ne);
          return undefined;
        }
      }
      i++;
      if (!om) while (i < b && ((c = s.charCodeAt(i)) === SPACE || c === TAB)) i++;
      if (i >= b || s.charCodeAt(i) !== QUOTE) {
        this.#error(
          'invalid-label-value',
          `expected '"' to open the value of label "${name}", found ${describeChar(i < b ? s.charCodeAt(i) : -1)}`,
          i,
          Math.min(i + 1, b),
        );
        return undefined;
      }
      const vs = i;
      // Fast path: a value without escapes, hashed while scanned.
      let v1 = 0x811c9dc5;
      let v2 = 0x9747b28c;
      i++;
      while (i < b && (c = s.charCodeAt(i)) !== QUOTE && c !== BACKSLASH && c !== 0xfffd) {
        v1 = Math.imul(v1 ^ c, 0x01000193);
        v2 = Math.imul(v2 ^ c, 0x5bd1e995);
        i++;
      }
      let value: string | undefined;
      if (c === QUOTE && i < b) {
        value = s.slice(vs + 1, i);
        i++;
      } else {
        value = this.#quoted(s, vs, b, 'label value');
        if (value === undefined) return undefined;
        i = this.#pos;
        if (track) {
          hashRange(s, vs + 1, i - 1, this.#hash);
          v1 = this.#hash[0] ?? 0;
          v2 = this.#hash[1] ?? 0;
        }
      }
      const k = labels.length;
      labels.push({
        name,
        value,
        nameRange: { start: base + ns, end: base + ne },
        valueRange: { start: base + vs, end: base + i },
      });
      if (track) {
        let n1: number;
        let n2: number;
        if (prevNames[k] === name) {
          n1 = prevH1[k] ?? 0;
          n2 = prevH2[k] ?? 0;
        } else {
          hashRange(name, 0, name.length, this.#hash);
          n1 = this.#hash[0] ?? 0;
          n2 = this.#hash[1] ?? 0;
          prevNames[k] = name;
          prevH1[k] = n1;
          prevH2[k] = n2;
        }
        // A sum of per-label hashes: the identity does not depend on label order. A label with an empty value takes
        // no part: Prometheus drops it when it ingests the sample (labels.Builder), so a{x="1",z=""} is a{x="1"}.
        if (value !== '') {
          sum1 = (sum1 + (Math.imul(n1 ^ v1, 0x9e3779b1) ^ (n2 >>> 7))) >>> 0;
          sum2 = (sum2 + (Math.imul(n2 + (v2 ^ (v2 >>> 15)), 0x85ebca6b) ^ n1)) >>> 0;
        }
        this.#labelsHash1 = sum1;
        this.#labelsHash2 = sum2;
      } else if (prevNames[k] !== name) {
        prevNames[k] = name;
      }
      first = false;
      if (!om) while (i < b && ((c = s.charCodeAt(i)) === SPACE || c === TAB)) i++;
      c = i < b ? s.charCodeAt(i) : -1;
      if (c === COMMA) {
        i++;
        afterComma = true;
        continue;
      }
      if (c === CLOSE) {
        this.#pos = i + 1;
        return labels;
      }
      this.#error(
        c === -1 ? 'unexpected-end-of-line' : 'unexpected-character',
        `expected "," or "}" after the value of label "${name}", found ${describeChar(c)}`,
        i,
        Math.min(i + 1, b),
      );
      return undefined;
    }
  }

  #checkQuotedName(name: string, a: number, b: number, code: ParseErrorCode, what: string): boolean {
    if (isValidUtf8Name(name)) return true;
    this.#error(code, `a quoted ${what} name must be non-empty UTF-8`, a, b);
    return false;
  }

  /** Reads a `"`-quoted escaped string starting at the quote at index a; sets #pos after the closing quote. */
  #quoted(s: string, a: number, b: number, what: string): string | undefined {
    let i = a + 1;
    let c: number;
    while (i < b && (c = s.charCodeAt(i)) !== QUOTE && c !== BACKSLASH && c !== 0xfffd) i++;
    let out: string | undefined;
    let from = a + 1;
    while (i < b) {
      c = s.charCodeAt(i);
      if (c === QUOTE) {
        this.#pos = i + 1;
        return out === undefined ? s.slice(a + 1, i) : out + s.slice(from, i);
      }
      if (c === BACKSLASH) {
        const e = i + 1 < b ? s.charCodeAt(i + 1) : -1;
        const replacement = e === BACKSLASH ? '\\' : e === QUOTE ? '"' : e === 110 ? '\n' : undefined;
        if (replacement === undefined) {
          this.#error(
            'invalid-escape',
            `invalid escape sequence ${e === -1 ? 'at end of line' : `'\\${String.fromCharCode(e)}'`} in ${what} (allowed: \\\\, \\", \\n)`,
            i,
            Math.min(i + 2, b),
          );
          return undefined;
        }
        out = (out ?? '') + s.slice(from, i) + replacement;
        i += 2;
        from = i;
        continue;
      }
      if (c === 0xfffd && this.#dirty.length > 0 && this.#isDirty(this.#base + i, this.#base + i + 1)) {
        this.#error('invalid-utf8', `invalid UTF-8 in ${what}`, i, i + 1);
        return undefined;
      }
      i++;
    }
    this.#error(
      'unexpected-end-of-line',
      `${what} not closed: expected '"' before the end of the line`,
      a,
      b,
    );
    return undefined;
  }
}

/**
 * A copy of an ASCII name as a flat string of its own: a slice of a chunk is a view into it, slower to read
 * char by char (and keeping the chunk alive); names are kept and compared against every following line.
 */
function flat(name: string): string {
  // V8 copies slices shorter than 13 characters anyway (it makes views only of longer ones).
  if (name.length < 13) return name;
  let copy = NAMES.get(name);
  if (copy === undefined) {
    copy = Buffer.from(name, 'latin1').toString('latin1');
    if (copy.length <= MAX_POOLED_NAME) {
      if (NAMES.size >= MAX_NAMES) NAMES.clear();
      NAMES.set(copy, copy);
    }
  }
  return copy;
}

/**
 * Flat copies of the names seen lately, shared by every parser of the process: the exposer parses each Kafka record
 * with a parser of its own, and its records spell the same few metric and label names again and again, so a
 * lookup replaces the copy (and equal names are one string for the store's comparisons). Bounded: cleared when full.
 */
const NAMES = new Map<string, string>();
const MAX_NAMES = 4096;
/** Longer names are copied but not kept: the pool stays under 4096 x 256 characters whatever the input. */
const MAX_POOLED_NAME = 256;

/** How many names the pool holds and the longest of them (for the tests of its bounds). */
export function namePool(): { size: number; longest: number } {
  let longest = 0;
  for (const name of NAMES.keys()) longest = Math.max(longest, name.length);
  return { size: NAMES.size, longest };
}

/** Whether s holds word at index at. */
function matchesAt(s: string, at: number, word: string): boolean {
  const n = word.length;
  for (let k = 0; k < n; k++) if (s.charCodeAt(at + k) !== word.charCodeAt(k)) return false;
  return true;
}

/**
 * text 0.0.4: whether a valid value starts at index i. promtool reads the value from the first character that
 * cannot continue a metric name, blank or not, so `a-1`, `a+Inf` and `a.5` are samples of `a`.
 */
function valueStartsAt(s: string, i: number, b: number): boolean {
  let e = i;
  let c: number;
  while (e < b && (c = s.charCodeAt(e)) !== SPACE && c !== TAB) e++;
  return (plainDecimal(s, i, e) ?? scanValue(s, i, e)) !== undefined;
}

function baseOf(name: string, suffix: string): string | undefined {
  return name.length > suffix.length && name.endsWith(suffix)
    ? name.slice(0, name.length - suffix.length)
    : undefined;
}

/** OpenMetrics: the suffix `name` adds to `family` if it is one of the family's sample names. */
function omSuffix(family: FamilyState, name: string): string | undefined {
  if (!name.startsWith(family.name)) return undefined;
  const suffix = name.slice(family.name.length);
  const type = family.type ?? 'unknown';
  if (suffix === '') return '';
  return OM_SUFFIXES[type].includes(suffix) ? suffix : undefined;
}

function codePoints(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) n--;
  }
  return n;
}

/** Parses a whole input at once. */
export function parseText(
  text: string,
  options: ParseOptions = {},
): { events: ParseEvent[]; summary: ParseSummary } {
  const events: ParseEvent[] = [];
  const parser = new ExpositionParser(options, (event) => events.push(event));
  parser.write(text);
  return { events, summary: parser.end() };
}

/**
 * Parses chunks from an async iterable (a file stream, stdin, an HTTP body), yielding events as each chunk is
 * parsed. The generator's return value is the summary; `onSummary` receives it too (for `for await` loops).
 */
export async function* parseStream(
  source: AsyncIterable<Buffer | Uint8Array | string>,
  options: ParseOptions = {},
  onSummary?: (summary: ParseSummary) => void,
): AsyncGenerator<ParseEvent, ParseSummary, undefined> {
  let batch: ParseEvent[] = [];
  const parser = new ExpositionParser(options, (event) => batch.push(event));
  for await (const chunk of source) {
    parser.write(chunk);
    if (batch.length > 0) {
      const events = batch;
      batch = [];
      yield* events;
    }
  }
  const summary = parser.end();
  yield* batch;
  onSummary?.(summary);
  return summary;
}
