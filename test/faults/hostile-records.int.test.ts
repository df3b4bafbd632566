/**
 * R4: hostile records interleaved with valid ones on the real broker (10,000 hostile in the full suite): nothing
 * crashes, every valid record is applied, every rejection is counted under its reason, labels named like
 * Object.prototype members are data, and no object prototype is touched.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { brokers, kafka, uniqueTopic } from '../kafka.js';
import { serve, type RunningExposer } from '../../exposer/serve.js';
import type { RejectReason } from '../../exposer/schema.js';
import { figure, memoryOf, selfValue, size, valuesByInstance, waitFor } from './harness.js';

interface Hostile {
  readonly kind: string;
  readonly reason: RejectReason;
  readonly value: Buffer | null;
  readonly key?: string;
  readonly headers?: Record<string, string | Buffer>;
}

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));
const text = (
  body: string,
  headers: Record<string, string | Buffer>,
): Pick<Hostile, 'value' | 'headers'> => ({
  value: Buffer.from(body),
  headers: { 'content-type': 'text/plain; version=0.0.4', ...headers },
});
const gauge = (name: string, samples: unknown[], extra: Record<string, unknown> = {}) => ({
  job: 'hostile',
  instance: 'h',
  ...extra,
  metrics: [{ name, type: 'gauge', samples }],
});
const DEEP = 50_000;
const deep = `${'['.repeat(DEEP)}1${']'.repeat(DEEP)}`;
const TEN_MB = 10 * 1024 * 1024;

/** Every hostile kind the issue lists, and a few more, each with the reason it must be counted under. */
const KINDS: readonly ((i: number) => Hostile)[] = [
  (i) => ({
    kind: 'malformed JSON',
    reason: 'invalid_json',
    value: Buffer.from(`{"job": "hostile", "instance": ${i}`),
  }),
  () => ({
    kind: 'invalid UTF-8',
    reason: 'invalid_utf8',
    value: Buffer.concat([Buffer.from('{"job":"'), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), Buffer.from('"}')]),
  }),
  () => ({
    kind: 'wrong type: value is a word',
    reason: 'schema',
    value: json(gauge('w', [{ value: 'abc' }])),
  }),
  () => ({
    kind: 'wrong type: metrics is a string',
    reason: 'schema',
    value: json({ job: 'hostile', instance: 'h', metrics: 'x' }),
  }),
  () => ({
    kind: 'wrong type: labels is an array',
    reason: 'schema',
    value: json(gauge('w', [{ labels: ['a'], value: 1 }])),
  }),
  () => ({
    kind: 'wrong type: job is a number',
    reason: 'schema',
    value: json({ job: 7, instance: 'h', metrics: [] }),
  }),
  () => ({ kind: 'not an object', reason: 'schema', value: Buffer.from('[1,2,3]') }),
  () => ({
    kind: 'invalid metric name',
    reason: 'invalid_name',
    value: json(gauge('1bad-name', [{ value: 1 }])),
  }),
  () => ({
    kind: 'invalid label name',
    reason: 'invalid_name',
    value: json(gauge('w', [{ labels: { 'bad-label': 'x' }, value: 1 }])),
  }),
  () => ({
    kind: 'labels object with key __proto__',
    reason: 'reserved_label',
    value: Buffer.from(
      '{"job":"hostile","instance":"h","metrics":[{"name":"w","samples":[{"labels":{"__proto__":"x"},"value":1}]}]}',
    ),
  }),
  () => ({
    kind: 'group labels with key __proto__ (an object)',
    reason: 'schema',
    value: Buffer.from(
      '{"job":"hostile","instance":"h","labels":{"__proto__":{"polluted":"yes"}},"metrics":[]}',
    ),
  }),
  () => ({
    kind: 'top-level __proto__ key',
    reason: 'schema',
    value: Buffer.from('{"__proto__":{"polluted":"yes"},"job":"hostile","instance":"h","metrics":[]}'),
  }),
  () => ({
    kind: 'constructor.prototype key',
    reason: 'schema',
    value: Buffer.from(
      '{"constructor":{"prototype":{"polluted":"yes"}},"job":"hostile","instance":"h","metrics":[]}',
    ),
  }),
  () => ({
    kind: 'reserved __ label name',
    reason: 'reserved_label',
    value: json(gauge('w', [{ labels: { __name__: 'x' }, value: 1 }])),
  }),
  () => ({
    kind: 'reserved __ metric name',
    reason: 'reserved_name',
    value: json(gauge('__secret', [{ value: 1 }])),
  }),
  () => ({
    kind: "the exposer's own prefix",
    reason: 'reserved_name',
    value: json(gauge('exposer_series', [{ value: 1 }])),
  }),
  () => ({
    kind: 'deep nesting in a value',
    reason: 'schema',
    value: Buffer.from(JSON.stringify(gauge('w', [])).replace('[]', `[{"value":${deep}}]`)),
  }),
  () => ({ kind: 'deep nesting as the whole record', reason: 'schema', value: Buffer.from(deep) }),
  () => ({
    kind: '"NaN" string as a timestamp',
    reason: 'invalid_timestamp',
    value: json(gauge('w', [{ value: 1 }], { timestamp_ms: 'NaN' })),
  }),
  () => ({ kind: '"nan" string as a value', reason: 'schema', value: json(gauge('w', [{ value: 'nan' }])) }),
  () => ({
    kind: 'timestamp before 1970',
    reason: 'invalid_timestamp',
    value: json(gauge('w', [{ value: 1, timestamp_ms: -86_400_000 }])),
  }),
  () => ({
    kind: 'timestamp past 2^53',
    reason: 'invalid_timestamp',
    value: json(gauge('w', [{ value: 1, timestamp_ms: 1e300 }])),
  }),
  () => ({
    kind: 'text timestamp before 1970',
    reason: 'invalid_timestamp',
    ...text('w 1 -5000\n', { job: 'hostile', instance: 'h' }),
  }),
  () => ({
    kind: 'timestamp an hour ahead (a producer clock set wrong)',
    reason: 'invalid_timestamp',
    value: json(gauge('w', [{ value: 1, timestamp_ms: Date.now() + 3_600_000 }])),
  }),
  () => ({
    kind: 'message timestamp a day ahead',
    reason: 'invalid_timestamp',
    value: json(gauge('w', [{ value: 1 }], { timestamp_ms: Date.now() + 86_400_000 })),
  }),
  () => ({
    kind: 'timestamp in seconds where milliseconds belong (January 1970)',
    reason: 'invalid_timestamp',
    value: json(gauge('w', [{ value: 1, timestamp_ms: Math.floor(Date.now() / 1000) }])),
  }),
  () => ({
    kind: 'text timestamp in microseconds (far future)',
    reason: 'invalid_timestamp',
    ...text(`w 1 ${Date.now() * 1000}\n`, { job: 'hostile', instance: 'h' }),
  }),
  () => ({
    kind: 'duplicate series',
    reason: 'duplicate_series',
    value: json(
      gauge('w', [
        { labels: { a: '1' }, value: 1 },
        { labels: { a: '1' }, value: 2 },
      ]),
    ),
  }),
  () => ({
    kind: 'text body with a parse error',
    reason: 'parse_error',
    ...text('w{a="1" 1\n', { job: 'hostile', instance: 'h' }),
  }),
  () => ({
    kind: 'text body with a bad value',
    reason: 'parse_error',
    ...text('w one\n', { job: 'hostile', instance: 'h' }),
  }),
  () => ({
    kind: 'text body without an instance header',
    reason: 'missing_header',
    ...text('w 1\n', { job: 'hostile' }),
  }),
  () => ({ kind: 'text body without any source header', reason: 'missing_header', ...text('w 1\n', {}) }),
  () => ({
    kind: 'header that is not UTF-8',
    reason: 'missing_header',
    ...text('w 1\n', { job: Buffer.from([0xff, 0xfe]), instance: 'h' }),
  }),
  () => ({
    kind: 'unsupported content type',
    reason: 'unsupported_content_type',
    value: Buffer.from('x'),
    headers: { 'content-type': 'application/x-protobuf' },
  }),
  () => ({ kind: 'tombstone without a source key', reason: 'missing_value', value: null, key: 'no-slash' }),
  () => ({
    kind: 'label value over the length limit',
    reason: 'limit_label_length',
    value: json(gauge('w', [{ labels: { a: 'x'.repeat(100_000) }, value: 1 }])),
  }),
  () => ({
    kind: 'sample relabels job',
    reason: 'label_conflict',
    value: json(gauge('w', [{ labels: { job: 'other' }, value: 1 }])),
  }),
  () => ({
    kind: 'type conflict with valid sources',
    reason: 'type_conflict',
    value: json({
      job: 'hostile',
      instance: 'h',
      metrics: [{ name: 'valid_value', type: 'counter', samples: [{ value: 1 }] }],
    }),
  }),
  () => ({
    kind: 'histogram bucket without le',
    reason: 'invalid_sample',
    value: json({
      job: 'hostile',
      instance: 'h',
      metrics: [{ name: 'lat', type: 'histogram', samples: [{ name: 'lat_bucket', value: 1 }] }],
    }),
  }),
  () => ({
    kind: 'unknown key (typo)',
    reason: 'schema',
    value: json(gauge('w', [{ value: 1 }], { timestamp: 5 })),
  }),
];

/** A 10 MB record, sent on its own (the topic allows 32 MB records so that the broker passes it on). */
const oversize = (): Hostile => ({
  kind: '10 MB value',
  reason: 'oversize',
  value: Buffer.alloc(TEN_MB, 0x20),
});

function validRecord(k: number): { key: string; value: Buffer } {
  return {
    key: `valid/v${k}`,
    value: json({
      job: 'valid',
      instance: `v${k}`,
      metrics: [{ name: 'valid_value', type: 'gauge', samples: [{ value: k }] }],
    }),
  };
}

/** Valid records that look like attacks: Object.prototype member names as labels, `__proto__` as a value. */
const PROTOTYPE_NAMES = json({
  job: 'valid',
  instance: 'proto',
  labels: { toString: 'group' },
  metrics: [
    {
      name: 'proto_names',
      type: 'gauge',
      samples: [
        { labels: { constructor: '__proto__', hasOwnProperty: 'prototype', valueOf: '{}' }, value: 'NaN' },
      ],
    },
  ],
});

let exposer: RunningExposer | undefined;
afterAll(async () => {
  await exposer?.stop();
});

describe('R4 hostile records interleaved with valid ones', () => {
  it('counts every rejection by reason, applies every valid record, and never touches a prototype', async () => {
    const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();
    const topic = uniqueTopic('faults-r4');
    const admin = kafka().admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        {
          topic,
          numPartitions: 1,
          configEntries: [{ name: 'max.message.bytes', value: String(32 * 1024 * 1024) }],
        },
      ],
      waitForLeaders: true,
    });
    await admin.disconnect();
    exposer = await serve(
      {
        flags: {
          brokers: brokers().split(','),
          topics: [topic],
          group: uniqueTopic('faults-r4-g'),
          listen: '127.0.0.1:0',
        },
        env: {},
      },
      { logger: pino({ level: 'silent' }) },
    );

    const hostileCount = size(1_100, 10_000);
    const validCount = size(300, 2_500);
    const oversizeCount = size(2, 10);
    const expected = new Map<RejectReason, number>();
    const kindsSeen = new Set<string>();
    const producer = kafka().producer();
    await producer.connect();
    let batch: { key: string | null; value: Buffer | null; headers?: Record<string, string | Buffer> }[] = [];
    const flush = async (): Promise<void> => {
      if (batch.length > 0) await producer.send({ topic, acks: -1, messages: batch });
      batch = [];
    };
    // The first record is valid so that `valid_value` is a gauge before the type-conflict records arrive.
    let valid = 0;
    let hostile = 0;
    const total = hostileCount + validCount;
    for (let i = 0; i < total; i++) {
      const wantValid =
        valid < validCount && (i % Math.floor(total / validCount) === 0 || hostile >= hostileCount);
      if (wantValid) {
        batch.push(validRecord(valid++));
      } else {
        const h = KINDS[hostile % KINDS.length]!(hostile);
        hostile++;
        kindsSeen.add(h.kind);
        expected.set(h.reason, (expected.get(h.reason) ?? 0) + 1);
        batch.push({
          key: h.key ?? `hostile/h${hostile}`,
          value: h.value,
          ...(h.headers ? { headers: h.headers } : {}),
        });
      }
      if (batch.length >= 200) await flush();
      const step = Math.floor(total / oversizeCount);
      if (i % step === Math.floor(step / 2)) {
        await flush();
        const o = oversize();
        batch.push({ key: 'hostile/big', value: o.value });
        await flush();
        expected.set('oversize', (expected.get('oversize') ?? 0) + 1);
        kindsSeen.add(o.kind);
      }
    }
    batch.push({ key: 'valid/proto', value: PROTOTYPE_NAMES });
    await flush();
    await producer.disconnect();
    const validTotal = valid + 1;
    const produced = validTotal + hostile + (expected.get('oversize') ?? 0);

    const url = exposer.url;
    const body = await waitFor(
      'every record consumed',
      async () => {
        const t = await (await fetch(`${url}/metrics`)).text();
        const seen =
          selfValue(t, 'exposer_messages_total{result="applied"}') +
          selfValue(t, 'exposer_messages_total{result="rejected"}');
        return seen >= produced ? t : undefined;
      },
      size(120_000, 300_000),
      500,
    );

    const rejectedByReason: Record<string, number> = {};
    for (const line of body.split('\n')) {
      const m = /^exposer_records_rejected_total\{reason="([a-z0-9_]+)"\} (\d+)$/.exec(line);
      if (m && m[2] !== '0') rejectedByReason[m[1]!] = Number(m[2]);
    }
    const { values } = valuesByInstance(body, 'valid_value');
    const missingValid = Array.from({ length: valid }, (_, k) => k).filter((k) => values.get(`v${k}`) !== k);
    const sources = (await (await fetch(`${url}/api/v1/sources`)).json()) as { data: { job: string }[] };
    figure('R4 hostile records', {
      recordsProduced: produced,
      hostile: hostile + (expected.get('oversize') ?? 0),
      valid: validTotal,
      hostileKinds: kindsSeen.size,
      applied: selfValue(body, 'exposer_messages_total{result="applied"}'),
      rejectedByReason,
      testProcessRssPeakMiB: Math.round(memoryOf(process.pid).peakMiB),
    });

    expect(kindsSeen.size).toBe(KINDS.length + 1);
    expect(rejectedByReason).toEqual(Object.fromEntries([...expected].sort()));
    expect(rejectedByReason['internal']).toBeUndefined();
    expect(selfValue(body, 'exposer_messages_total{result="applied"}')).toBe(validTotal);
    expect(missingValid).toEqual([]);
    expect(sources.data.every((s) => s.job === 'valid')).toBe(true);
    expect(sources.data).toHaveLength(validTotal);
    // Labels named like Object.prototype members, a __proto__ value, NaN: stored and rendered exactly.
    expect(body).toContain(
      'proto_names{constructor="__proto__",hasOwnProperty="prototype",instance="proto",job="valid",toString="group",valueOf="{}"} NaN\n',
    );
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect((await fetch(`${url}/-/healthy`)).status).toBe(200);
  });
});
