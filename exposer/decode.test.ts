import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeRecord, type RawRecord } from './decode.js';

const limits = { maxMessageBytes: 64 * 1024 };

function record(
  value: string | Buffer | null,
  headers: RawRecord['headers'] = {},
  key: string | null = null,
): RawRecord {
  return {
    key: key === null ? null : Buffer.from(key),
    value: value === null ? null : typeof value === 'string' ? Buffer.from(value) : value,
    headers,
    timestampMs: 1_764_000_000_000,
    partition: 0,
    offset: '0',
  };
}

const json = (body: unknown, headers: RawRecord['headers'] = {}) => record(JSON.stringify(body), headers);

const good = {
  job: 'checkout',
  instance: 'checkout-1:8080',
  op: 'replace',
  labels: { zone: 'a' },
  timestamp_ms: 1764000000000,
  metrics: [
    {
      name: 'http_requests_total',
      type: 'counter',
      help: 'Requests served.',
      samples: [{ labels: { code: '200' }, value: 1027 }],
    },
    {
      name: 'http_request_duration_seconds',
      type: 'histogram',
      samples: [
        { name: 'http_request_duration_seconds_bucket', labels: { le: '0.1' }, value: 3 },
        { name: 'http_request_duration_seconds_bucket', labels: { le: '+Inf' }, value: 5 },
        { name: 'http_request_duration_seconds_sum', value: 0.42 },
        { name: 'http_request_duration_seconds_count', value: 5 },
      ],
    },
  ],
};

function rejected(r: ReturnType<typeof decodeRecord>): { reason: string; detail: string } {
  if (r.ok) throw new Error(`expected a rejection, got ${JSON.stringify(r.message)}`);
  return { reason: r.reason, detail: r.detail };
}

describe('decodeRecord: JSON messages', () => {
  it('decodes the example of the contract', () => {
    const r = decodeRecord(json(good), limits);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.message).toMatchObject({
      job: 'checkout',
      instance: 'checkout-1:8080',
      op: 'replace',
      labels: [['zone', 'a']],
      timestampMs: 1764000000000,
      format: 'json',
    });
    expect(r.message.families[0]).toEqual({
      name: 'http_requests_total',
      type: 'counter',
      help: 'Requests served.',
      samples: [{ name: 'http_requests_total', labels: [['code', '200']], value: 1027 }],
    });
    expect(r.message.families[1]!.samples).toHaveLength(4);
  });

  it('defaults op to replace and type to untyped', () => {
    const r = decodeRecord(
      json({ job: 'j', instance: 'i', metrics: [{ name: 'x', samples: [{ value: 1 }] }] }),
      limits,
    );
    expect(r.ok && r.message.op).toBe('replace');
    expect(r.ok && r.message.families[0]!.type).toBe('untyped');
  });

  it('reads NaN, +Inf and -Inf as strings', () => {
    const body = {
      job: 'j',
      instance: 'i',
      metrics: [
        {
          name: 'g',
          type: 'gauge',
          samples: [
            { labels: { a: '1' }, value: 'NaN' },
            { labels: { a: '2' }, value: '+Inf' },
            { labels: { a: '3' }, value: '-Inf' },
          ],
        },
      ],
    };
    const r = decodeRecord(json(body), limits);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const values = r.message.families[0]!.samples.map((s) => s.value);
    expect(values[0]).toBeNaN();
    expect(values.slice(1)).toEqual([Infinity, -Infinity]);
  });

  it('keeps labels named __proto__-like words exactly (constructor, toString, __proto__ as a value)', () => {
    const text =
      '{"job":"j","instance":"i","labels":{"constructor":"c"},"metrics":[{"name":"g","type":"gauge","samples":[{"labels":{"toString":"t","hasOwnProperty":"h","x":"__proto__"},"value":1}]}]}';
    const r = decodeRecord(record(text), limits);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.message.labels).toEqual([['constructor', 'c']]);
    expect(r.message.families[0]!.samples[0]!.labels).toEqual([
      ['toString', 't'],
      ['hasOwnProperty', 'h'],
      ['x', '__proto__'],
    ]);
  });

  it('refuses a label named __proto__ as reserved (it starts with __), not by losing it', () => {
    const text =
      '{"job":"j","instance":"i","metrics":[{"name":"g","type":"gauge","samples":[{"labels":{"__proto__":"p"},"value":1}]}]}';
    const r = rejected(decodeRecord(record(text), limits));
    expect(r.reason).toBe('reserved_label');
    expect(r.detail).toContain('__proto__');
  });

  it.each([
    [{ instance: 'i', metrics: [] }, 'job'],
    [{ job: 'j', metrics: [] }, 'instance'],
    [{ job: 'j', instance: 'i' }, 'metrics'],
    [{ job: '', instance: 'i', metrics: [] }, 'job: job is empty'],
    [{ job: 'j', instance: 'i', op: 'upsert', metrics: [] }, 'op: expected one of replace, merge, delete'],
    [
      { job: 'j', instance: 'i', metrics: [{ name: 'x', type: 'gaugehistogram', samples: [] }] },
      'metrics[0].type',
    ],
    [
      { job: 'j', instance: 'i', metrics: [{ name: 'x', samples: [{ value: '1' }] }] },
      'metrics[0].samples[0].value',
    ],
    [
      { job: 'j', instance: 'i', metrics: [{ name: 'x', samples: [{ value: 1, labels: { a: 1 } }] }] },
      'labels.a',
    ],
    [{ job: 'j', instance: 'i', metrics: [{ name: 'x', samples: [{ value: 1, labels: [] }] }] }, 'labels'],
    [{ job: 'j', instance: 'i', timestamp: 1, metrics: [] }, 'timestamp'],
    [{ job: 'j', instance: 'i', version: 2, metrics: [] }, 'version: unsupported version'],
    [{ job: 'j', instance: 'i', metrics: {} }, 'metrics: expected an array'],
  ])('refuses %j with a schema error naming %s', (body, field) => {
    const r = rejected(decodeRecord(json(body), limits));
    expect(r.reason).toBe('schema');
    expect(r.detail).toContain(field);
  });

  it.each([-1, 1.5, 2 ** 60, '1764000000000'])('refuses timestamp_ms %j as invalid_timestamp', (ts) => {
    const body = {
      job: 'j',
      instance: 'i',
      metrics: [{ name: 'x', samples: [{ value: 1, timestamp_ms: ts }] }],
    };
    const r = rejected(decodeRecord(json(body), limits));
    expect(r.reason).toBe('invalid_timestamp');
    expect(r.detail).toContain('metrics[0].samples[0].timestamp_ms');
  });

  it('refuses a value that is not JSON, with the parser message', () => {
    const r = rejected(decodeRecord(record('{"job":'), limits));
    expect(r.reason).toBe('invalid_json');
  });

  it('refuses a JSON value that is not an object', () => {
    expect(rejected(decodeRecord(record('[1,2]'), limits)).reason).toBe('schema');
    expect(rejected(decodeRecord(record('null'), limits)).reason).toBe('schema');
  });

  it('refuses bytes that are not UTF-8, naming the offset', () => {
    const r = rejected(decodeRecord(record(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d])), limits));
    expect(r.reason).toBe('invalid_utf8');
    expect(r.detail).toContain('offset 2');
  });

  it('refuses a value over the size limit before reading it', () => {
    const r = rejected(decodeRecord(record('x'.repeat(100)), { maxMessageBytes: 99 }));
    expect(r.reason).toBe('oversize');
    expect(r.detail).toBe('record value is 100 bytes, the limit is 99');
  });

  it('reads a gzip-compressed value announced by content-encoding: gzip, JSON or text (as a Pushgateway push)', () => {
    const fromJson = decodeRecord(
      record(gzipSync(JSON.stringify(good)), { 'content-encoding': 'gzip' }),
      limits,
    );
    expect(fromJson.ok && fromJson.message).toMatchObject({ job: 'checkout', instance: 'checkout-1:8080' });
    const fromText = decodeRecord(
      record(gzipSync('# TYPE up_jobs gauge\nup_jobs 3\n'), {
        'Content-Type': 'text/plain; version=0.0.4',
        'Content-Encoding': 'GZIP',
        job: 'batch',
        instance: 'b1',
      }),
      limits,
    );
    expect(fromText.ok && fromText.message.families[0]?.samples[0]?.value).toBe(3);
  });

  it('refuses a gzip bomb: a small compressed value over the size limit once inflated, without inflating it all', () => {
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(100 * 1024);
    const r = rejected(
      decodeRecord(record(bomb, { 'content-encoding': 'gzip' }), { maxMessageBytes: 1024 * 1024 }),
    );
    expect(r.reason).toBe('oversize');
    expect(r.detail).toBe(
      `record value is ${bomb.length} bytes gzip-compressed and more than the limit of 1048576 bytes decompressed`,
    );
  });

  it('refuses a value that is not gzip under content-encoding: gzip, and any other content-encoding', () => {
    const corrupt = rejected(decodeRecord(record('{"job":"a"}', { 'content-encoding': 'gzip' }), limits));
    expect(corrupt.reason).toBe('invalid_encoding');
    expect(corrupt.detail).toMatch(/^record value is not valid gzip \(content-encoding: gzip\): /);
    const truncated = gzipSync(JSON.stringify(good)).subarray(0, 20);
    expect(rejected(decodeRecord(record(truncated, { 'content-encoding': 'gzip' }), limits)).reason).toBe(
      'invalid_encoding',
    );
    const br = rejected(decodeRecord(record('{}', { 'content-encoding': 'br' }), limits));
    expect(br.reason).toBe('invalid_encoding');
    expect(br.detail).toBe(
      'content-encoding "br" is not supported: send gzip or an uncompressed value (or let the Kafka producer compress its batches)',
    );
    // identity and an empty header mean an uncompressed value.
    expect(decodeRecord(json(good, { 'content-encoding': 'identity' }), limits).ok).toBe(true);
    expect(decodeRecord(json(good, { 'content-encoding': '' }), limits).ok).toBe(true);
  });

  it('says a gzip-compressed value without its content-encoding header is gzip, not just bad UTF-8', () => {
    const r = rejected(decodeRecord(record(gzipSync(JSON.stringify(good))), limits));
    expect(r.reason).toBe('invalid_utf8');
    expect(r.detail).toBe(
      'record value is not valid UTF-8 (it starts with the gzip magic bytes 1f 8b: send a gzip-compressed value with the record header content-encoding: gzip)',
    );
  });

  it('reads a null value keyed <job>/<instance> as a delete (a tombstone)', () => {
    const r = decodeRecord(record(null, {}, 'checkout/host:80/x'), limits);
    expect(r.ok && r.message).toMatchObject({ op: 'delete', job: 'checkout', instance: 'host:80/x' });
    expect(rejected(decodeRecord(record(null, {}, 'nokey'), limits)).reason).toBe('missing_value');
    expect(rejected(decodeRecord(record(null), limits)).reason).toBe('missing_value');
  });

  it.each([
    ['bad-name', 'invalid_name'],
    ['__reserved', 'reserved_name'],
    ['exposer_series', 'reserved_name'],
    ['', 'schema'],
  ])('refuses the metric name %j as %s', (name, reason) => {
    const body = { job: 'j', instance: 'i', metrics: [{ name, samples: [{ value: 1 }] }] };
    expect(rejected(decodeRecord(json(body), limits)).reason).toBe(reason);
  });

  it.each([
    ['a-b', 'invalid_name'],
    ['1a', 'invalid_name'],
    ['__name__', 'reserved_label'],
    ['__x', 'reserved_label'],
  ])('refuses the label name %j as %s', (label, reason) => {
    const body = {
      job: 'j',
      instance: 'i',
      metrics: [{ name: 'x', samples: [{ value: 1, labels: { [label]: 'v' } }] }],
    };
    const r = rejected(decodeRecord(json(body), limits));
    expect(r.reason).toBe(reason);
    expect(r.detail).toContain('metrics[0].samples[0].labels');
  });

  it('names the exact place of a bad label in a later family and sample, once its name was seen valid elsewhere', () => {
    const body = {
      job: 'j',
      instance: 'i',
      metrics: [
        { name: 'a', samples: [{ value: 1, labels: { ok: 'v' } }] },
        {
          name: 'b',
          samples: [
            { value: 1, labels: { ok: 'v' } },
            { value: 2, labels: { ok: 'w', __bad: 'v' } },
          ],
        },
      ],
    };
    expect(rejected(decodeRecord(json(body), limits))).toEqual({
      reason: 'reserved_label',
      detail: 'metrics[1].samples[1].labels.__bad: label names starting with __ are reserved',
    });
    const text = 'a{ok="v"} 1\nb{ok="v"} 1\nb{ok="w",__bad="v"} 2\n';
    const headers = { 'content-type': 'text/plain; version=0.0.4', job: 'j', instance: 'i' };
    expect(rejected(decodeRecord(record(text, headers), limits))).toEqual({
      reason: 'reserved_label',
      detail: 'family b sample b.labels.__bad: label names starting with __ are reserved',
    });
    const badName = {
      ...body,
      metrics: [body.metrics[0]!, { name: 'b', samples: [{ name: '__b', value: 1 }] }],
    };
    expect(rejected(decodeRecord(json(badName), limits)).detail).toBe(
      'metrics[1].samples[0].name: metric name __b uses the reserved __ prefix',
    );
  });

  it('refuses a sample name that does not belong to its family', () => {
    const body = {
      job: 'j',
      instance: 'i',
      metrics: [{ name: 'h', type: 'histogram', samples: [{ name: 'h_total', value: 1 }] }],
    };
    const r = rejected(decodeRecord(json(body), limits));
    expect(r.reason).toBe('invalid_sample');
    expect(r.detail).toBe(
      'metrics[0].samples[0]: sample name h_total does not belong to histogram h (h_bucket, h_sum, h_count)',
    );
  });

  it('refuses a bucket without le and a summary quantile sample without quantile', () => {
    const hist = { name: 'h', type: 'histogram', samples: [{ name: 'h_bucket', value: 1 }] };
    const sum = { name: 's', type: 'summary', samples: [{ value: 1 }] };
    expect(
      rejected(decodeRecord(json({ job: 'j', instance: 'i', metrics: [hist] }), limits)).detail,
    ).toContain('le');
    expect(
      rejected(decodeRecord(json({ job: 'j', instance: 'i', metrics: [sum] }), limits)).detail,
    ).toContain('quantile');
  });

  it('refuses a family twice in one message', () => {
    const f = { name: 'x', type: 'gauge', samples: [{ value: 1 }] };
    const r = rejected(decodeRecord(json({ job: 'j', instance: 'i', metrics: [f, f] }), limits));
    expect(r.reason).toBe('duplicate_family');
    expect(r.detail).toContain('metrics[1]');
  });

  it('accepts a sample label equal to the group label and refuses one that contradicts it', () => {
    const same = { name: 'x', samples: [{ value: 1, labels: { job: 'j' } }] };
    expect(decodeRecord(json({ job: 'j', instance: 'i', metrics: [same] }), limits).ok).toBe(true);
    const other = { name: 'x', samples: [{ value: 1, labels: { instance: 'other' } }] };
    const r = rejected(decodeRecord(json({ job: 'j', instance: 'i', metrics: [other] }), limits));
    expect(r.reason).toBe('label_conflict');
    expect(r.detail).toContain('instance="other"');
    const group = rejected(
      decodeRecord(json({ job: 'j', instance: 'i', labels: { job: 'x' }, metrics: [] }), limits),
    );
    expect(group.reason).toBe('label_conflict');
  });

  it('refuses an unknown content type', () => {
    const r = rejected(
      decodeRecord(json(good, { 'content-type': 'application/vnd.google.protobuf' }), limits),
    );
    expect(r.reason).toBe('unsupported_content_type');
  });
});

describe('decodeRecord: text and OpenMetrics bodies', () => {
  const text = [
    '# HELP http_requests_total Requests served.',
    '# TYPE http_requests_total counter',
    'http_requests_total{code="200"} 1027',
    'http_requests_total{code="500"} 3',
    '',
  ].join('\n');

  it('reads a text 0.0.4 body with job and instance headers', () => {
    const r = decodeRecord(
      record(text, { 'content-type': 'text/plain; version=0.0.4', job: 'j', instance: Buffer.from('i') }),
      limits,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.message).toMatchObject({ job: 'j', instance: 'i', op: 'replace', format: 'text' });
    expect(r.message.families).toEqual([
      {
        name: 'http_requests_total',
        type: 'counter',
        help: 'Requests served.',
        samples: [
          { name: 'http_requests_total', labels: [['code', '200']], value: 1027 },
          { name: 'http_requests_total', labels: [['code', '500']], value: 3 },
        ],
      },
    ]);
  });

  it('matches header names case-insensitively and takes the op header', () => {
    const r = decodeRecord(
      record(text, { 'Content-Type': 'text/plain', Job: 'j', INSTANCE: 'i', op: 'merge' }),
      limits,
    );
    expect(r.ok && r.message.op).toBe('merge');
    const bad = rejected(
      decodeRecord(record(text, { 'content-type': 'text/plain', job: 'j', instance: 'i', op: 'x' }), limits),
    );
    expect(bad.reason).toBe('schema');
    expect(bad.detail).toContain('header op');
  });

  it('requires the job and instance headers for a text body', () => {
    const r = rejected(decodeRecord(record(text, { 'content-type': 'text/plain', job: 'j' }), limits));
    expect(r.reason).toBe('missing_header');
    expect(r.detail).toContain('instance');
  });

  it('names OpenMetrics counters like text 0.0.4 and drops _created', () => {
    const om = [
      '# TYPE rq counter',
      '# HELP rq Requests.',
      'rq_total{code="200"} 5',
      'rq_created{code="200"} 1700000000',
      '# TYPE up_info info',
      '# EOF',
      '',
    ].join('\n');
    const r = decodeRecord(
      record(om, { 'content-type': 'application/openmetrics-text; version=1.0.0', job: 'j', instance: 'i' }),
      limits,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.message.format).toBe('openmetrics');
    expect(r.message.families[0]).toEqual({
      name: 'rq_total',
      type: 'counter',
      help: 'Requests.',
      samples: [{ name: 'rq_total', labels: [['code', '200']], value: 5 }],
    });
  });

  it('refuses a body the parser refuses, naming the line', () => {
    const r = rejected(
      decodeRecord(
        record('ok 1\nnot valid at all {\n', { 'content-type': 'text/plain', job: 'j', instance: 'i' }),
        limits,
      ),
    );
    expect(r.reason).toBe('parse_error');
    expect(r.detail).toMatch(/^line 2: /);
  });

  it('refuses a histogram le or a summary quantile given twice, which the parser reads as promtool does', () => {
    for (const [body, label] of [
      ['# TYPE h histogram\nh_bucket{le="1",le="2"} 1\n', 'le'],
      ['# TYPE s summary\ns{quantile="0.5",quantile="0.9"} 1\n', 'quantile'],
    ] as const) {
      const r = rejected(
        decodeRecord(record(body, { 'content-type': 'text/plain', job: 'j', instance: 'i' }), limits),
      );
      expect(r.reason).toBe('invalid_sample');
      expect(r.detail).toMatch(
        new RegExp(`^line 2: label "${label}" appears twice in (h_bucket|s): Prometheus refuses`),
      );
    }
    // One of each on a sample is two names, not a repeat.
    const ok = decodeRecord(
      record('# TYPE h histogram\nh_bucket{le="1",quantile="x"} 1\n', {
        'content-type': 'text/plain',
        job: 'j',
        instance: 'i',
      }),
      limits,
    );
    expect(ok.ok).toBe(true);
  });

  it('refuses reserved names in text bodies too', () => {
    const r = rejected(
      decodeRecord(
        record('exposer_series 1\n', { 'content-type': 'text/plain', job: 'j', instance: 'i' }),
        limits,
      ),
    );
    expect(r.reason).toBe('reserved_name');
  });
});

describe('fixtures/messages', () => {
  interface Case {
    file: string;
    headers?: Record<string, string>;
    expect: { ok: true; op: string; families: number; samples: number } | { reason: string; detail?: string };
  }
  const dir = new URL('../fixtures/messages/', import.meta.url);
  const cases = JSON.parse(readFileSync(new URL('cases.json', dir), 'utf8')) as Case[];

  it.each(cases.map((c) => [c.file, c] as const))('%s', (_file, c) => {
    const r = decodeRecord(record(readFileSync(new URL(c.file, dir)), c.headers ?? {}), limits);
    if ('ok' in c.expect) {
      if (!r.ok) throw new Error(`${c.file}: ${r.reason}: ${r.detail}`);
      expect({
        op: r.message.op,
        families: r.message.families.length,
        samples: r.message.families.reduce((n, f) => n + f.samples.length, 0),
      }).toEqual({ op: c.expect.op, families: c.expect.families, samples: c.expect.samples });
    } else {
      const got = rejected(r);
      expect(got.reason).toBe(c.expect.reason);
      if (c.expect.detail !== undefined) expect(got.detail).toBe(c.expect.detail);
    }
  });
});

describe('decodeRecord: explicit timestamps against the clock', () => {
  const NOW = Date.UTC(2026, 10, 24, 22, 0, 0);
  const at = { maxMessageBytes: 64 * 1024, nowMs: NOW };
  const sample = (ts: number, top?: number) =>
    json({
      job: 'j',
      instance: 'i',
      ...(top === undefined ? {} : { timestamp_ms: top }),
      metrics: [{ name: 'x', samples: [{ value: 1 }, { value: 2, labels: { a: 'b' }, timestamp_ms: ts }] }],
    });
  const body = (text: string, openmetrics = false) =>
    record(text, {
      'content-type': openmetrics
        ? 'application/openmetrics-text; version=1.0.0'
        : 'text/plain; version=0.0.4',
      job: 'j',
      instance: 'i',
    });

  it('accepts timestamps up to the allowed skew ahead (10 minutes by default) and any time since 2000', () => {
    for (const ts of [NOW, NOW + 10 * 60_000, NOW - 86_400_000 * 365, Date.UTC(2000, 0, 1)]) {
      const r = decodeRecord(sample(ts), at);
      expect(r.ok, String(ts)).toBe(true);
    }
    expect(decodeRecord(body(`x 1 ${NOW + 600_000}\n`), at).ok).toBe(true);
    expect(decodeRecord(body(`x 1 ${NOW / 1000 + 600}\n# EOF\n`, true), at).ok).toBe(true);
  });

  it('refuses a sample more than the skew ahead, naming the sample, the time and how far ahead', () => {
    const r = rejected(decodeRecord(sample(NOW + 2 * 3_600_000 + 5000), at));
    expect(r.reason).toBe('invalid_timestamp');
    expect(r.detail).toBe(
      'metrics[0].samples[1].timestamp_ms: 1795564805000 milliseconds since the epoch is 2026-11-25T00:00:05.000Z, ' +
        '2h5s ahead of now, more than the allowed 10m clock skew (is the producer clock wrong?)',
    );
    expect(rejected(decodeRecord(sample(NOW + 600_001), at)).detail).toContain(
      '10m1s ahead of now, more than the allowed 10m',
    );
  });

  it('refuses a message-level timestamp_ms ahead of now', () => {
    const r = rejected(decodeRecord(sample(NOW, NOW + 3_600_000), at));
    expect(r.reason).toBe('invalid_timestamp');
    expect(r.detail).toMatch(/^timestamp_ms: .* 1h ahead of now/);
  });

  it('takes the skew from the limits, 0 turning the check off', () => {
    expect(decodeRecord(sample(NOW + 90_000), { ...at, maxFutureSkewMs: 60_000 }).ok).toBe(false);
    expect(rejected(decodeRecord(sample(NOW + 90_000), { ...at, maxFutureSkewMs: 60_000 })).detail).toContain(
      '1m30s ahead of now, more than the allowed 1m clock skew',
    );
    expect(decodeRecord(sample(NOW + 86_400_000 * 365), { ...at, maxFutureSkewMs: 0 }).ok).toBe(true);
    // Without a reference time the check uses the time of the call.
    expect(decodeRecord(sample(Date.now() + 3_600_000), { maxMessageBytes: 64 * 1024 }).ok).toBe(false);
    expect(decodeRecord(sample(Date.now()), { maxMessageBytes: 64 * 1024 }).ok).toBe(true);
  });

  it('refuses times before 2000 and says when the value makes sense in another unit', () => {
    const seconds = rejected(decodeRecord(sample(Math.floor(NOW / 1000)), at));
    expect(seconds.reason).toBe('invalid_timestamp');
    expect(seconds.detail).toBe(
      'metrics[0].samples[1].timestamp_ms: 1795557600 milliseconds since the epoch is 1970-01-21T18:45:57.600Z, ' +
        'before 2000-01-01; written in seconds it would be 2026-11-24T22:00:00.000Z',
    );
    expect(rejected(decodeRecord(sample(5), at)).detail).toMatch(
      /1970-01-01T00:00:00\.005Z, before 2000-01-01$/,
    );
    expect(rejected(decodeRecord(sample(Date.UTC(2000, 0, 1) - 1), at)).reason).toBe('invalid_timestamp');
    const micro = rejected(decodeRecord(sample(NOW * 1000), at));
    expect(micro.detail).toMatch(
      /56879y42w ahead of now, .*; written in microseconds it would be 2026-11-24T22:00:00\.000Z$/,
    );
  });

  it('never fails on a timestamp Date cannot show', () => {
    const r = rejected(decodeRecord(sample(Number.MAX_SAFE_INTEGER), at));
    expect(r.reason).toBe('invalid_timestamp');
    expect(r.detail).toContain('is after the year 275760');
  });

  it('checks text and OpenMetrics bodies sample by sample, with the line and the unit of the format', () => {
    const text = rejected(decodeRecord(body(`x 1 ${NOW}\ny 2 ${Math.floor(NOW / 1000)}\n`), at));
    expect(text).toEqual({
      reason: 'invalid_timestamp',
      detail:
        'line 2: sample y timestamp: 1795557600 milliseconds since the epoch is 1970-01-21T18:45:57.600Z, ' +
        'before 2000-01-01; written in seconds it would be 2026-11-24T22:00:00.000Z',
    });
    const om = rejected(decodeRecord(body(`x 1 ${NOW}\n# EOF\n`, true), at));
    expect(om.reason).toBe('invalid_timestamp');
    expect(om.detail).toMatch(
      /^line 1: sample x timestamp: 1795557600000 seconds since the epoch is .* written in milliseconds it would be 2026-11-24T22:00:00\.000Z$/,
    );
    const ahead = rejected(decodeRecord(body(`x 1 ${NOW / 1000 + 3600}\n# EOF\n`, true), at));
    expect(ahead.detail).toContain(
      '1795561200 seconds since the epoch is 2026-11-24T23:00:00.000Z, 1h ahead of now',
    );
  });
});
