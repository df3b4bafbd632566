/** The load generator and the demo app against the real broker: what they report is what the topic holds. */
import { describe, expect, it } from 'vitest';
import { parseText } from '../exposition/index.js';
import { createTopic, brokers, kafka, uniqueTopic } from '../test/kafka.js';
import { decodeRecord } from './decode.js';
import { startDemoApp } from './demo-app.js';
import { MAX_BEHIND_MS, runLoadgen } from './loadgen.js';

async function readAll(
  topic: string,
  count: number,
): Promise<{ key: string; value: Buffer; headers: Record<string, string> }[]> {
  const consumer = kafka().consumer({ groupId: uniqueTopic('read') });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const out: { key: string; value: Buffer; headers: Record<string, string> }[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`read ${out.length} of ${count} records`)), 30_000);
    void consumer.run({
      eachMessage: ({ message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
        out.push({ key: message.key?.toString() ?? '', value: message.value ?? Buffer.alloc(0), headers });
        if (out.length >= count) {
          clearTimeout(timer);
          resolve();
        }
        return Promise.resolve();
      },
    });
  });
  await consumer.disconnect();
  return out;
}

describe('exposer loadgen', () => {
  it('produces a bounded number of records at the asked rate, each one a message the exposer accepts', async () => {
    const topic = uniqueTopic('loadgen');
    await createTopic(topic, 2);
    const summary = await runLoadgen({
      brokers: brokers().split(','),
      topic,
      sources: 5,
      series: 24,
      rate: 40,
      durationMs: 1500,
      format: 'json',
      job: 'lg',
      timestamps: true,
      batch: 10,
    });
    expect(summary.producerErrors).toBe(0);
    expect(summary.records).toBe(summary.attempted);
    // Bounded by rate x duration (plus the batch in flight when time ran out).
    expect(summary.records).toBeGreaterThan(10);
    expect(summary.records).toBeLessThanOrEqual(40 * 1.5 + 10);
    expect(summary.samples).toBe(summary.records * 24);
    // What it reports about keeping up is consistent with what it sent.
    expect(summary.targetRate).toBe(40);
    expect(summary.keptUp).toBe(summary.recordsPerSecond >= 0.95 * 40);
    expect(summary.shortfall === undefined).toBe(summary.keptUp);
    expect(summary.requests).toBeGreaterThan(0);
    expect(summary.requests).toBeLessThanOrEqual(summary.attempted);
    expect(summary.ackMs.p50).toBeGreaterThanOrEqual(0);
    expect(summary.ackMs.p99).toBeGreaterThanOrEqual(summary.ackMs.p50);
    expect(summary.ackMs.max).toBeGreaterThanOrEqual(summary.ackMs.p99);
    const records = await readAll(topic, summary.records);
    expect(records).toHaveLength(summary.records);
    const keys = new Set(records.map((r) => r.key));
    expect([...keys].sort()).toEqual([
      'lg/app-0:8080',
      'lg/app-1:8080',
      'lg/app-2:8080',
      'lg/app-3:8080',
      'lg/app-4:8080',
    ]);
    for (const [i, r] of records.entries()) {
      const decoded = decodeRecord({
        key: Buffer.from(r.key),
        value: r.value,
        headers: {},
        timestampMs: Date.now(),
        partition: 0,
        offset: String(i),
      });
      expect(decoded.ok).toBe(true);
    }
  });

  it('produces text bodies with the content-type, job and instance headers', async () => {
    const topic = uniqueTopic('loadgen-text');
    await createTopic(topic, 1);
    const summary = await runLoadgen({
      brokers: brokers().split(','),
      topic,
      sources: 2,
      series: 12,
      rate: 10,
      durationMs: 500,
      format: 'text',
      job: 'lg',
      timestamps: false,
      batch: 5,
    });
    expect(summary.records).toBeGreaterThan(0);
    // Every record, not the first: under load the generator skips records that fall behind its schedule, so
    // which source comes first is not fixed.
    const read = await readAll(topic, summary.records);
    for (const record of read) {
      expect(record.headers).toMatchObject({ 'content-type': 'text/plain; version=0.0.4', job: 'lg' });
      expect(['app-0:8080', 'app-1:8080']).toContain(record.headers.instance);
      expect(record.key).toBe(`lg/${record.headers.instance}`);
      expect(parseText(record.value.toString(), { format: 'text' }).summary.errors).toBe(0);
    }
  });

  it('says so when it cannot keep up, and skips what falls behind instead of bursting without bound', async () => {
    const topic = uniqueTopic('loadgen-behind');
    await createTopic(topic, 1);
    const rate = 1_000_000;
    const summary = await runLoadgen({
      brokers: brokers().split(','),
      topic,
      sources: 3,
      series: 12,
      rate,
      durationMs: 1500,
      format: 'text',
      job: 'lg',
      timestamps: false,
      batch: 100,
    });
    expect(summary.producerErrors).toBe(0);
    expect(summary.keptUp).toBe(false);
    expect(summary.skipped).toBeGreaterThan(0);
    // Nothing beyond the schedule, and never more than MAX_BEHIND_MS of records waiting to be sent.
    expect(summary.attempted + summary.skipped).toBeLessThanOrEqual(1.5 * rate);
    expect(summary.maxBehindMs).toBeLessThanOrEqual(MAX_BEHIND_MS);
    expect(summary.shortfall).toMatch(
      /^reached \d+ of 1000000 records\/s: \d+ records fell over 1000 ms behind/,
    );
    expect(await readAll(topic, summary.records)).toHaveLength(summary.records);
  });

  it('refuses a rate or duration that is not positive', async () => {
    await expect(
      runLoadgen({
        brokers: brokers().split(','),
        topic: 'x',
        sources: 1,
        series: 1,
        rate: 0,
        durationMs: 1000,
        format: 'json',
        job: 'j',
        timestamps: false,
        batch: 1,
      }),
    ).rejects.toThrow(/--rate > 0/);
  });
});

describe('exposer demo-app', () => {
  it('serves its metrics for direct scraping and pushes the same series to Kafka', async () => {
    const topic = uniqueTopic('demo');
    await createTopic(topic, 1);
    const app = await startDemoApp({
      port: 0,
      host: '127.0.0.1',
      job: 'demo',
      series: 24,
      brokers: brokers().split(','),
      topic,
      pushIntervalMs: 300,
      timestamps: false,
    });
    try {
      const response = await fetch(`${app.url}/metrics`);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const direct = parseText(await response.text(), { format: 'text' });
      expect(direct.summary.errors).toBe(0);
      expect(direct.summary.samples).toBe(24);
      expect((await fetch(`${app.url}/other`)).status).toBe(404);
      expect((await fetch(`${app.url}/metrics`, { method: 'POST' })).status).toBe(405);
      const [pushed] = await readAll(topic, 1);
      expect(pushed?.key).toBe(`demo/${app.instance}`);
      const message = JSON.parse(pushed!.value.toString()) as {
        job: string;
        instance: string;
        metrics: { samples: unknown[] }[];
      };
      expect(message.job).toBe('demo');
      expect(message.instance).toBe(app.instance);
      expect(message.metrics.reduce((n, f) => n + f.samples.length, 0)).toBe(24);
    } finally {
      await app.stop();
    }
    await expect(fetch(`${app.url}/metrics`)).rejects.toThrow();
  });
});
