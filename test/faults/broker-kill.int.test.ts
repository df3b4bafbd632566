/**
 * R1: the broker is SIGKILLed and restarted (data kept) while a producer writes. The exposer (a child process)
 * never exits, /-/ready goes 503 and back to 200, /metrics answers throughout, and after recovery the value of
 * every series equals the last value the broker acknowledged to the producer.
 *
 * This test runs its own broker (not the shared one of the integration project), because it kills it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { startBroker, stopBroker } from '../../deploy/kafka/broker.js';
import { freePortPair } from '../ports.js';
import {
  AckedProducer,
  createTopicOn,
  figure,
  memoryOf,
  repeatUntilStopped,
  selfValue,
  size,
  startChildExposer,
  stopChildExposers,
  stopProducers,
  waitFor,
  waitForAckedValues,
} from './harness.js';

const stateDir = mkdtempSync(join(tmpdir(), 'queuefront-faults-kafka-'));

afterAll(async () => {
  await stopProducers();
  await stopChildExposers();
  await stopBroker({ stateDir, graceMs: 10_000 });
  rmSync(stateDir, { recursive: true, force: true });
});

interface Probe {
  readyStatuses: { atMs: number; status: number }[];
  metricsAnswered: number;
  metricsFailed: string[];
}

/** Polls /-/ready and /metrics until stopped; every answer is kept. */
function probe(url: string): { probe: Probe; stop: () => Promise<void> } {
  const p: Probe = { readyStatuses: [], metricsAnswered: 0, metricsFailed: [] };
  const { stop } = repeatUntilStopped(async () => {
    try {
      const ready = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(5000) });
      await ready.text();
      p.readyStatuses.push({ atMs: Date.now(), status: ready.status });
    } catch (error) {
      p.readyStatuses.push({ atMs: Date.now(), status: 0 });
      p.metricsFailed.push(`/-/ready: ${String(error)}`);
    }
    try {
      const metrics = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5000) });
      await metrics.text();
      if (metrics.status === 200) p.metricsAnswered++;
      else p.metricsFailed.push(`/metrics: HTTP ${metrics.status}`);
    } catch (error) {
      p.metricsFailed.push(`/metrics: ${String(error)}`);
    }
  }, 100);
  return { probe: p, stop };
}

describe('R1 broker SIGKILL and restart under load', () => {
  it(
    'keeps serving, reports not ready during the outage, and ends with every acknowledged value',
    { timeout: 400_000 },
    async () => {
      const port = await freePortPair();
      const log = (line: string): void => void process.stderr.write(`kafka(R1): ${line}\n`);
      const broker = await startBroker({ port, stateDir, fresh: true }, log);
      const topic = 'faults-r1';
      await createTopicOn(broker.brokers, topic, 3);
      const sources = size(20, 200);
      const seriesPerSource = size(5, 20);
      const exposer = await startChildExposer({ brokers: broker.brokers, topic, group: 'faults-r1' });
      await waitFor(
        'exposer ready before the fault',
        async () => ((await fetch(`${exposer.url}/-/ready`)).ok ? true : undefined),
        90_000,
      );

      const instances = Array.from({ length: sources }, (_, i) => `s${i}`);
      const producer = new AckedProducer(broker.brokers, topic, instances, seriesPerSource);
      const watch = probe(exposer.url);
      producer.start(size(100, 50));
      await waitFor(
        'records acknowledged before the fault',
        () => (producer.acked >= sources * 5 ? true : undefined),
        60_000,
      );

      // The fault: SIGKILL, no shutdown hooks, no flush beyond what the OS already has.
      const killedAt = Date.now();
      process.kill(broker.pid, 'SIGKILL');
      const notReadyAt = await waitFor(
        '/-/ready answers 503 after the broker is killed',
        () => watch.probe.readyStatuses.find((r) => r.atMs > killedAt && r.status === 503)?.atMs,
        60_000,
        100,
      );
      await sleep(size(3000, 10_000));
      const failedDuringOutage = producer.failed;

      const restartedAt = Date.now();
      await startBroker({ port, stateDir, fresh: false }, log);
      const brokerBackMs = Date.now() - restartedAt;
      const readyAgainAt = await waitFor(
        '/-/ready answers 200 again after the restart',
        () => watch.probe.readyStatuses.find((r) => r.atMs > restartedAt && r.status === 200)?.atMs,
        120_000,
        100,
      );
      // Every source gets acknowledged records after the recovery, then the producer stops.
      const ackedBefore = producer.acked;
      await waitFor(
        'records acknowledged after the restart',
        () => (producer.acked >= ackedBefore + sources * size(5, 20) ? true : undefined),
        120_000,
      );
      await producer.stop();

      const { text: last, wrong } = await waitForAckedValues(exposer.url, producer.lastAcked, 90_000);
      await watch.stop();
      const memory = memoryOf(exposer.pid);

      const statuses = watch.probe.readyStatuses;
      figure('R1 broker SIGKILL + restart', {
        sources,
        seriesPerSource,
        recordsProduced: producer.produced,
        recordsAcknowledged: producer.acked,
        recordsFailed: producer.failed,
        failedDuringOutage,
        applied: selfValue(last, 'exposer_messages_total{result="applied"}'),
        rejected: selfValue(last, 'exposer_messages_total{result="rejected"}'),
        killToNotReadyMs: notReadyAt - killedAt,
        outageMs: restartedAt - killedAt,
        brokerRestartMs: brokerBackMs,
        restartToReadyMs: readyAgainAt - restartedAt,
        readyProbes: statuses.length,
        notReadyProbes: statuses.filter((s) => s.status === 503).length,
        metricsAnswered: watch.probe.metricsAnswered,
        metricsFailed: watch.probe.metricsFailed.length,
        exposerRssPeakMiB: Math.round(memory.peakMiB),
      });

      expect(exposer.hasExited(), exposer.logTail()).toBe(false);
      expect(watch.probe.metricsFailed).toEqual([]);
      expect(statuses.filter((s) => s.status !== 200 && s.status !== 503)).toEqual([]);
      expect(statuses.some((s) => s.atMs < killedAt && s.status === 200)).toBe(true);
      expect(failedDuringOutage).toBeGreaterThan(0);
      expect(wrong).toEqual([]);
      expect(selfValue(last, 'exposer_records_rejected_total{reason="internal"}')).toBe(0);
      expect(selfValue(last, 'exposer_kafka_connected')).toBe(1);
    },
  );
});
