/**
 * One Kafka record in, a validated message or a counted rejection out. Never throws.
 *
 * Checks here are the ones a record can fail on its own (size, encoding, schema, names, labels); the checks that
 * need the store (types across sources, limits, duplicate series) are in store.ts.
 */
import { gunzipSync } from 'node:zlib';
import { formatDuration } from '../exposition/duration.js';
import { isValidLabelName, isValidMetricName, parseText } from '../exposition/index.js';
import type { MetricType, SampleEvent } from '../exposition/types.js';
import {
  OPS,
  describeIssues,
  jsonMessageSchema,
  type Op,
  type PushFamily,
  type PushMessage,
  type PushSample,
  type RejectReason,
} from './schema.js';

export type { PushMessage, RejectReason } from './schema.js';
export { REJECT_REASONS } from './schema.js';

export interface RawRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
  timestampMs: number;
  partition: number;
  offset: string;
}

export interface DecodeLimits {
  /** Largest record value accepted, in bytes. */
  maxMessageBytes: number;
  /**
   * How far ahead of now an explicit timestamp may be, in milliseconds (default 10 minutes; 0: no check). A
   * sample stamped in the future becomes its series' newest sample wherever it lands: Prometheus then drops every
   * real sample after it as out of order until the clock catches up, and a query sees the wrong value meanwhile.
   */
  maxFutureSkewMs?: number;
  /** The reference time for the skew check, in milliseconds since the epoch (default: the time of the call). */
  nowMs?: number;
}

export const DEFAULT_MAX_FUTURE_SKEW_MS = 10 * 60_000;

/**
 * Explicit timestamps before 2000-01-01T00:00:00Z are refused: no clock that has been set, and no Kafka record,
 * is that old, and a time in seconds (or any current time in a coarser unit) read as milliseconds lands in January
 * 1970. Later past times are accepted: replay and consumer lag make old timestamps normal (see docs/exposer.md).
 */
export const MIN_TIMESTAMP_MS = Date.UTC(2000, 0, 1);

export const DEFAULT_DECODE_LIMITS: DecodeLimits = {
  maxMessageBytes: 4 * 1024 * 1024,
  maxFutureSkewMs: DEFAULT_MAX_FUTURE_SKEW_MS,
};

export type DecodeResult =
  { ok: true; message: PushMessage } | { ok: false; reason: RejectReason; detail: string };

/** Metric names an app may not push: the exposer's own self-metrics live under this prefix. */
export const RESERVED_METRIC_PREFIX = 'exposer_';

class Rejection extends Error {
  constructor(
    readonly reason: RejectReason,
    readonly detail: string,
  ) {
    super(detail);
  }
}

const reject = (reason: RejectReason, detail: string): never => {
  throw new Rejection(reason, detail);
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeRecord(record: RawRecord, limits: DecodeLimits = DEFAULT_DECODE_LIMITS): DecodeResult {
  try {
    return { ok: true, message: decode(record, limits) };
  } catch (error) {
    if (error instanceof Rejection) return { ok: false, reason: error.reason, detail: error.detail };
    return { ok: false, reason: 'internal', detail: error instanceof Error ? error.message : String(error) };
  }
}

function decode(record: RawRecord, limits: DecodeLimits): PushMessage {
  if (record.value === null) return tombstone(record);
  const bytes = record.value.length;
  if (bytes > limits.maxMessageBytes) {
    reject('oversize', `record value is ${bytes} bytes, the limit is ${limits.maxMessageBytes}`);
  }
  const contentType = header(record, 'content-type');
  const media = contentType === undefined ? 'application/json' : mediaType(contentType);
  let format: 'json' | 'text' | 'openmetrics';
  if (media === 'application/json') format = 'json';
  else if (media === 'text/plain') format = 'text';
  else if (media === 'application/openmetrics-text') format = 'openmetrics';
  else {
    return reject(
      'unsupported_content_type',
      `content-type ${JSON.stringify(contentType)} is not application/json, text/plain (0.0.4) or application/openmetrics-text`,
    );
  }
  const value = decompressed(record.value, header(record, 'content-encoding'), limits.maxMessageBytes);
  let text: string;
  try {
    text = utf8.decode(value);
  } catch {
    return reject('invalid_utf8', `record value is not valid UTF-8 (${describeBadUtf8(value)})`);
  }
  const clock: Clock = {
    nowMs: limits.nowMs ?? Date.now(),
    maxFutureSkewMs: limits.maxFutureSkewMs ?? DEFAULT_MAX_FUTURE_SKEW_MS,
  };
  const message =
    format === 'json' ? fromJson(text, bytes) : fromExposition(text, format, record, bytes, clock);
  validate(message);
  if (format === 'json') checkJsonTimestamps(message, clock);
  return message;
}

interface Clock {
  nowMs: number;
  maxFutureSkewMs: number;
}

/** The explicit timestamps of a JSON message (text bodies are checked sample by sample, with their line). */
function checkJsonTimestamps(m: PushMessage, clock: Clock): void {
  if (m.timestampMs !== undefined) checkTimestamp(m.timestampMs, 'timestamp_ms', clock);
  m.families.forEach((f, i) => {
    f.samples.forEach((s, j) => {
      if (s.timestampMs !== undefined)
        checkTimestamp(s.timestampMs, `metrics[${i}].samples[${j}].timestamp_ms`, clock);
    });
  });
}

/** An ISO date, or where it lies when Date cannot show it (beyond ±8.64e15 ms). */
function iso(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? 'after the year 275760' : date.toISOString();
}

/** A distance for people: to the second within a day (`10m1s`), else its two largest units (`3y1w`). */
function roughly(ms: number): string {
  // Within a day, to the second (rounded up, so that just past the limit never reads as the limit itself).
  if (ms < 86_400_000) return formatDuration(Math.max(1000, Math.ceil(ms / 1000) * 1000));
  const units = [365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000];
  let rest = Math.max(1000, ms);
  let kept = 0;
  let used = 0;
  for (const unit of units) {
    const count = Math.floor(rest / unit);
    if (count === 0 && used === 0) continue;
    kept += count * unit;
    rest -= count * unit;
    if (++used === 2) break;
  }
  return formatDuration(kept);
}

const TIME_UNITS = ['seconds', 'milliseconds', 'microseconds', 'nanoseconds'] as const;

/**
 * Refuses `ms` when it is before MIN_TIMESTAMP_MS or beyond the allowed skew ahead of now. `unit` is how the body
 * writes timestamps (OpenMetrics: seconds; JSON and text 0.0.4: milliseconds); when the value makes sense in
 * another unit, the message says so, since a wrong unit is the usual cause.
 */
function checkTimestamp(
  ms: number,
  at: string,
  clock: Clock,
  unit: 'seconds' | 'milliseconds' = 'milliseconds',
): void {
  const plausible = (t: number): boolean =>
    t >= MIN_TIMESTAMP_MS && (clock.maxFutureSkewMs === 0 || t <= clock.nowMs + clock.maxFutureSkewMs);
  const e = TIME_UNITS.indexOf(unit);
  const written = unit === 'seconds' ? ms / 1000 : ms;
  const otherUnit = (): string => {
    for (let k = -e; k < TIME_UNITS.length - e; k++) {
      const actual = ms / 1000 ** k;
      if (k !== 0 && plausible(actual))
        return `; written in ${TIME_UNITS[e + k] ?? ''} it would be ${iso(actual)}`;
    }
    return '';
  };
  if (ms < MIN_TIMESTAMP_MS) {
    reject(
      'invalid_timestamp',
      `${at}: ${written} ${unit} since the epoch is ${iso(ms)}, before 2000-01-01${otherUnit()}`,
    );
  }
  if (clock.maxFutureSkewMs === 0) return;
  const ahead = ms - clock.nowMs;
  if (ahead > clock.maxFutureSkewMs) {
    const hint = otherUnit();
    reject(
      'invalid_timestamp',
      `${at}: ${written} ${unit} since the epoch is ${iso(ms)}, ${roughly(ahead)} ahead of now, more than the allowed ${formatDuration(clock.maxFutureSkewMs)} clock skew${hint === '' ? ' (is the producer clock wrong?)' : hint}`,
    );
  }
}

/** A null value with key `<job>/<instance>` deletes the source, as a compacted topic's tombstone would. */
function tombstone(record: RawRecord): PushMessage {
  const key = record.key === null ? undefined : safeUtf8(record.key);
  const slash = key?.indexOf('/') ?? -1;
  if (key === undefined || slash <= 0 || slash === key.length - 1) {
    return reject('missing_value', 'record has no value and its key is not <job>/<instance>');
  }
  return {
    job: key.slice(0, slash),
    instance: key.slice(slash + 1),
    op: 'delete',
    labels: [],
    families: [],
    format: 'tombstone',
    bytes: 0,
  };
}

function fromJson(text: string, bytes: number): PushMessage {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return reject('invalid_json', `record value is not JSON: ${error instanceof Error ? error.message : ''}`);
  }
  const parsed = jsonMessageSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const onTimestamp = first !== undefined && first.path[first.path.length - 1] === 'timestamp_ms';
    return reject(onTimestamp ? 'invalid_timestamp' : 'schema', describeIssues(parsed.error));
  }
  const m = parsed.data;
  const families: PushFamily[] = m.metrics.map((metric) => ({
    name: metric.name,
    type: metric.type,
    ...(metric.help === undefined ? {} : { help: metric.help }),
    ...(metric.unit === undefined ? {} : { unit: metric.unit }),
    samples: metric.samples.map((s): PushSample => ({
      name: s.name ?? metric.name,
      labels: s.labels ?? [],
      value: typeof s.value === 'number' ? s.value : specialValue(s.value),
      ...(s.timestamp_ms === undefined ? {} : { timestampMs: s.timestamp_ms }),
    })),
  }));
  return {
    job: m.job,
    instance: m.instance,
    op: m.op,
    labels: m.labels ?? [],
    ...(m.timestamp_ms === undefined ? {} : { timestampMs: m.timestamp_ms }),
    families,
    format: 'json',
    bytes,
  };
}

function specialValue(value: 'NaN' | '+Inf' | '-Inf'): number {
  if (value === 'NaN') return NaN;
  return value === '+Inf' ? Infinity : -Infinity;
}

interface FamilyBuilder {
  name: string;
  type: MetricType;
  help?: string;
  unit?: string;
  samples: PushSample[];
}

/** A text 0.0.4 or OpenMetrics body with the source in headers `job` and `instance` (and optionally `op`). */
function fromExposition(
  text: string,
  format: 'text' | 'openmetrics',
  record: RawRecord,
  bytes: number,
  clock: Clock,
): PushMessage {
  const job = header(record, 'job');
  const instance = header(record, 'instance');
  if (job === undefined || job === '')
    return reject('missing_header', `a ${format} body needs a non-empty job header`);
  if (instance === undefined || instance === '') {
    return reject('missing_header', `a ${format} body needs a non-empty instance header`);
  }
  const opHeader = header(record, 'op');
  let op: Op = 'replace';
  if (opHeader !== undefined) {
    if (!(OPS as readonly string[]).includes(opHeader)) {
      reject('schema', `header op: expected one of ${OPS.join(', ')}, got ${JSON.stringify(opHeader)}`);
    }
    op = opHeader as Op;
  }
  const { events } = parseText(text, { format, trackDuplicates: false });
  const families = new Map<string, FamilyBuilder>();
  // The family of the last event: consecutive samples mostly share it, so most lookups skip the Map.
  let last: FamilyBuilder | undefined;
  const family = (name: string): FamilyBuilder => {
    if (last !== undefined && last.name === name) return last;
    let f = families.get(name);
    if (f === undefined) {
      f = { name, type: 'untyped', samples: [] };
      families.set(name, f);
    }
    last = f;
    return f;
  };
  for (const event of events) {
    switch (event.kind) {
      case 'diagnostic':
        return reject('parse_error', `line ${event.line}: ${event.message} (${event.code})`);
      case 'type':
        family(event.family).type = event.type ?? 'untyped';
        break;
      case 'help':
        family(event.family).help = event.text;
        break;
      case 'unit':
        family(event.family).unit = event.text;
        break;
      case 'sample':
        family(event.family).samples.push(toSample(event, clock, format));
        break;
      default:
        break;
    }
  }
  return {
    job,
    instance,
    op,
    labels: [],
    families: [...families.values()].flatMap((f) => normalise(f, format)),
    format,
    bytes,
  };
}

function toSample(event: SampleEvent, clock: Clock, format: 'text' | 'openmetrics'): PushSample {
  let timestampMs: number | undefined;
  if (event.timestampMs !== undefined) {
    timestampMs = Math.round(event.timestampMs);
    if (!Number.isFinite(timestampMs) || timestampMs < 0) {
      reject(
        'invalid_timestamp',
        `line ${event.line}: timestamp ${event.timestampMs} is not a time after 1970`,
      );
    }
    checkTimestamp(
      timestampMs,
      `line ${event.line}: sample ${event.name} timestamp`,
      clock,
      format === 'openmetrics' ? 'seconds' : 'milliseconds',
    );
  }
  // The text parser lets a histogram's le or a summary's quantile repeat, as promtool reads such a line (the last
  // value wins); Prometheus' scraper refuses the sample, and one in this exposer's /metrics fails the whole scrape.
  let le = 0;
  let quantile = 0;
  for (const l of event.labels) {
    if (l.name === 'le') le++;
    else if (l.name === 'quantile') quantile++;
  }
  if (le > 1 || quantile > 1) {
    reject(
      'invalid_sample',
      `line ${event.line}: label "${le > 1 ? 'le' : 'quantile'}" appears twice in ${event.name}: Prometheus refuses such a sample, and one in this exposer's /metrics would fail the whole scrape`,
    );
  }
  return {
    name: event.name,
    labels: event.labels.map((l) => [l.name, l.value] as const),
    value: event.value,
    ...(timestampMs === undefined ? {} : { timestampMs }),
  };
}

/**
 * Brings an exposition family to the store's model, which follows text 0.0.4: an OpenMetrics counter `x` becomes
 * `x_total`, `info` becomes a gauge `x_info`, `stateset` a gauge, `unknown` untyped; `_created` samples and
 * exemplars are dropped (text 0.0.4 has neither). A family with only metadata is kept with no samples.
 */
function normalise(f: FamilyBuilder, format: 'text' | 'openmetrics'): PushFamily[] {
  const meta = {
    ...(f.help === undefined ? {} : { help: f.help }),
    ...(f.unit === undefined ? {} : { unit: f.unit }),
  };
  const created = `${f.name}_created`;
  const withoutCreated = () => f.samples.filter((s) => s.name !== created);
  if (format === 'text') return [{ name: f.name, type: f.type, ...meta, samples: f.samples }];
  switch (f.type) {
    case 'counter':
      return [{ name: `${f.name}_total`, type: 'counter', ...meta, samples: withoutCreated() }];
    case 'histogram':
    case 'summary':
    case 'gaugehistogram':
      return [{ name: f.name, type: f.type, ...meta, samples: withoutCreated() }];
    case 'info':
      return [{ name: `${f.name}_info`, type: 'gauge', ...meta, samples: f.samples }];
    case 'stateset':
      return [{ name: f.name, type: 'gauge', ...meta, samples: f.samples }];
    case 'unknown':
      return [{ name: f.name, type: 'untyped', ...meta, samples: f.samples }];
    default:
      return [{ name: f.name, type: f.type, ...meta, samples: f.samples }];
  }
}

const SUFFIXES: Partial<Record<MetricType, readonly string[]>> = {
  histogram: ['_bucket', '_sum', '_count'],
  gaugehistogram: ['_bucket', '_gsum', '_gcount'],
  summary: ['', '_sum', '_count'],
};

/** Names, labels and sample shapes; everything that does not need the store. */
function validate(m: PushMessage): void {
  const group = new Map<string, string>([
    ['job', m.job],
    ['instance', m.instance],
  ]);
  for (const [name, value] of m.labels) {
    checkLabelName(name, m, -1, -1);
    if (name === 'job' || name === 'instance') {
      reject('label_conflict', `labels.${name}: job and instance are set by the message's own fields`);
    }
    group.set(name, value);
  }
  const seen = new Set<string>();
  /** The last sample name found valid: a family's samples mostly repeat their names (a histogram's _bucket). */
  let validName = '';
  /** Label names found valid in this message: samples repeat them (`route`, `le`), the check runs once per name. */
  const validLabels = new Set<string>();
  for (let i = 0; i < m.families.length; i++) {
    const f = m.families[i]!;
    checkMetricName(f.name, m, i, -1);
    if (seen.has(f.name))
      reject(
        'duplicate_family',
        `${place(m, i, -1, '')}: metric family ${f.name} appears twice in the message`,
      );
    seen.add(f.name);
    const suffixes = SUFFIXES[f.type] ?? NO_SUFFIX;
    const summary = f.type === 'summary';
    for (let j = 0; j < f.samples.length; j++) {
      const s = f.samples[j]!;
      if (s.name !== f.name && s.name !== validName) {
        checkMetricName(s.name, m, i, j);
        validName = s.name;
      }
      const suffix = suffixOf(s.name, f.name, suffixes);
      if (suffix === undefined) {
        const allowed = suffixes.map((x) => f.name + x).join(', ');
        reject(
          'invalid_sample',
          `${place(m, i, j, '')}: sample name ${s.name} does not belong to ${f.type} ${f.name} (${allowed})`,
        );
      }
      let hasLe = false;
      let hasQuantile = false;
      for (const [name, value] of s.labels) {
        if (!validLabels.has(name)) {
          checkLabelName(name, m, i, j);
          validLabels.add(name);
        }
        const groupValue = group.get(name);
        if (groupValue !== undefined && groupValue !== value) {
          reject(
            'label_conflict',
            `${place(m, i, j, '')}: label ${name}=${JSON.stringify(value)} conflicts with the source's ${name}=${JSON.stringify(groupValue)}`,
          );
        }
        if (name === 'le') hasLe = true;
        else if (name === 'quantile') hasQuantile = true;
      }
      if (suffix === '_bucket' && !hasLe)
        reject('invalid_sample', `${place(m, i, j, '')}: a histogram bucket needs an le label`);
      if (summary && suffix === '' && !hasQuantile) {
        reject(
          'invalid_sample',
          `${place(m, i, j, '')}: a summary sample named like its family needs a quantile label`,
        );
      }
    }
  }
}

const NO_SUFFIX: readonly string[] = [''];

/** The suffix among `suffixes` that makes `name` from `family` (without slicing: this runs for every sample). */
function suffixOf(name: string, family: string, suffixes: readonly string[]): string | undefined {
  if (!name.startsWith(family)) return undefined;
  for (const suffix of suffixes) {
    if (name.length === family.length + suffix.length && name.endsWith(suffix)) return suffix;
  }
  return undefined;
}

/**
 * Where a name is, as messages write it: family `i` of `m` (`j` -1), its sample `j`, or the group labels (`i` -1).
 * Built only for a refusal: the checks run for every sample of every record.
 */
function place(m: PushMessage, i: number, j: number, suffix: string): string {
  if (i < 0) return 'group labels';
  const json = m.format === 'json';
  const f = m.families[i]!;
  const at = json ? `metrics[${i}]` : `family ${f.name}`;
  if (j < 0) return at + suffix;
  return (json ? `${at}.samples[${j}]` : `${at} sample ${f.samples[j]?.name ?? ''}`) + suffix;
}

function checkMetricName(name: string, m: PushMessage, i: number, j: number): void {
  if (name.startsWith('__'))
    reject('reserved_name', `${place(m, i, j, '.name')}: metric name ${name} uses the reserved __ prefix`);
  if (name.startsWith(RESERVED_METRIC_PREFIX)) {
    reject(
      'reserved_name',
      `${place(m, i, j, '.name')}: metric name ${name} uses the exposer's own prefix ${RESERVED_METRIC_PREFIX}`,
    );
  }
  if (!isValidMetricName(name)) {
    reject(
      'invalid_name',
      `${place(m, i, j, '.name')}: ${JSON.stringify(name)} is not a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)`,
    );
  }
}

function checkLabelName(name: string, m: PushMessage, i: number, j: number): void {
  if (!isValidLabelName(name)) {
    reject(
      'invalid_name',
      `${formatLabelPath(place(m, i, j, '.labels'), name)}: ${JSON.stringify(name)} is not a valid label name ([a-zA-Z_][a-zA-Z0-9_]*)`,
    );
  }
  if (name.startsWith('__')) {
    reject(
      'reserved_label',
      `${formatLabelPath(place(m, i, j, '.labels'), name)}: label names starting with __ are reserved`,
    );
  }
}

function formatLabelPath(at: string, name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? `${at}.${name}` : `${at}[${JSON.stringify(name)}]`;
}

/** The first value of a header, matched case-insensitively; undefined when absent or not UTF-8. */
function header(record: RawRecord, name: string): string | undefined {
  let raw = record.headers[name];
  if (raw === undefined) {
    for (const key of Object.keys(record.headers)) {
      if (key.toLowerCase() === name) {
        raw = record.headers[key];
        break;
      }
    }
  }
  const first = Array.isArray(raw) ? raw[0] : raw;
  if (first === undefined) return undefined;
  return typeof first === 'string' ? first : safeUtf8(first);
}

function safeUtf8(buffer: Buffer): string | undefined {
  try {
    return utf8.decode(buffer);
  } catch {
    return undefined;
  }
}

function mediaType(contentType: string): string {
  const semi = contentType.indexOf(';');
  return (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
}

/**
 * The value a `content-encoding` header announces (`gzip`, as a Pushgateway push may be), decompressed to at most
 * `maxBytes`: a small value that would inflate past the limit (a gzip bomb) is refused without being inflated.
 */
function decompressed(value: Buffer, encoding: string | undefined, maxBytes: number): Buffer {
  const name = encoding?.trim().toLowerCase() ?? '';
  if (name === '' || name === 'identity') return value;
  if (name !== 'gzip' && name !== 'x-gzip') {
    return reject(
      'invalid_encoding',
      `content-encoding ${JSON.stringify(encoding)} is not supported: send gzip or an uncompressed value (or let the Kafka producer compress its batches)`,
    );
  }
  try {
    return gunzipSync(value, { maxOutputLength: maxBytes });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      return reject(
        'oversize',
        `record value is ${value.length} bytes gzip-compressed and more than the limit of ${maxBytes} bytes decompressed`,
      );
    }
    return reject(
      'invalid_encoding',
      `record value is not valid gzip (content-encoding: gzip): ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function describeBadUtf8(buffer: Buffer): string {
  if (buffer[0] === 0x1f && buffer[1] === 0x8b) {
    return 'it starts with the gzip magic bytes 1f 8b: send a gzip-compressed value with the record header content-encoding: gzip';
  }
  const lossy = buffer.toString('utf8');
  const bad = lossy.indexOf('\uFFFD');
  return bad === -1
    ? 'truncated sequence at the end'
    : `first bad byte at offset ${Buffer.byteLength(lossy.slice(0, bad))}`;
}
