/**
 * End to end: the real Prometheus scrapes the exposer that consumes the real broker. One `up` for every app,
 * pushed series with their job/instance, and — in the timestamp modes — the samples Prometheus itself refuses.
 */
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startPrometheus, type PrometheusHandle } from '../deploy/prometheus/server.js';
import { freePort } from '../test/ports.js';
import { brokers, createTopic, kafka, uniqueTopic } from '../test/kafka.js';
import { serve, type RunningExposer } from './serve.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function stack(timestamps: 'none' | 'source' | 'drain'): Promise<{
  topic: string;
  exposer: RunningExposer;
  prometheus: PrometheusHandle;
}> {
  const topic = uniqueTopic(`e2e-${timestamps}`);
  await createTopic(topic, 1);
  const exposer = await serve(
    {
      flags: {
        brokers: brokers().split(','),
        topics: [topic],
        group: uniqueTopic('g'),
        listen: '127.0.0.1:0',
        timestamps,
      },
      env: {},
    },
    { logger: pino({ level: 'silent' }) },
  );
  cleanups.push(() => exposer.stop());
  const port = await freePort();
  const prometheus = await startPrometheus({
    port,
    scrapeConfigs: [
      {
        job_name: 'exposer',
        honor_labels: true,
        static_configs: [{ targets: [exposer.url.replace(/^https?:\/\//, '')] }],
      },
      { job_name: 'prometheus', static_configs: [{ targets: [`127.0.0.1:${port}`] }] },
    ],
  });
  cleanups.push(() => prometheus.stop());
  return { topic, exposer, prometheus };
}

async function produce(topic: string, values: object[]): Promise<void> {
  const producer = kafka().producer();
  await producer.connect();
  for (const value of values) {
    // One send per record keeps their order and gives each its own record timestamp.
    await producer.send({ topic, messages: [{ key: 'shop/a:1', value: JSON.stringify(value) }] });
  }
  await producer.disconnect();
}

const counterMessage = (instance: string, value: number, timestampMs?: number): object => ({
  job: 'shop',
  instance,
  ...(timestampMs === undefined ? {} : { timestamp_ms: timestampMs }),
  metrics: [{ name: 'orders_total', type: 'counter', samples: [{ labels: { shop: 'a' }, value }] }],
});

describe('Prometheus scraping the exposer', () => {
  it('sees one up for the exposer, none per app, and every pushed series with its own job and instance', async () => {
    const { topic, prometheus } = await stack('none');
    await produce(topic, [counterMessage('a:1', 3), counterMessage('b:1', 4)]);
    const series = await prometheus.waitFor('orders_total', (r) => r.length === 2, 60_000);
    expect(series.map((s) => `${s.metric['job']} ${s.metric['instance']} ${s.value}`).sort()).toEqual([
      'shop a:1 3',
      'shop b:1 4',
    ]);
    const up = await prometheus.waitFor('up', (r) => r.length >= 2, 30_000);
    // Two apps, but only the exposer (and Prometheus itself) have an `up`: a dead app cannot be told apart.
    expect(up.map((s) => s.metric['job']).sort()).toEqual(['exposer', 'prometheus']);
    expect(await prometheus.query('up{job="shop"}')).toEqual([]);
    expect(await prometheus.query('scrape_samples_scraped{instance=~"a:1|b:1"}')).toEqual([]);
  });

  it('source mode: a record that arrives with an older timestamp is dropped by Prometheus as out of order', async () => {
    const { topic, prometheus } = await stack('source');
    const now = Date.now();
    await produce(topic, [counterMessage('a:1', 10, now)]);
    await prometheus.waitFor('orders_total', (r) => r.length === 1 && r[0]!.value === 10, 60_000);
    // Delivery out of step with production: an older sample reaches the exposer after a newer one.
    await produce(topic, [counterMessage('a:1', 9, now - 30_000)]);
    const dropped = await prometheus.waitFor(
      'prometheus_target_scrapes_sample_out_of_order_total',
      (r) => (r[0]?.value ?? 0) > 0,
      60_000,
    );
    expect(dropped[0]!.value).toBeGreaterThan(0);
    // And the stored value stays the newer one: what the app reported last is not what Prometheus shows.
    expect((await prometheus.query('orders_total'))[0]!.value).toBe(10);
  });

  it('drain mode: a redelivered or late sample reaches Prometheus as a duplicate or out of order, and is dropped', async () => {
    const { topic, prometheus } = await stack('drain');
    await prometheus.waitFor('up{job="exposer"}', (r) => r[0]?.value === 1, 30_000);
    const ts = Date.now();
    await produce(topic, [counterMessage('a:1', 20, ts)]);
    await prometheus.waitFor('orders_total', (r) => r[0]?.value === 20, 60_000);
    // The drained sample left the exposer with that scrape; the next ones come in later scrapes.
    await produce(topic, [counterMessage('a:1', 21, ts), counterMessage('a:1', 19, ts - 10_000)]);
    const duplicates = await prometheus.waitFor(
      'prometheus_target_scrapes_sample_duplicate_timestamp_total',
      (r) => (r[0]?.value ?? 0) > 0,
      60_000,
    );
    expect(duplicates[0]!.value).toBeGreaterThan(0);
    const outOfOrder = await prometheus.waitFor(
      'prometheus_target_scrapes_sample_out_of_order_total',
      (r) => (r[0]?.value ?? 0) > 0,
      60_000,
    );
    expect(outOfOrder[0]!.value).toBeGreaterThan(0);
    // Prometheus kept the first value; the app's later reports were lost on the way.
    expect((await prometheus.query('orders_total'))[0]!.value).toBe(20);
  });
});
