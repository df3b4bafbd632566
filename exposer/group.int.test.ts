/**
 * Two exposers of different topics in one consumer group (both keep the default group id): each must serve every
 * source of its own topic. kafkajs' round-robin assigner gave the other member partitions it never read, and
 * their sources vanished from the exposer that did read them.
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

async function start(topic: string, group: string): Promise<RunningExposer> {
  const exposer = await serve(
    { flags: { brokers: brokers().split(','), topics: [topic], group, listen: '127.0.0.1:0' }, env: {} },
    { logger: pino({ level: 'silent' }) },
  );
  running.push(exposer);
  return exposer;
}

/** Sources job/i0..i(n-1), each keyed so that they spread over the partitions. */
async function produceSources(topic: string, job: string, n: number): Promise<void> {
  const producer = kafka().producer();
  await producer.connect();
  await producer.send({
    topic,
    messages: Array.from({ length: n }, (_, i) => ({
      key: `${job}/i${i}`,
      value: JSON.stringify({
        job,
        instance: `i${i}`,
        metrics: [{ name: `${job}_up`, type: 'gauge', samples: [{ value: 1 }] }],
      }),
    })),
  });
  await producer.disconnect();
}

/** Waits until the exposer is ready and holds `n` sources, or gives the last count after 60 s. */
async function settle(exposer: RunningExposer, n: number): Promise<number> {
  for (let i = 0; i < 300; i++) {
    const ready = (await fetch(`${exposer.url}/-/ready`)).status === 200;
    if (ready && exposer.store.sources(Date.now()).length === n) break;
    await sleep(200);
  }
  return exposer.store.sources(Date.now()).length;
}

describe('exposers of different topics in one consumer group', () => {
  it('each serves every source of its own topic', async () => {
    const [topicA, topicB] = [uniqueTopic('group-a'), uniqueTopic('group-b')];
    await Promise.all([createTopic(topicA, 4), createTopic(topicB, 4)]);
    await Promise.all([produceSources(topicA, 'alpha', 40), produceSources(topicB, 'beta', 40)]);
    const group = uniqueTopic('shared-group');
    const a = await start(topicA, group);
    expect(await settle(a, 40)).toBe(40);
    const b = await start(topicB, group);
    expect(await settle(b, 40)).toBe(40);
    // After the rebalance that b's arrival caused, a still holds all of its topic.
    expect(await settle(a, 40)).toBe(40);
    expect(b.ingest.assignedPartitions().every((p) => p.topic === topicB)).toBe(true);
    expect(a.ingest.assignedPartitions()).toHaveLength(4);
  });

  it('reports consumer lag by topic and partition, only for the partitions each exposer reads', async () => {
    const topic = uniqueTopic('group-lag');
    await createTopic(topic, 4);
    await produceSources(topic, 'gamma', 40);
    const group = uniqueTopic('lag-group');
    const a = await start(topic, group);
    expect(await settle(a, 40)).toBe(40);
    const lagSeries = async (e: RunningExposer) =>
      (await (await fetch(`${e.url}/metrics`)).text())
        .split('\n')
        .filter((line) => line.startsWith('exposer_consumer_lag{'))
        .map((line) => `${/partition="(\d+)"/.exec(line)?.[1]}@${/topic="([^"]+)"/.exec(line)?.[1]}`)
        .sort();
    for (let i = 0; i < 100 && (await lagSeries(a)).length < 4; i++) await sleep(100);
    expect(await lagSeries(a)).toEqual([0, 1, 2, 3].map((p) => `${p}@${topic}`));

    const b = await start(topic, group);
    const split = () =>
      a.ingest.assignedPartitions().length === 2 &&
      b.ingest.assignedPartitions().length === 2 &&
      a.store.sources(Date.now()).length + b.store.sources(Date.now()).length === 40;
    for (let i = 0; i < 300 && !split(); i++) await sleep(200);
    const ownA = a.ingest.assignedPartitions().map((p) => `${p.partition}@${topic}`);
    expect(ownA).toHaveLength(2);
    // The partitions a lost are b's to report; a no longer shows a lag for them.
    expect(await lagSeries(a)).toEqual(ownA.sort());
  });
});
