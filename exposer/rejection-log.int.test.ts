/**
 * What the log says about a refused record: where it is in Kafka and who sent it (the record key, and the
 * job/instance of a record that was decoded), so that an operator can find the producer.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { brokers, createTopic, kafka, uniqueTopic } from '../test/kafka.js';
import { serve, type RunningExposer } from './serve.js';

const running: RunningExposer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.stop()));
});

const gauge = (job: string, instance: string, type: string) =>
  JSON.stringify({ job, instance, metrics: [{ name: 'queue_depth', type, samples: [{ value: 1 }] }] });

describe('the log line of a refused record', () => {
  it('names the topic, partition, offset, record key and, once decoded, the source', async () => {
    const topic = uniqueTopic('rejection-log');
    await createTopic(topic, 1);
    const lines: Record<string, unknown>[] = [];
    const exposer = await serve(
      {
        flags: {
          brokers: brokers().split(','),
          topics: [topic],
          group: uniqueTopic('rejection-log-group'),
          listen: '127.0.0.1:0',
        },
        env: {},
      },
      {
        logger: pino(
          { level: 'warn' },
          { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
        ),
      },
    );
    running.push(exposer);
    const producer = kafka().producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: [
        { key: 'shop/cart-1', value: '{"job":' },
        { key: 'shop/cart-2', value: gauge('shop', 'cart-2', 'gauge') },
        // The key names one source, the body another: the log shows both.
        { key: 'shop/cart-3', value: gauge('shop', 'cart-9', 'counter') },
        { key: null, value: '' },
        { key: 'k'.repeat(10_000), value: '{"job":"shop"}' },
      ],
    });
    await producer.disconnect();
    const rejected = (reason: string) => lines.find((l) => l['reason'] === reason);
    for (
      let i = 0;
      i < 300 && (rejected('type_conflict') === undefined || rejected('invalid_json') === undefined);
      i++
    )
      await sleep(100);

    expect(rejected('invalid_json')).toMatchObject({
      msg: 'record rejected: record value is not JSON: Unexpected end of JSON input',
      topic,
      partition: 0,
      offset: '0',
      key: 'shop/cart-1',
    });
    expect(rejected('invalid_json')).not.toHaveProperty('source');
    expect(rejected('type_conflict')).toMatchObject({
      topic,
      partition: 0,
      offset: '2',
      key: 'shop/cart-3',
      source: 'shop/cart-9',
    });
    // A key of any size is cut to 200 characters, with its size.
    expect(rejected('schema')?.['key']).toBe(`${'k'.repeat(200)}... (10000 bytes)`);
  });
});
