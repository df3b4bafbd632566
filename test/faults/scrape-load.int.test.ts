/**
 * R6: concurrent scrapes of a large store while records keep arriving from the real broker (100 scrapes of 100k
 * series in the full suite). Every response is 200 and a consistent snapshot: it holds every series of every
 * source, and all the series of one source carry the same sequence number (a record replaces its source whole,
 * so a torn read would show two). The exposer is a child process so its own peak RSS is what is measured.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { brokers, kafka, uniqueTopic } from '../kafka.js';
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
  waitFor,
} from './harness.js';

afterAll(async () => {
  await stopProducers();
  await stopChildExposers();
});

interface ScrapeCheck {
  status: number;
  lines: number;
  bytes: number;
  torn: string[];
  sources: number;
  sum: number;
}

/** Streams one scrape and checks it line by line, without keeping the body. */
async function scrapeAndCheck(url: string, seriesPerSource: number): Promise<ScrapeCheck> {
  const response = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(300_000) });
  const perSource = new Map<string, { value: string; count: number }>();
  const torn: string[] = [];
  let lines = 0;
  let bytes = 0;
  let carry = '';
  const decoder = new TextDecoder();
  const onLine = (line: string): void => {
    if (!line.startsWith('fault_seq{')) return;
    lines++;
    const close = line.lastIndexOf('}');
    const instance = /instance="([^"]*)"/.exec(line.slice(0, close))?.[1] ?? '?';
    const value = line.slice(close + 2);
    const seen = perSource.get(instance);
    if (seen === undefined) perSource.set(instance, { value, count: 1 });
    else {
      seen.count++;
      if (seen.value !== value && torn.length < 5) torn.push(`${instance}: ${seen.value} and ${value}`);
    }
  };
  for await (const chunk of response.body ?? []) {
    bytes += (chunk as Uint8Array).length;
    const text = carry + decoder.decode(chunk as Uint8Array, { stream: true });
    const parts = text.split('\n');
    carry = parts.pop() ?? '';
    for (const line of parts) onLine(line);
  }
  if (carry !== '') onLine(carry);
  for (const [instance, { count }] of perSource) {
    if (count !== seriesPerSource && torn.length < 5) torn.push(`${instance}: ${count} series`);
  }
  let sum = 0;
  for (const { value } of perSource.values()) sum += Number(value);
  return { status: response.status, lines, bytes, torn, sources: perSource.size, sum };
}

describe('R6 concurrent scrapes while records arrive', () => {
  it(
    'answers every scrape with 200 and a consistent snapshot, memory bounded',
    { timeout: size(120_000, 900_000) },
    async () => {
      const sources = size(20, 100);
      const seriesPerSource = 1000;
      const concurrent = size(10, 100);
      const topic = uniqueTopic('faults-r6');
      // A round is one produce request of `sources` records of ~40 KB each: more than the broker's default 1 MB batch.
      const admin = kafka().admin();
      await admin.connect();
      await admin.createTopics({
        topics: [
          {
            topic,
            numPartitions: 3,
            configEntries: [{ name: 'max.message.bytes', value: String(32 * 1024 * 1024) }],
          },
        ],
        waitForLeaders: true,
      });
      await admin.disconnect();
      // The default cap (web.max-requests 40) would answer 503 to the scrapes beyond 40: allow exactly `concurrent`.
      const exposer = await startChildExposer({
        brokers: brokers(),
        topic,
        group: uniqueTopic('faults-r6-g'),
        extra: ['--web.max-requests', String(concurrent)],
      });
      const instances = Array.from({ length: sources }, (_, i) => `s${i}`);
      const producer = new AckedProducer(brokers(), topic, instances, seriesPerSource);
      expect(await producer.round()).toBe(true);
      await waitFor(
        'the exposer holds every series',
        async () => {
          if (!(await isReady(exposer.url))) return undefined;
          const check = await scrapeAndCheck(exposer.url, seriesPerSource);
          return check.lines === sources * seriesPerSource ? true : undefined;
        },
        120_000,
        500,
      );
      const rssBefore = memoryOf(exposer.pid).rssMiB;
      producer.start(size(200, 500));
      const started = Date.now();
      const checks = await Promise.all(
        Array.from({ length: concurrent }, () => scrapeAndCheck(exposer.url, seriesPerSource)),
      );
      const seconds = (Date.now() - started) / 1000;
      await producer.stop();
      const memory = memoryOf(exposer.pid);
      // Different scrapes saw different instants: the records really were arriving during the scrapes.
      const distinctSnapshots = new Set(checks.map((c) => c.sum)).size;

      figure('R6 concurrent scrapes under ingest', {
        series: sources * seriesPerSource,
        concurrentScrapes: concurrent,
        statuses: [...new Set(checks.map((c) => c.status))],
        bytesPerScrape: checks[0]?.bytes,
        seconds,
        recordsProducedDuringScrapes: producer.produced - sources,
        distinctSnapshots,
        exposerRssBeforeMiB: Math.round(rssBefore),
        exposerRssPeakMiB: Math.round(memory.peakMiB),
      });

      const self = await (await fetch(`${exposer.url}/metrics`)).text();
      expect(selfValue(self, 'exposer_scrapes_refused_total')).toBe(0);
      expect(checks.map((c) => c.status)).toEqual(checks.map(() => 200));
      expect(checks.flatMap((c) => c.torn)).toEqual([]);
      expect(checks.map((c) => c.lines)).toEqual(checks.map(() => sources * seriesPerSource));
      expect(checks.map((c) => c.sources)).toEqual(checks.map(() => sources));
      // Bounded: the render streams from one snapshot per scrape and never holds a whole body per request.
      expect(memory.peakMiB).toBeLessThan(size(512, 1024));
      expect(exposer.hasExited()).toBe(false);
    },
  );
});
