/**
 * The exposer against the real broker: records produced by kafkajs and by kcat appear at /metrics, a malformed
 * record between good ones is counted and the good ones applied, a restarted exposer rebuilds its state from
 * Kafka (replay), commits the offsets of what it applied, and two exposers in one group split the partitions and
 * the survivor takes them all.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { requireBinary } from '../deploy/binaries.js';
import { brokers, createTopic, kafka, uniqueTopic } from '../test/kafka.js';
import { serve, type RunningExposer } from './serve.js';

const running: RunningExposer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.stop()));
});

async function startExposer(
  topic: string,
  group: string,
  extra: Record<string, unknown> = {},
): Promise<RunningExposer> {
  const exposer = await serve(
    {
      flags: {
        brokers: brokers().split(','),
        topics: [topic],
        group,
        listen: '127.0.0.1:0',
        partitions: 4,
        ...extra,
      },
      env: {},
    },
    { logger: pino({ level: 'silent' }) },
  );
  running.push(exposer);
  return exposer;
}

async function waitReady(exposer: RunningExposer, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(`${exposer.url}/-/ready`);
    if (response.status === 200) return;
    if (Date.now() > until) throw new Error(`not ready after ${timeoutMs} ms: ${await response.text()}`);
    await sleep(200);
  }
}

async function metricsText(exposer: RunningExposer): Promise<string> {
  const response = await fetch(`${exposer.url}/metrics`);
  expect(response.status).toBe(200);
  return response.text();
}

async function waitForLine(exposer: RunningExposer, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const text = await metricsText(exposer);
    if (pattern.test(text)) return text;
    if (Date.now() > until) throw new Error(`no line matching ${pattern} within ${timeoutMs} ms`);
    await sleep(200);
  }
}

function message(job: string, instance: string, value: number): string {
  return JSON.stringify({
    job,
    instance,
    metrics: [
      { name: 'orders_total', type: 'counter', help: 'Orders.', samples: [{ labels: { shop: 'a' }, value }] },
    ],
  });
}

async function produce(topic: string, records: { key: string; value: string }[]): Promise<void> {
  const producer = kafka().producer();
  await producer.connect();
  await producer.send({ topic, messages: records });
  await producer.disconnect();
}

/**
 * Produces sources svc/i0..i29 (value i) to a new 3-partition topic, runs an exposer of a new group until it
 * serves the last one, and stops it cleanly.
 */
async function consumeThirtySourcesAndStop(name: string): Promise<{ topic: string; group: string }> {
  const topic = uniqueTopic(name);
  await createTopic(topic, 3);
  await produce(
    topic,
    Array.from({ length: 30 }, (_, i) => ({ key: `svc/i${i}`, value: message('svc', `i${i}`, i) })),
  );
  const group = uniqueTopic('g');
  const exposer = await startExposer(topic, group);
  await waitReady(exposer);
  await waitForLine(exposer, /instance="i29"/);
  await exposer.stop();
  running.splice(running.indexOf(exposer), 1);
  return { topic, group };
}

describe('exposer on the real broker', () => {
  it('serves what kafkajs and kcat produce, counts a malformed record and applies the good ones around it', async () => {
    const topic = uniqueTopic('exposer');
    await createTopic(topic, 2);
    const exposer = await startExposer(topic, uniqueTopic('g'));
    await waitReady(exposer);

    await produce(topic, [
      { key: 'shop/a:1', value: message('shop', 'a:1', 5) },
      { key: 'shop/b:1', value: '{"job": "shop", "instance": ' },
      { key: 'shop/c:1', value: message('shop', 'c:1', 7) },
    ]);
    const kcat = requireBinary('kcat');
    // kcat sends a file named as an argument as one record (stdin would be one record per line).
    const body = join(mkdtempSync(join(tmpdir(), 'exposer-kcat-')), 'body.txt');
    writeFileSync(body, '# TYPE queue_depth gauge\nqueue_depth{queue="q1"} 12\n');
    const headers = ['content-type=text/plain; version=0.0.4', 'job=batch', 'instance=nightly'].flatMap(
      (h) => ['-H', h],
    );
    const produced = spawnSync(
      kcat,
      ['-b', brokers(), '-P', '-t', topic, '-k', 'batch/nightly', ...headers, body],
      {
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    expect(produced.status, produced.stderr).toBe(0);

    const text = await waitForLine(exposer, /queue_depth\{[^}]*\} 12/);
    await waitForLine(exposer, /orders_total\{[^}]*instance="c:1"[^}]*\} 7/);
    expect(text).toMatch(
      /orders_total\{(?=[^}]*job="shop")(?=[^}]*instance="a:1")(?=[^}]*shop="a")[^}]*\} 5/,
    );
    expect(text).toMatch(/queue_depth\{(?=[^}]*job="batch")(?=[^}]*instance="nightly")[^}]*\} 12/);
    expect(text).not.toMatch(/instance="b:1"/);
    const after = await metricsText(exposer);
    expect(after).toMatch(/exposer_records_rejected_total\{reason="invalid_json"\} 1\b/);

    const sources: unknown = await (await fetch(`${exposer.url}/api/v1/sources`)).json();
    expect(JSON.stringify(sources)).toContain('nightly');
  });

  it('refuses a sample timestamp more than max-future-skew ahead, and takes it with the check off (0)', async () => {
    const topic = uniqueTopic('skew');
    await createTopic(topic, 1);
    const strict = await startExposer(topic, uniqueTopic('g'), { maxFutureSkew: '5m' });
    const lax = await startExposer(topic, uniqueTopic('g'), { maxFutureSkew: '0', timestamps: 'source' });
    await Promise.all([waitReady(strict), waitReady(lax)]);
    const ahead = Date.now() + 3_600_000;
    await produce(topic, [
      {
        key: 'clock/ahead:1',
        value: JSON.stringify({
          job: 'clock',
          instance: 'ahead:1',
          metrics: [{ name: 'skewed', type: 'gauge', samples: [{ value: 1, timestamp_ms: ahead }] }],
        }),
      },
      { key: 'shop/on-time:1', value: message('shop', 'on-time:1', 3) },
    ]);
    await waitForLine(lax, new RegExp(`skewed\\{[^}]*\\} 1 ${ahead}`));
    const text = await waitForLine(strict, /orders_total\{[^}]*instance="on-time:1"[^}]*\} 3/);
    expect(text).not.toMatch(/^skewed/m);
    expect(text).toMatch(/exposer_records_rejected_total\{reason="invalid_timestamp"\} 1\b/);
  });

  it('rebuilds its state from Kafka after a restart (replay window) and is ready only after catching up', async () => {
    const { topic, group } = await consumeThirtySourcesAndStop('replay');

    // Offsets are committed; a new exposer in the same group still serves every source at once, because it
    // replays the window instead of starting at the committed offset.
    const second = await startExposer(topic, group);
    await waitReady(second);
    const text = await metricsText(second);
    for (let i = 0; i < 30; i++) expect(text).toMatch(new RegExp(`instance="i${i}"[^}]*\\} ${i}\\b`));
  });

  it('commits the offsets of what it applied: after a clean stop the group stands at the end of every partition', async () => {
    const { topic, group } = await consumeThirtySourcesAndStop('commit');

    const admin = kafka().admin();
    await admin.connect();
    try {
      const ends = await admin.fetchTopicOffsets(topic);
      const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
      const byPartition = new Map(committed?.partitions.map((p) => [p.partition, p.offset]));
      expect(ends.map((e) => e.partition).sort()).toEqual([0, 1, 2]);
      for (const end of ends) expect(byPartition.get(end.partition)).toBe(end.high);
      // At least the 30 records sent: kafkajs's producer (not idempotent) writes a partition's batch again when it
      // retries a request that timed out under load (a CI run had 37), and the group must stand past those too.
      expect(ends.reduce((n, e) => n + Number(e.high), 0)).toBeGreaterThanOrEqual(30);
    } finally {
      await admin.disconnect();
    }
  });

  it('splits the partitions between two exposers in one group; the survivor takes every source', async () => {
    const topic = uniqueTopic('split');
    await createTopic(topic, 4);
    const records = Array.from({ length: 40 }, (_, i) => ({
      key: `svc/i${i}`,
      value: message('svc', `i${i}`, i),
    }));
    await produce(topic, records);
    const group = uniqueTopic('g');
    const a = await startExposer(topic, group);
    await waitReady(a);
    const b = await startExposer(topic, group);
    // After the rebalance both hold a part, and together all 40.
    const until = Date.now() + 60_000;
    let countA: number;
    let countB: number;
    for (;;) {
      countA = a.store.sourceCount();
      countB = b.store.sourceCount();
      if (countA > 0 && countB > 0 && countA + countB === 40) break;
      if (Date.now() > until) throw new Error(`no split: a=${countA} b=${countB}`);
      await sleep(250);
    }
    expect(countA + countB).toBe(40);

    await a.stop();
    running.splice(running.indexOf(a), 1);
    const deadline = Date.now() + 60_000;
    while (b.store.sourceCount() < 40) {
      if (Date.now() > deadline) throw new Error(`survivor holds ${b.store.sourceCount()} of 40 sources`);
      await sleep(250);
    }
    await waitReady(b);
    expect(b.store.sourceCount()).toBe(40);
  });
});
