import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { requireBinary } from '../deploy/binaries.js';
import { brokers, createTopic, kafka, uniqueTopic } from './kafka.js';

describe('kcat (a client nobody here wrote) against the real broker', () => {
  it('produces records with keys and headers that kafkajs consumes intact', async () => {
    const kcat = requireBinary('kcat');
    const topic = uniqueTopic('kcat');
    await createTopic(topic, 1);
    const lines = ['checkout/checkout-1:8080|{"n":1}', 'billing/billing-2:8080|{"n":2}'];
    const produced = spawnSync(
      kcat,
      [
        '-b',
        brokers(),
        '-P',
        '-t',
        topic,
        '-K',
        '|',
        '-H',
        'content-type=application/json',
        '-H',
        'job=from-kcat',
      ],
      { input: `${lines.join('\n')}\n`, encoding: 'utf8', timeout: 30_000 },
    );
    expect(produced.status, produced.stderr).toBe(0);

    const consumer = kafka().consumer({ groupId: uniqueTopic('kcat-group') });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen: { key: string; value: string; headers: Record<string, string> }[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`saw ${seen.length} of 2 records`)), 30_000);
      void consumer.run({
        eachMessage: ({ message }) => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(message.headers ?? {})) headers[name] = String(value);
          seen.push({ key: message.key?.toString() ?? '', value: message.value?.toString() ?? '', headers });
          if (seen.length === 2) {
            clearTimeout(timer);
            resolve();
          }
          return Promise.resolve();
        },
      });
    });
    await consumer.disconnect();
    expect(seen).toEqual([
      {
        key: 'checkout/checkout-1:8080',
        value: '{"n":1}',
        headers: { 'content-type': 'application/json', job: 'from-kcat' },
      },
      {
        key: 'billing/billing-2:8080',
        value: '{"n":2}',
        headers: { 'content-type': 'application/json', job: 'from-kcat' },
      },
    ]);
  });
});
