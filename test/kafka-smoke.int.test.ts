import { describe, expect, it } from 'vitest';
import type { EachMessagePayload } from 'kafkajs';
import { createTopic, kafka, uniqueTopic } from './kafka.js';

async function consumeN(groupId: string, topic: string, n: number, timeoutMs = 30_000): Promise<string[]> {
  const consumer = kafka().consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 500 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen: string[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${seen.length} of ${n} records within ${timeoutMs} ms`)),
        timeoutMs,
      );
      void consumer.run({
        eachMessage: ({ message }: EachMessagePayload) => {
          seen.push(message.value?.toString() ?? '');
          if (seen.length >= n) {
            clearTimeout(timer);
            resolve();
          }
          return Promise.resolve();
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

describe('kafkajs against the real broker', () => {
  it('produces, consumes in a group, commits, and a rejoining member resumes after the committed offset', async () => {
    const topic = uniqueTopic('smoke');
    await createTopic(topic, 3);
    const producer = kafka().producer();
    await producer.connect();
    const first = Array.from({ length: 20 }, (_, i) => ({ key: `app-${i % 4}`, value: `first-${i}` }));
    await producer.send({ topic, messages: first });

    const group = uniqueTopic('group');
    const firstRound = await consumeN(group, topic, 20);
    expect(firstRound.sort()).toEqual(first.map((m) => m.value).sort());

    await producer.send({ topic, messages: [{ key: 'app-0', value: 'second' }] });
    await producer.disconnect();
    // A new member of the same group starts from the committed offsets: it sees only the new record.
    const secondRound = await consumeN(group, topic, 1);
    expect(secondRound).toEqual(['second']);

    const admin = kafka().admin();
    await admin.connect();
    const offsets = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    await admin.disconnect();
    const committed = offsets[0]!.partitions.reduce((sum, p) => sum + Number(p.offset), 0);
    expect(committed).toBe(21);
  });
});
