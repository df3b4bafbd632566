/**
 * R2: an exposer SIGKILLed mid-stream and a new one started in its place rebuilds its state from Kafka (the replay
 * window), loses no source, and says ready only once it has caught up.
 * R3: two exposers in one consumer group; one is SIGKILLed; the survivor serves every source after the rebalance,
 * within TAKEOVER_BOUND_MS (documented in docs/reliability.md).
 *
 * Both run on the shared broker of the integration project; the exposers are child processes so that they can be
 * killed without a chance to commit or leave the group.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { brokers, createTopic, uniqueTopic } from '../kafka.js';
import {
  AckedProducer,
  figure,
  isReady,
  memoryOf,
  selfValue,
  size,
  startChildExposer,
  stopChildExposers,
  stopProducers,
  valuesByInstance,
  waitFor,
  waitForAckedValues,
  type ChildExposer,
} from './harness.js';

/**
 * The bound on a takeover after a member dies without leaving: the broker notices after the session timeout
 * (10 s, exposer/consumer.ts), the group rebalances (at most the rebalance timeout, 15 s), then the survivor
 * replays the partitions it gained (a few seconds at these sizes): 45 s in all.
 */
export const TAKEOVER_BOUND_MS = 45_000;

afterEach(async () => {
  await stopProducers();
  await stopChildExposers();
});

async function sourceCount(exposer: ChildExposer): Promise<number> {
  const body = (await (await fetch(`${exposer.url}/api/v1/sources`)).json()) as { data: unknown[] };
  return body.data.length;
}

function finalCheck(
  exposer: ChildExposer,
  producer: AckedProducer,
): Promise<{ text: string; wrong: string[] }> {
  return waitForAckedValues(exposer.url, producer.lastAcked, 60_000);
}

describe('R2 exposer SIGKILL mid-stream and restart', () => {
  it(
    'replays from Kafka, loses no source, and is ready only after catching up',
    { timeout: 300_000 },
    async () => {
      const topic = uniqueTopic('faults-r2');
      await createTopic(topic, 3);
      const group = uniqueTopic('faults-r2-g');
      const sources = size(50, 500);
      const seriesPerSource = size(5, 20);
      const instances = Array.from({ length: sources }, (_, i) => `s${i}`);
      const producer = new AckedProducer(brokers(), topic, instances, seriesPerSource);

      const first = await startChildExposer({ brokers: brokers(), topic, group });
      await waitFor(
        'first exposer ready',
        async () => ((await isReady(first.url)) ? true : undefined),
        90_000,
      );
      producer.start(size(100, 50));
      await waitFor(
        'records acknowledged before the kill',
        () => (producer.acked >= sources * 5 ? true : undefined),
        60_000,
      );
      await first.kill('SIGKILL');
      const ackedAtKill = new Map(producer.lastAcked);
      const restartedAt = Date.now();
      const second = await startChildExposer({ brokers: brokers(), topic, group });

      // The first answer of /-/ready that is 200, and /metrics right after it.
      const probes: number[] = [];
      const atReady = await waitFor(
        'the restarted exposer becomes ready',
        async () => {
          const response = await fetch(`${second.url}/-/ready`);
          probes.push(response.status);
          if (response.status !== 200) return undefined;
          return { at: Date.now(), text: await (await fetch(`${second.url}/metrics`)).text() };
        },
        120_000,
        100,
      );
      const { values, torn } = valuesByInstance(atReady.text, 'fault_seq');
      const missing = instances.filter((i) => values.get(i) === undefined);
      const behind = instances.filter((i) => (values.get(i) ?? 0) < (ackedAtKill.get(i) ?? 0));

      await producer.stop();
      const final = await finalCheck(second, producer);
      figure('R2 exposer SIGKILL + restart', {
        sources,
        seriesPerSource,
        recordsProduced: producer.produced,
        recordsAcknowledged: producer.acked,
        recordsFailed: producer.failed,
        restartToReadyMs: atReady.at - restartedAt,
        notReadyProbes: probes.filter((s) => s === 503).length,
        appliedAtReady: selfValue(atReady.text, 'exposer_messages_total{result="applied"}'),
        sourcesAtReady: values.size,
        exposerRssPeakMiB: Math.round(memoryOf(second.pid).peakMiB),
      });

      expect(probes[0]).toBe(503);
      expect(probes.every((s) => s === 200 || s === 503)).toBe(true);
      expect(missing).toEqual([]);
      expect(behind).toEqual([]);
      expect(torn).toEqual([]);
      expect(final.wrong).toEqual([]);
      expect(second.hasExited()).toBe(false);
    },
  );
});

describe('R3 two exposers in one group, one SIGKILLed', () => {
  it(
    'the survivor serves every source after the rebalance, within the documented bound',
    { timeout: 300_000 },
    async () => {
      const topic = uniqueTopic('faults-r3');
      await createTopic(topic, 4);
      const group = uniqueTopic('faults-r3-g');
      const sources = size(40, 400);
      const instances = Array.from({ length: sources }, (_, i) => `s${i}`);
      const producer = new AckedProducer(brokers(), topic, instances, 3);
      for (let i = 0; i < 3; i++) expect(await producer.round()).toBe(true);

      const a = await startChildExposer({ brokers: brokers(), topic, group });
      const b = await startChildExposer({ brokers: brokers(), topic, group });
      const split = await waitFor(
        'both exposers ready with a share each and every source between them',
        async () => {
          if (!(await isReady(a.url)) || !(await isReady(b.url))) return undefined;
          const [na, nb] = [await sourceCount(a), await sourceCount(b)];
          return na > 0 && nb > 0 && na + nb === sources ? { a: na, b: nb } : undefined;
        },
        120_000,
        250,
      );
      producer.start(size(200, 100));
      await sleep(1000);

      const killedAt = Date.now();
      await a.kill('SIGKILL');
      const takeoverMs = await waitFor(
        'the survivor holds every source and is ready',
        async () =>
          (await sourceCount(b)) === sources && (await isReady(b.url)) ? Date.now() - killedAt : undefined,
        TAKEOVER_BOUND_MS + 30_000,
        250,
      );
      await producer.stop();
      const final = await finalCheck(b, producer);
      figure('R3 group member SIGKILL, survivor takes over', {
        sources,
        splitBeforeKill: split,
        takeoverMs,
        boundMs: TAKEOVER_BOUND_MS,
        recordsProduced: producer.produced,
        recordsAcknowledged: producer.acked,
        rebalancesSeenBySurvivor: selfValue(final.text, 'exposer_rebalances_total'),
        survivorRssPeakMiB: Math.round(memoryOf(b.pid).peakMiB),
      });

      expect(takeoverMs).toBeLessThanOrEqual(TAKEOVER_BOUND_MS);
      expect(final.wrong).toEqual([]);
      expect(b.hasExited()).toBe(false);
    },
  );
});
