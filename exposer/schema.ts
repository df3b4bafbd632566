/**
 * The message contract, version 1: the JSON body an app produces to the topic (validated by zod), and the
 * normalised message every body (JSON, text 0.0.4, OpenMetrics) becomes before it reaches the store.
 *
 * Label sets are kept as arrays of [name, value] pairs, never as plain objects: a label called `__proto__`,
 * `constructor` or `toString` is data like any other.
 */
import { z } from 'zod';
import type { MetricType } from '../exposition/types.js';

/** Every reason a record can be refused; each is a value of `exposer_records_rejected_total{reason}`. */
export const REJECT_REASONS = [
  'oversize',
  'missing_value',
  'invalid_utf8',
  'invalid_encoding',
  'invalid_json',
  'schema',
  'invalid_timestamp',
  'invalid_name',
  'reserved_name',
  'reserved_label',
  'invalid_sample',
  'label_conflict',
  'duplicate_family',
  'parse_error',
  'missing_header',
  'unsupported_content_type',
  'duplicate_series',
  'type_conflict',
  'limit_series',
  'limit_source_series',
  'limit_labels',
  'limit_label_length',
  'internal',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export const OPS = ['replace', 'merge', 'delete'] as const;
export type Op = (typeof OPS)[number];

/** The types a JSON message may declare (the text 0.0.4 set). */
export const JSON_METRIC_TYPES = ['counter', 'gauge', 'histogram', 'summary', 'untyped'] as const;

/** A label set as an array of pairs, built by walking the object's own keys (so `__proto__` survives). */
const labelSet = z.unknown().transform((value, ctx): [string, string][] => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    ctx.addIssue({ code: 'custom', message: 'expected an object mapping label names to string values' });
    return z.NEVER;
  }
  const pairs: [string, string][] = [];
  const record = value as Record<string, unknown>;
  for (const name of Object.keys(record)) {
    const labelValue = record[name];
    if (typeof labelValue !== 'string') {
      ctx.addIssue({ code: 'custom', path: [name], message: 'expected a string label value' });
      continue;
    }
    pairs.push([name, labelValue]);
  }
  return pairs;
});

const sampleValue = z.union([z.number(), z.enum(['NaN', '+Inf', '-Inf'])], {
  error: 'expected a number or one of "NaN", "+Inf", "-Inf"',
});

/** Milliseconds since the epoch: a non-negative integer below 2^53. */
const timestampMs = z
  .number({ error: 'expected an integer number of milliseconds since the epoch' })
  .int({ error: 'expected an integer number of milliseconds since the epoch' })
  .min(0, { error: 'must not be negative' })
  .max(Number.MAX_SAFE_INTEGER, { error: 'too large' });

const nonEmpty = (what: string) =>
  z.string({ error: `expected a string (${what})` }).min(1, `${what} is empty`);

export const jsonSampleSchema = z.strictObject({
  name: z.string({ error: 'expected a string' }).optional(),
  labels: labelSet.optional(),
  value: sampleValue,
  timestamp_ms: timestampMs.optional(),
});

export const jsonMetricSchema = z.strictObject({
  name: nonEmpty('metric name'),
  type: z
    .enum(JSON_METRIC_TYPES, { error: `expected one of ${JSON_METRIC_TYPES.join(', ')}` })
    .default('untyped'),
  help: z.string({ error: 'expected a string' }).optional(),
  unit: z.string({ error: 'expected a string' }).optional(),
  samples: z.array(jsonSampleSchema, { error: 'expected an array of samples' }),
});

/** The JSON message, version 1. Unknown keys are refused so that a typo (`timestamp` for `timestamp_ms`) is seen. */
export const jsonMessageSchema = z.strictObject({
  version: z.literal(1, { error: 'unsupported version: this exposer reads version 1' }).optional(),
  job: nonEmpty('job'),
  instance: nonEmpty('instance'),
  op: z.enum(OPS, { error: `expected one of ${OPS.join(', ')}` }).default('replace'),
  labels: labelSet.optional(),
  timestamp_ms: timestampMs.optional(),
  metrics: z.array(jsonMetricSchema, { error: 'expected an array of metric families' }),
});
export type JsonMessage = z.infer<typeof jsonMessageSchema>;

export type LabelPairs = readonly (readonly [string, string])[];

/** One sample of a normalised message. */
export interface PushSample {
  readonly name: string;
  /** The sample's own labels, without the source's job/instance/group labels. */
  readonly labels: LabelPairs;
  readonly value: number;
  readonly timestampMs?: number;
}

/** One metric family; the name follows the text 0.0.4 convention (a counter is named like its samples). */
export interface PushFamily {
  readonly name: string;
  readonly type: MetricType;
  readonly help?: string;
  readonly unit?: string;
  readonly samples: readonly PushSample[];
}

/** What decodeRecord produces from any body format and Store.apply consumes. */
export interface PushMessage {
  readonly job: string;
  readonly instance: string;
  readonly op: Op;
  /** Group labels added to every series of the source, besides job and instance. */
  readonly labels: LabelPairs;
  readonly timestampMs?: number;
  readonly families: readonly PushFamily[];
  readonly format: 'json' | 'text' | 'openmetrics' | 'tombstone';
  /** Size of the record value in bytes. */
  readonly bytes: number;
}

/** `metrics[1].samples[0].value` from a zod issue path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else {
      const key = String(part);
      out += /^[A-Za-z_][A-Za-z0-9_]*$/.test(key)
        ? out === ''
          ? key
          : `.${key}`
        : `[${JSON.stringify(key)}]`;
    }
  }
  return out === '' ? '(message)' : out;
}

/** The first few issues of a failed parse as one line: `metrics[0].type: expected one of ...`. */
export function describeIssues(error: z.ZodError, max = 3): string {
  const parts = error.issues.slice(0, max).map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
  const more = error.issues.length - max;
  return more > 0 ? `${parts.join('; ')} (and ${more} more)` : parts.join('; ');
}
