import { describe, expect, it } from 'vitest';
import { createExposerMetrics } from './metrics.js';
import { renderMetrics } from './render.js';
import type { PushFamily, PushMessage } from './schema.js';
import { DEFAULT_STORE_OPTIONS, Store, type StoreOptions } from './store.js';

const T0 = 1_764_000_000_000;

function msg(partial: Partial<PushMessage> & { families?: PushFamily[] }): PushMessage {
  return {
    job: 'j',
    instance: 'i',
    op: 'replace',
    labels: [],
    families: [],
    format: 'json',
    bytes: 0,
    ...partial,
  };
}

function gauge(
  name: string,
  ...values: [Record<string, string>, number, (number | undefined)?][]
): PushFamily {
  return {
    name,
    type: 'gauge',
    samples: values.map(([labels, value, ts]) => ({
      name,
      labels: Object.entries(labels),
      value,
      ...(ts === undefined ? {} : { timestampMs: ts }),
    })),
  };
}

const meta = (
  nowMs = T0,
  extra: Partial<{ topic: string; partition: number; recordTimestampMs: number }> = {},
) => ({
  partition: 0,
  offset: '1',
  recordTimestampMs: nowMs,
  nowMs,
  ...extra,
});

function store(options: Partial<StoreOptions> = {}) {
  return new Store({ ...DEFAULT_STORE_OPTIONS, ...options });
}

/** The text exposition the store serves now (no self-metrics). */
function scrape(s: Store, nowMs = T0, format: 'text' | 'openmetrics' = 'text'): string {
  return [...renderMetrics(s, format, nowMs)].join('');
}

describe('Store: Pushgateway semantics', () => {
  it('adds job, instance and group labels to every series, sorted, and renders HELP/TYPE once per name', () => {
    const s = store();
    const fam: PushFamily = { ...gauge('temp', [{ room: 'b' }, 20]), help: 'Temperature.' };
    expect(s.apply(msg({ labels: [['zone', 'a']], families: [fam] }), meta()).ok).toBe(true);
    expect(s.apply(msg({ instance: 'k', families: [gauge('temp', [{ room: 'c' }, 21])] }), meta()).ok).toBe(
      true,
    );
    expect(scrape(s)).toBe(
      [
        '# HELP temp Temperature.',
        '# TYPE temp gauge',
        'temp{instance="i",job="j",room="b",zone="a"} 20',
        'temp{instance="k",job="j",room="c"} 21',
        '',
      ].join('\n'),
    );
    expect(s.seriesCount()).toBe(2);
    expect(s.sourceCount()).toBe(2);
  });

  it('replace drops the families the message does not carry', () => {
    const s = store();
    s.apply(msg({ families: [gauge('a', [{}, 1]), gauge('b', [{}, 2])] }), meta());
    s.apply(msg({ families: [gauge('b', [{}, 3])] }), meta());
    expect(scrape(s)).toBe('# TYPE b gauge\nb{instance="i",job="j"} 3\n');
    expect(s.seriesCount()).toBe(1);
  });

  it('merge replaces only the families present, whole (a series missing from a present family goes)', () => {
    const s = store();
    s.apply(msg({ families: [gauge('a', [{ x: '1' }, 1], [{ x: '2' }, 1]), gauge('b', [{}, 2])] }), meta());
    const r = s.apply(msg({ op: 'merge', families: [gauge('a', [{ x: '1' }, 5])] }), meta());
    expect(r).toMatchObject({ ok: true, op: 'merge', series: 2 });
    expect(scrape(s)).toBe(
      '# TYPE a gauge\na{instance="i",job="j",x="1"} 5\n# TYPE b gauge\nb{instance="i",job="j"} 2\n',
    );
  });

  it('merge with an empty family removes that family', () => {
    const s = store();
    s.apply(msg({ families: [gauge('a', [{}, 1]), gauge('b', [{}, 2])] }), meta());
    s.apply(msg({ op: 'merge', families: [gauge('a')] }), meta());
    expect(scrape(s)).toBe('# TYPE b gauge\nb{instance="i",job="j"} 2\n');
    expect(s.seriesCount()).toBe(1);
  });

  it('merge with new group labels relabels the families it keeps', () => {
    const s = store();
    s.apply(msg({ families: [gauge('a', [{}, 1]), gauge('b', [{}, 2])] }), meta());
    s.apply(msg({ op: 'merge', labels: [['zone', 'z']], families: [gauge('a', [{}, 3])] }), meta());
    expect(scrape(s)).toBe(
      '# TYPE a gauge\na{instance="i",job="j",zone="z"} 3\n# TYPE b gauge\nb{instance="i",job="j",zone="z"} 2\n',
    );
  });

  it('delete removes the group and frees its names', () => {
    const s = store();
    s.apply(msg({ families: [gauge('a', [{}, 1])] }), meta());
    expect(s.apply(msg({ op: 'delete' }), meta())).toMatchObject({ ok: true, op: 'delete' });
    expect(scrape(s)).toBe('');
    expect(s.sourceCount()).toBe(0);
    // The name is free again: another type is accepted.
    expect(s.apply(msg({ families: [{ ...gauge('a', [{}, 1]), type: 'counter' }] }), meta()).ok).toBe(true);
    expect(s.apply(msg({ instance: 'gone', op: 'delete' }), meta()).ok).toBe(true);
  });

  it('refuses a name with another type in another source, and keeps what was there', () => {
    const s = store();
    s.apply(msg({ families: [gauge('a', [{}, 1])] }), meta());
    const r = s.apply(
      msg({ instance: 'k', families: [{ ...gauge('a', [{}, 1]), type: 'counter' }] }),
      meta(),
    );
    expect(r).toEqual({
      ok: false,
      reason: 'type_conflict',
      detail: 'metric a is a gauge in source j/i; this message says counter',
    });
    expect(scrape(s)).toBe('# TYPE a gauge\na{instance="i",job="j"} 1\n');
    expect(s.sourceCount()).toBe(1);
  });

  it('lets the only source of a name change its type', () => {
    const s = store();
    s.apply(msg({ families: [gauge('a', [{}, 1])] }), meta());
    expect(s.apply(msg({ families: [{ ...gauge('a', [{}, 1]), type: 'untyped' }] }), meta()).ok).toBe(true);
    expect(scrape(s)).toBe('# TYPE a untyped\na{instance="i",job="j"} 1\n');
  });

  it('refuses a type that conflicts with the exposer own metrics (process_*)', () => {
    const metrics = createExposerMetrics();
    const s = new Store(DEFAULT_STORE_OPTIONS, metrics);
    const r = s.apply(msg({ families: [gauge('process_cpu_seconds_total', [{}, 1])] }), meta());
    expect(r).toMatchObject({ ok: false, reason: 'type_conflict' });
    expect(!r.ok && r.detail).toContain("the exposer's own metric");
  });

  it('refuses the same series twice in one message, whatever the label order', () => {
    const s = store();
    const f: PushFamily = {
      name: 'a',
      type: 'gauge',
      samples: [
        {
          name: 'a',
          labels: [
            ['x', '1'],
            ['y', '2'],
          ],
          value: 1,
        },
        {
          name: 'a',
          labels: [
            ['y', '2'],
            ['x', '1'],
          ],
          value: 2,
        },
      ],
    };
    const r = s.apply(msg({ families: [f] }), meta());
    expect(r).toEqual({
      ok: false,
      reason: 'duplicate_series',
      detail: 'series a{x="1",y="2"} appears twice in the message',
    });
    expect(s.sourceCount()).toBe(0);
  });

  it('leaves out a label with an empty value, as Prometheus does when it ingests the sample', () => {
    const s = store();
    expect(s.apply(msg({ families: [gauge('a', [{ x: '1', z: '' }, 1], [{ x: '2' }, 2])] }), meta()).ok).toBe(
      true,
    );
    expect(scrape(s)).toBe(
      '# TYPE a gauge\na{instance="i",job="j",x="1"} 1\na{instance="i",job="j",x="2"} 2\n',
    );
    // With and without it, the same series: one message may not hold both.
    const r = s.apply(msg({ families: [gauge('a', [{ x: '1', z: '' }, 1], [{ x: '1' }, 2])] }), meta());
    expect(r).toEqual({
      ok: false,
      reason: 'duplicate_series',
      detail: 'series a{x="1"} appears twice in the message',
    });
  });

  it('keeps labels named constructor, toString and valueOf as ordinary labels', () => {
    const s = store();
    const f = gauge('a', [{ constructor: 'c', toString: 't', valueOf: 'v' }, 1]);
    expect(s.apply(msg({ labels: [['hasOwnProperty', 'h']], families: [f] }), meta()).ok).toBe(true);
    expect(scrape(s)).toBe(
      '# TYPE a gauge\na{constructor="c",hasOwnProperty="h",instance="i",job="j",toString="t",valueOf="v"} 1\n',
    );
  });

  it('escapes label values and HELP text', () => {
    const s = store();
    const f: PushFamily = { ...gauge('a', [{ p: 'C:\\dir\n"q"' }, 1]), help: 'line\\one\ntwo' };
    s.apply(msg({ families: [f] }), meta());
    expect(scrape(s)).toBe(
      '# HELP a line\\\\one\\ntwo\n# TYPE a gauge\na{instance="i",job="j",p="C:\\\\dir\\n\\"q\\""} 1\n',
    );
  });

  it('renders OpenMetrics: counters without _total in metadata, unknown for untyped, # EOF', () => {
    const s = store();
    s.apply(
      msg({
        families: [
          { name: 'rq_total', type: 'counter', samples: [{ name: 'rq_total', labels: [], value: 3 }] },
          { name: 'odd', type: 'counter', samples: [{ name: 'odd', labels: [], value: 1 }] },
          { name: 'u', type: 'untyped', samples: [{ name: 'u', labels: [], value: 2 }] },
        ],
      }),
      meta(),
    );
    expect(scrape(s, T0, 'openmetrics')).toBe(
      [
        '# TYPE odd unknown',
        'odd{instance="i",job="j"} 1',
        '# TYPE rq counter',
        'rq_total{instance="i",job="j"} 3',
        '# TYPE u unknown',
        'u{instance="i",job="j"} 2',
        '# EOF',
        '',
      ].join('\n'),
    );
    expect(scrape(store(), T0, 'openmetrics')).toBe('# EOF\n');
  });
});

describe('Store: limits', () => {
  const three = gauge('a', [{ x: '1' }, 1], [{ x: '2' }, 1], [{ x: '3' }, 1]);

  it('refuses a source over max series per source and keeps its previous state', () => {
    const s = store({ maxSeriesPerSource: 2 });
    s.apply(msg({ families: [gauge('a', [{}, 1])] }), meta());
    const r = s.apply(msg({ families: [three] }), meta());
    expect(r).toEqual({
      ok: false,
      reason: 'limit_source_series',
      detail: 'source j/i would hold 3 series, the limit per source is 2',
    });
    expect(scrape(s)).toBe('# TYPE a gauge\na{instance="i",job="j"} 1\n');
  });

  it('counts merge against the per-source limit with the families kept', () => {
    const s = store({ maxSeriesPerSource: 3 });
    s.apply(msg({ families: [gauge('a', [{ x: '1' }, 1], [{ x: '2' }, 1])] }), meta());
    expect(s.apply(msg({ op: 'merge', families: [gauge('b', [{}, 1])] }), meta()).ok).toBe(true);
    expect(s.apply(msg({ op: 'merge', families: [gauge('c', [{}, 1])] }), meta())).toMatchObject({
      reason: 'limit_source_series',
    });
    // Replacing a family by one of the same size stays within the limit.
    expect(s.apply(msg({ op: 'merge', families: [gauge('b', [{ y: '1' }, 1])] }), meta()).ok).toBe(true);
  });

  it('refuses a message that would take the store over max series, and accepts one that shrinks a source', () => {
    const s = store({ maxSeries: 4 });
    s.apply(msg({ families: [three] }), meta());
    const r = s.apply(
      msg({ instance: 'k', families: [gauge('a', [{ x: '1' }, 1], [{ x: '2' }, 1])] }),
      meta(),
    );
    expect(r).toMatchObject({ ok: false, reason: 'limit_series' });
    expect(s.seriesCount()).toBe(3);
    expect(s.apply(msg({ instance: 'k', families: [gauge('a', [{}, 1])] }), meta()).ok).toBe(true);
    expect(s.seriesCount()).toBe(4);
  });

  it('refuses too many labels (job and instance count) and too long names or values', () => {
    const s = store({ maxLabelsPerSeries: 3, maxLabelNameLength: 8, maxLabelValueLength: 4 });
    expect(s.apply(msg({ families: [gauge('a', [{ x: '1', y: '2' }, 1])] }), meta())).toMatchObject({
      reason: 'limit_labels',
    });
    expect(s.apply(msg({ families: [gauge('a', [{ waytoolong: '1' }, 1])] }), meta())).toMatchObject({
      reason: 'limit_label_length',
    });
    const r = s.apply(msg({ families: [gauge('a', [{ x: '12345' }, 1])] }), meta());
    expect(r).toEqual({
      ok: false,
      reason: 'limit_label_length',
      detail: 'series a: value of label x is 5 characters, the limit is 4',
    });
    expect(s.apply(msg({ instance: 'long-instance', families: [] }), meta())).toMatchObject({
      reason: 'limit_label_length',
    });
  });

  it('counts every rejection and limit hit in the self-metrics', async () => {
    const metrics = createExposerMetrics({ defaultMetrics: false });
    const s = new Store({ ...DEFAULT_STORE_OPTIONS, maxSeriesPerSource: 1 }, metrics);
    s.apply(msg({ families: [three] }), meta());
    s.apply(msg({ families: [gauge('a', [{}, 1])] }), meta(T0 + 2000, { recordTimestampMs: T0 }));
    const text = await metrics.registry.metrics();
    expect(text).toContain('exposer_records_rejected_total{reason="limit_source_series"} 1');
    expect(text).toContain('exposer_limit_hits_total{limit="source_series"} 1');
    expect(text).toContain('exposer_messages_total{result="applied"} 1');
    expect(text).toContain('exposer_messages_total{result="rejected"} 1');
    expect(text).toContain('exposer_series 1');
    expect(text).toContain(`exposer_source_last_push_timestamp_seconds{job="j",instance="i"} ${T0 / 1000}`);
    expect(text).toContain('exposer_propagation_delay_seconds_bucket{le="2.5"} 1');
    expect(text).toContain('exposer_propagation_delay_seconds_bucket{le="1"} 0');
  });
});

describe('Store: TTL and partitions', () => {
  it('expires a source not pushed within the TTL, measured from its record timestamp', () => {
    const s = store({ sourceTtlMs: 60_000 });
    s.apply(msg({ families: [gauge('a', [{}, 1])] }), meta(T0, { recordTimestampMs: T0 - 30_000 }));
    s.apply(msg({ instance: 'k', families: [gauge('a', [{}, 1])] }), meta(T0));
    expect(s.sources(T0 + 20_000).map((x) => [x.key, x.ageMs, x.expiresInMs])).toEqual([
      ['j/i', 50_000, 10_000],
      ['j/k', 20_000, 40_000],
    ]);
    expect(s.expire(T0 + 30_001)).toBe(1);
    expect(scrape(s, T0 + 30_001)).toBe('# TYPE a gauge\na{instance="k",job="j"} 1\n');
    // A scrape expires by itself.
    expect(scrape(s, T0 + 60_001)).toBe('');
  });

  it('never expires without a TTL', () => {
    const s = store();
    s.apply(msg({ families: [gauge('a', [{}, 1])] }), meta());
    expect(s.expire(T0 + 365 * 86_400_000)).toBe(0);
    expect(s.sources(T0)[0]!.expiresInMs).toBeUndefined();
  });

  it('drops the sources of a revoked partition', () => {
    const s = store();
    s.apply(msg({ families: [gauge('a', [{}, 1])] }), meta(T0, { partition: 1 }));
    s.apply(msg({ instance: 'k', families: [gauge('a', [{}, 1])] }), meta(T0, { partition: 2 }));
    expect(s.dropPartition(1)).toBe(1);
    expect(s.dropPartition(1)).toBe(0);
    expect(s.sources(T0).map((x) => x.key)).toEqual(['j/k']);
    expect(s.seriesCount()).toBe(1);
  });

  it('drops only the revoked partition of its own topic: partition numbers repeat across topics', () => {
    const s = store();
    s.apply(msg({ families: [gauge('a', [{}, 1])] }), meta(T0, { topic: 'metrics-a', partition: 0 }));
    s.apply(
      msg({ instance: 'k', families: [gauge('a', [{}, 1])] }),
      meta(T0, { topic: 'metrics-b', partition: 0 }),
    );
    expect(s.dropPartition(0, 'metrics-a')).toBe(1);
    expect(s.sources(T0).map((x) => x.key)).toEqual(['j/k']);
    expect(s.dropPartition(0, 'metrics-b')).toBe(1);
    expect(s.seriesCount()).toBe(0);
  });
});

describe('Store: timestamp modes', () => {
  const push = (
    s: Store,
    value: number,
    options: { sampleTs?: number; messageTs?: number; recordTs?: number } = {},
  ) =>
    s.apply(
      msg({
        ...(options.messageTs === undefined ? {} : { timestampMs: options.messageTs }),
        families: [gauge('a', [{}, value, options.sampleTs])],
      }),
      meta(T0 + 5000, { recordTimestampMs: options.recordTs ?? T0 }),
    );

  it('none: the last value without timestamps, even when the producer sent some', () => {
    const s = store({ timestamps: 'none' });
    push(s, 1, { sampleTs: T0 - 1000 });
    push(s, 2, { sampleTs: T0 - 500 });
    expect(scrape(s)).toBe('# TYPE a gauge\na{instance="i",job="j"} 2\n');
  });

  it('source: sample timestamp, else message timestamp, else record timestamp', () => {
    const s = store({ timestamps: 'source' });
    push(s, 1, { sampleTs: T0 - 1000, messageTs: T0 - 2000 });
    expect(scrape(s)).toBe(`# TYPE a gauge\na{instance="i",job="j"} 1 ${T0 - 1000}\n`);
    push(s, 2, { messageTs: T0 - 2000 });
    expect(scrape(s)).toBe(`# TYPE a gauge\na{instance="i",job="j"} 2 ${T0 - 2000}\n`);
    push(s, 3, { recordTs: T0 - 3000 });
    expect(scrape(s)).toBe(`# TYPE a gauge\na{instance="i",job="j"} 3 ${T0 - 3000}\n`);
    expect(scrape(s, T0, 'openmetrics')).toBe(
      `# TYPE a gauge\na{instance="i",job="j"} 3 ${(T0 - 3000) / 1000}\n# EOF\n`,
    );
  });

  it('source: a record timestamp ahead of the clock is served as the time the record was applied', () => {
    const s = store({ timestamps: 'source' });
    push(s, 1, { recordTs: T0 + 3_600_000 });
    expect(scrape(s)).toBe(`# TYPE a gauge\na{instance="i",job="j"} 1 ${T0 + 5000}\n`);
  });

  it('drain: every sample since the previous scrape, each with its timestamp; a scrape takes them once', () => {
    const s = store({ timestamps: 'drain' });
    push(s, 1, { sampleTs: T0 + 1 });
    push(s, 2, { sampleTs: T0 + 2 });
    push(s, 3, { recordTs: T0 + 3 });
    expect(scrape(s)).toBe(
      `# TYPE a gauge\na{instance="i",job="j"} 1 ${T0 + 1}\na{instance="i",job="j"} 2 ${T0 + 2}\na{instance="i",job="j"} 3 ${T0 + 3}\n`,
    );
    // Nothing new: the next scrape has nothing for that series (and no metadata for the empty family).
    expect(scrape(s)).toBe('');
    push(s, 4, { sampleTs: T0 + 4 });
    expect(scrape(s)).toBe(`# TYPE a gauge\na{instance="i",job="j"} 4 ${T0 + 4}\n`);
  });

  it('drain: two scrapes in flight each get a consistent part; a sample is never served twice', () => {
    const s = store({ timestamps: 'drain' });
    push(s, 1, { sampleTs: T0 + 1 });
    const first = renderMetrics(s, 'text', T0); // drained now, streamed later
    push(s, 2, { sampleTs: T0 + 2 });
    const second = renderMetrics(s, 'text', T0);
    expect([...second].join('')).toBe(`# TYPE a gauge\na{instance="i",job="j"} 2 ${T0 + 2}\n`);
    expect([...first].join('')).toBe(`# TYPE a gauge\na{instance="i",job="j"} 1 ${T0 + 1}\n`);
  });

  it('drain: a look without taking shows the pending samples and leaves them for the next scrape', () => {
    const s = store({ timestamps: 'drain' });
    push(s, 1, { sampleTs: T0 + 1 });
    const line = `a{instance="i",job="j"} 1 ${T0 + 1}`;
    expect([...renderMetrics(s, 'text', T0, { drain: false })].join('')).toBe(`# TYPE a gauge\n${line}\n`);
    expect(scrape(s)).toBe(`# TYPE a gauge\n${line}\n`);
    expect(scrape(s)).toBe('');
  });

  it('drain: bounds the pending samples per series, dropping the oldest and counting them', async () => {
    const metrics = createExposerMetrics({ defaultMetrics: false });
    const s = new Store(
      { ...DEFAULT_STORE_OPTIONS, timestamps: 'drain', maxPendingSamplesPerSeries: 2 },
      metrics,
    );
    for (let i = 1; i <= 4; i++) push(s, i, { sampleTs: T0 + i });
    expect(scrape(s)).toBe(
      `# TYPE a gauge\na{instance="i",job="j"} 3 ${T0 + 3}\na{instance="i",job="j"} 4 ${T0 + 4}\n`,
    );
    expect(await metrics.registry.metrics()).toContain('exposer_drain_dropped_samples_total 2');
  });

  it('drain: a refused message leaves no pending sample behind', () => {
    const s = store({ timestamps: 'drain' });
    push(s, 1, { sampleTs: T0 + 1 });
    const dup: PushFamily = {
      name: 'a',
      type: 'gauge',
      samples: [
        { name: 'a', labels: [], value: 9 },
        { name: 'a', labels: [], value: 9 },
      ],
    };
    expect(s.apply(msg({ families: [dup] }), meta()).ok).toBe(false);
    expect(scrape(s)).toBe(`# TYPE a gauge\na{instance="i",job="j"} 1 ${T0 + 1}\n`);
  });
});

describe('Store: snapshots', () => {
  it('a snapshot taken before a change renders the state of its instant', () => {
    const s = store();
    s.apply(msg({ families: [gauge('a', [{}, 1])] }), meta());
    const before = renderMetrics(s, 'text', T0);
    s.apply(msg({ families: [gauge('a', [{}, 2])] }), meta());
    s.apply(msg({ instance: 'k', families: [gauge('b', [{}, 3])] }), meta());
    expect([...before].join('')).toBe('# TYPE a gauge\na{instance="i",job="j"} 1\n');
  });

  it('streams a large store in chunks that join to the whole', () => {
    const s = store();
    const samples = Array.from({ length: 5000 }, (_, i) => ({
      name: 'big',
      labels: [['n', String(i)]] as const,
      value: i,
    }));
    s.apply(msg({ families: [{ name: 'big', type: 'gauge', samples }] }), meta());
    const chunks = [...renderMetrics(s, 'text', T0)];
    expect(chunks.length).toBeGreaterThan(1);
    const lines = chunks.join('').split('\n');
    expect(lines).toHaveLength(5002);
    expect(lines[4001]).toBe('big{instance="i",job="j",n="4000"} 4000');
  });
});

describe('Store: a push compared with the series already held', () => {
  /** A family whose samples may carry their own names (histograms) and labels in a given order. */
  function family(name: string, samples: [string, [string, string][], number][]): PushFamily {
    return {
      name,
      type: 'untyped',
      samples: samples.map(([sampleName, labels, value]) => ({ name: sampleName, labels, value })),
    };
  }

  it('the same series again: only the values change', () => {
    const s = store();
    const f = (v: number) =>
      family('a', [
        ['a', [['x', '1']], v],
        ['a', [['x', '2']], v + 1],
      ]);
    s.apply(msg({ families: [f(1)] }), meta());
    s.apply(msg({ families: [f(10)] }), meta());
    expect(scrape(s)).toBe(
      '# TYPE a untyped\na{instance="i",job="j",x="1"} 10\na{instance="i",job="j",x="2"} 11\n',
    );
  });

  it('a changed label value, label name or sample name in an otherwise equal push is rendered as pushed', () => {
    const s = store();
    s.apply(
      msg({
        families: [
          family('h', [
            ['h_sum', [['x', '1']], 1],
            ['h_count', [['x', '1']], 2],
          ]),
        ],
      }),
      meta(),
    );
    s.apply(
      msg({
        families: [
          family('h', [
            ['h_sum', [['x', '9']], 3],
            ['h_count', [['y', '1']], 4],
          ]),
        ],
      }),
      meta(),
    );
    expect(scrape(s)).toBe(
      '# TYPE h untyped\nh_sum{instance="i",job="j",x="9"} 3\nh_count{instance="i",job="j",y="1"} 4\n',
    );
    s.apply(
      msg({
        families: [
          family('h', [
            ['h_sum', [['x', '9']], 5],
            ['h_bucket', [['y', '1']], 6],
          ]),
        ],
      }),
      meta(),
    );
    expect(scrape(s)).toBe(
      '# TYPE h untyped\nh_sum{instance="i",job="j",x="9"} 5\nh_bucket{instance="i",job="j",y="1"} 6\n',
    );
  });

  it('labels in another order or an extra label are new series shapes, rendered sorted', () => {
    const s = store();
    s.apply(
      msg({
        families: [
          family('a', [
            [
              'a',
              [
                ['y', '2'],
                ['x', '1'],
              ],
              1,
            ],
          ]),
        ],
      }),
      meta(),
    );
    s.apply(
      msg({
        families: [
          family('a', [
            [
              'a',
              [
                ['x', '1'],
                ['y', '2'],
              ],
              2,
            ],
          ]),
        ],
      }),
      meta(),
    );
    expect(scrape(s)).toBe('# TYPE a untyped\na{instance="i",job="j",x="1",y="2"} 2\n');
    s.apply(
      msg({
        families: [
          family('a', [
            [
              'a',
              [
                ['x', '1'],
                ['y', '2'],
                ['z', '3'],
              ],
              3,
            ],
          ]),
        ],
      }),
      meta(),
    );
    expect(scrape(s)).toBe('# TYPE a untyped\na{instance="i",job="j",x="1",y="2",z="3"} 3\n');
  });

  it('tells apart values that differ only past a NUL, in length, or in the last of many series', () => {
    const s = store();
    // 300 series with 300 distinct values: indices past 127 take more than one character in the shape.
    const many = (last: string, v: number) =>
      family(
        'm',
        Array.from({ length: 300 }, (_, i): [string, [string, string][], number] => [
          'm',
          [['k', i === 299 ? last : `v${i}`.repeat(i % 7 === 0 ? 40 : 1)]],
          v,
        ]),
      );
    s.apply(msg({ families: [many('a\u0000b', 1)] }), meta());
    s.apply(msg({ families: [many('a\u0000c', 2)] }), meta());
    const lines = scrape(s).split('\n');
    expect(lines[300]).toBe('m{instance="i",job="j",k="a\u0000c"} 2');
    expect(lines[141]).toBe(`m{instance="i",job="j",k="${'v140'.repeat(40)}"} 2`);
    s.apply(msg({ families: [many('a\u0000cc', 3)] }), meta());
    expect(scrape(s).split('\n')[300]).toBe('m{instance="i",job="j",k="a\u0000cc"} 3');
  });

  it('a sample label named like a group label yields to the group label, push after push', () => {
    const s = store();
    const f = (job: string, v: number) =>
      family('a', [
        [
          'a',
          [
            ['job', job],
            ['x', '1'],
          ],
          v,
        ],
      ]);
    s.apply(msg({ families: [f('mine', 1)] }), meta());
    s.apply(msg({ families: [f('other', 2)] }), meta());
    expect(scrape(s)).toBe('# TYPE a untyped\na{instance="i",job="j",x="1"} 2\n');
  });

  it('refuses a duplicate that only appears in a later push, and keeps the earlier state', () => {
    const s = store();
    s.apply(
      msg({
        families: [
          family('a', [
            ['a', [['x', '1']], 1],
            ['a', [['x', '2']], 2],
          ]),
        ],
      }),
      meta(),
    );
    const r = s.apply(
      msg({
        families: [
          family('a', [
            ['a', [['x', '1']], 3],
            ['a', [['x', '1']], 4],
          ]),
        ],
      }),
      meta(),
    );
    expect(r).toMatchObject({ ok: false, reason: 'duplicate_series' });
    expect(scrape(s)).toBe(
      '# TYPE a untyped\na{instance="i",job="j",x="1"} 1\na{instance="i",job="j",x="2"} 2\n',
    );
  });

  it('merge after new group labels: a relabelled family takes the same-series path on its next push', () => {
    const s = store();
    s.apply(msg({ families: [family('a', [['a', [['x', '1']], 1]]), family('b', [['b', [], 2]])] }), meta());
    s.apply(msg({ op: 'merge', labels: [['zone', 'z']], families: [family('b', [['b', [], 3]])] }), meta());
    s.apply(
      msg({ op: 'merge', labels: [['zone', 'z']], families: [family('a', [['a', [['x', '1']], 4]])] }),
      meta(),
    );
    expect(scrape(s)).toBe(
      '# TYPE a untyped\na{instance="i",job="j",x="1",zone="z"} 4\n# TYPE b untyped\nb{instance="i",job="j",zone="z"} 3\n',
    );
  });

  it('drain: pending samples follow their series when the series are reordered or joined by others', () => {
    const s = store({ timestamps: 'drain' });
    const at = (ts: number) => meta(T0 + 10, { recordTimestampMs: ts });
    s.apply(
      msg({
        families: [
          family('a', [
            ['a', [['x', '1']], 1],
            ['a', [['x', '2']], 2],
          ]),
        ],
      }),
      at(T0 + 1),
    );
    s.apply(
      msg({
        families: [
          family('a', [
            ['a', [['x', '3']], 30],
            ['a', [['x', '2']], 20],
            ['a', [['x', '1']], 10],
          ]),
        ],
      }),
      at(T0 + 2),
    );
    expect(scrape(s)).toBe(
      [
        '# TYPE a untyped',
        `a{instance="i",job="j",x="3"} 30 ${T0 + 2}`,
        `a{instance="i",job="j",x="2"} 2 ${T0 + 1}`,
        `a{instance="i",job="j",x="2"} 20 ${T0 + 2}`,
        `a{instance="i",job="j",x="1"} 1 ${T0 + 1}`,
        `a{instance="i",job="j",x="1"} 10 ${T0 + 2}`,
        '',
      ].join('\n'),
    );
  });

  it('a scrape in flight keeps the values of its instant while the same series are pushed again', () => {
    const s = store();
    const samples = Array.from({ length: 3000 }, (_, i): [string, [string, string][], number] => [
      'big',
      [['n', String(i)]],
      1,
    ]);
    s.apply(msg({ families: [family('big', samples)] }), meta());
    const chunks = renderMetrics(s, 'text', T0)[Symbol.iterator]();
    const first = chunks.next();
    s.apply(
      msg({
        families: [
          family(
            'big',
            samples.map(([n, l]) => [n, l, 2]),
          ),
        ],
      }),
      meta(),
    );
    let rest = '';
    for (let c = chunks.next(); c.done !== true; c = chunks.next()) rest += c.value;
    const body = `${first.value as string}${rest}`;
    expect(body).toContain('big{instance="i",job="j",n="2999"} 1\n');
    expect(body).not.toMatch(/ 2\n/);
    expect(scrape(s)).toContain('big{instance="i",job="j",n="2999"} 2\n');
  });
});
