/**
 * One Kafka record in, a validated message or a counted rejection out. Never throws.
 *
 * Checks here are the ones a record can fail on its own (size, encoding, schema, names, labels); the checks that
 * need the store (types across sources, limits, duplicate series) are in store.ts.
 */
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
}

export const DEFAULT_DECODE_LIMITS: DecodeLimits = { maxMessageBytes: 4 * 1024 * 1024 };

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
  let text: string;
  try {
    text = utf8.decode(record.value);
  } catch {
    return reject('invalid_utf8', `record value is not valid UTF-8 (${describeBadUtf8(record.value)})`);
  }
  const message = format === 'json' ? fromJson(text, bytes) : fromExposition(text, format, record, bytes);
  validate(message);
  return message;
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
  const family = (name: string): FamilyBuilder => {
    let f = families.get(name);
    if (f === undefined) {
      f = { name, type: 'untyped', samples: [] };
      families.set(name, f);
    }
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
        family(event.family).samples.push(toSample(event));
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

function toSample(event: SampleEvent): PushSample {
  let timestampMs: number | undefined;
  if (event.timestampMs !== undefined) {
    timestampMs = Math.round(event.timestampMs);
    if (!Number.isFinite(timestampMs) || timestampMs < 0) {
      reject(
        'invalid_timestamp',
        `line ${event.line}: timestamp ${event.timestampMs} is not a time after 1970`,
      );
    }
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
    checkLabelName(name, 'group labels');
    if (name === 'job' || name === 'instance') {
      reject('label_conflict', `labels.${name}: job and instance are set by the message's own fields`);
    }
    group.set(name, value);
  }
  const seen = new Set<string>();
  m.families.forEach((f, i) => {
    const at = m.format === 'json' ? `metrics[${i}]` : `family ${f.name}`;
    checkMetricName(f.name, `${at}.name`);
    if (seen.has(f.name))
      reject('duplicate_family', `${at}: metric family ${f.name} appears twice in the message`);
    seen.add(f.name);
    const suffixes = SUFFIXES[f.type] ?? [''];
    f.samples.forEach((s, j) => {
      const sat = m.format === 'json' ? `${at}.samples[${j}]` : `${at} sample ${s.name}`;
      if (s.name !== f.name) checkMetricName(s.name, `${sat}.name`);
      const suffix = s.name.startsWith(f.name) ? s.name.slice(f.name.length) : undefined;
      if (suffix === undefined || !suffixes.includes(suffix)) {
        const allowed = suffixes.map((x) => f.name + x).join(', ');
        reject(
          'invalid_sample',
          `${sat}: sample name ${s.name} does not belong to ${f.type} ${f.name} (${allowed})`,
        );
      }
      let hasLe = false;
      let hasQuantile = false;
      for (const [name, value] of s.labels) {
        checkLabelName(name, `${sat}.labels`);
        const groupValue = group.get(name);
        if (groupValue !== undefined && groupValue !== value) {
          reject(
            'label_conflict',
            `${sat}: label ${name}=${JSON.stringify(value)} conflicts with the source's ${name}=${JSON.stringify(groupValue)}`,
          );
        }
        if (name === 'le') hasLe = true;
        if (name === 'quantile') hasQuantile = true;
      }
      if (suffix === '_bucket' && !hasLe)
        reject('invalid_sample', `${sat}: a histogram bucket needs an le label`);
      if (f.type === 'summary' && suffix === '' && !hasQuantile) {
        reject('invalid_sample', `${sat}: a summary sample named like its family needs a quantile label`);
      }
    });
  });
}

function checkMetricName(name: string, at: string): void {
  if (name.startsWith('__'))
    reject('reserved_name', `${at}: metric name ${name} uses the reserved __ prefix`);
  if (name.startsWith(RESERVED_METRIC_PREFIX)) {
    reject(
      'reserved_name',
      `${at}: metric name ${name} uses the exposer's own prefix ${RESERVED_METRIC_PREFIX}`,
    );
  }
  if (!isValidMetricName(name)) {
    reject(
      'invalid_name',
      `${at}: ${JSON.stringify(name)} is not a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)`,
    );
  }
}

function checkLabelName(name: string, at: string): void {
  if (!isValidLabelName(name)) {
    reject(
      'invalid_name',
      `${formatLabelPath(at, name)}: ${JSON.stringify(name)} is not a valid label name ([a-zA-Z_][a-zA-Z0-9_]*)`,
    );
  }
  if (name.startsWith('__')) {
    reject('reserved_label', `${formatLabelPath(at, name)}: label names starting with __ are reserved`);
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

function describeBadUtf8(buffer: Buffer): string {
  const lossy = buffer.toString('utf8');
  const bad = lossy.indexOf('\uFFFD');
  return bad === -1
    ? 'truncated sequence at the end'
    : `first bad byte at offset ${Buffer.byteLength(lossy.slice(0, bad))}`;
}
