/**
 * R5 through the real broker: a cardinality bomb (1,000 records of 10,000 new series each in the full suite: 10M
 * series offered) produced to Kafka while existing sources keep pushing, against an exposer child process with
 * `--max-series`. Checked from outside, as an operator would: the series the exposer holds never exceed the limit
 * (sampled on /api/v1/sources throughout), every refused record is counted under `limit_series`, the existing
 * sources end at the last value the broker acknowledged, and the exposer's memory stays bounded.
 *
 * Each bomb record is one produce request: a Kafka record batch must fit the topic's max.message.bytes (1 MB by
 * default, left as is here), and a 10,000-series record is about 0.4 MB.
 */
import { Partitioners } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { brokers, createTopic, uniqueTopic } from '../kafka.js';
import {
  AckedProducer,
  figure,
  isReady,
  kafkaClient,
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

afterAll(async () => {
  await stopProducers();
  await stopChildExposers();
});

/** A record of source `bomb/b<n>` with `count` new series `bomb_series{id="u<first+i>"}`. */
function bombRecord(n: number, first: number, count: number): { key: string; value: string } {
  const samples: string[] = [];
  for (let i = 0; i < count; i++) samples.push(`{"labels":{"id":"u${first + i}"},"value":1}`);
  return {
    key: `bomb/b${n}`,
    value: `{"job":"bomb","instance":"b${n}","metrics":[{"name":"bomb_series","type":"gauge","samples":[${samples.join(',')}]}]}`,
  };
}

interface Watch {
  maxSeries: number;
  samples: number;
  peakRssMiB: number;
  failures: string[];
}

/** Samples the series the exposer holds and its RSS every 200 ms until stopped. */
function watchExposer(url: string, pid: number): { watch: Watch; stop: () => Promise<void> } {
  const watch: Watch = { maxSeries: 0, samples: 0, peakRssMiB: 0, failures: [] };
  const { stop } = repeatUntilStopped(async () => {
    try {
      const res = await fetch(`${url}/api/v1/sources`, { signal: AbortSignal.timeout(10_000) });
      const body = (await res.json()) as { series: number };
      watch.maxSeries = Math.max(watch.maxSeries, body.series);
      watch.samples++;
    } catch (error) {
      watch.failures.push(String(error));
    }
    watch.peakRssMiB = Math.max(watch.peakRssMiB, memoryOf(pid).rssMiB);
  }, 200);
  return { watch, stop };
}

describe('R5 cardinality bomb through the broker', () => {
  it(
    'never holds more than max_series, counts every refused record, and keeps existing sources updating',
    { timeout: size(180_000, 1_800_000) },
    async () => {
      const maxSeries = size(50_000, 500_000);
      const bombRecords = size(60, 1000);
      const seriesPerRecord = size(5000, 10_000);
      const existingSources = size(20, 50);
      const seriesPerExisting = 10;
      const roundEvery = size(5, 20);
      const topic = uniqueTopic('faults-r5');
      await createTopic(topic, 3);
      const exposer = await startChildExposer({
        brokers: brokers(),
        topic,
        group: uniqueTopic('faults-r5-g'),
        extra: ['--max-series', String(maxSeries)],
      });
      await waitFor('exposer ready', async () => ((await isReady(exposer.url)) ? true : undefined), 90_000);

      // The sources that were there before the bomb, then keep pushing during it.
      const instances = Array.from({ length: existingSources }, (_, i) => `e${i}`);
      const existing = new AckedProducer(brokers(), topic, instances, seriesPerExisting);
      expect(await existing.round()).toBe(true);
      await waitForAckedValues(exposer.url, existing.lastAcked, 60_000);
      const rssBeforeMiB = memoryOf(exposer.pid).rssMiB;

      const producer = kafkaClient(brokers(), 'queuefront-faults-bomb').producer({
        createPartitioner: Partitioners.DefaultPartitioner,
        allowAutoTopicCreation: false,
      });
      await producer.connect();
      const { watch, stop } = watchExposer(exposer.url, exposer.pid);
      const started = Date.now();
      let largestRecordBytes = 0;
      let rounds = 1;
      try {
        for (let n = 0; n < bombRecords; n++) {
          const record = bombRecord(n, n * seriesPerRecord, seriesPerRecord);
          largestRecordBytes = Math.max(largestRecordBytes, Buffer.byteLength(record.value));
          await producer.send({ topic, acks: -1, messages: [record] });
          if (n % roundEvery === roundEvery - 1) {
            expect(await existing.round()).toBe(true);
            rounds++;
          }
        }
        expect(await existing.round()).toBe(true);
        rounds++;
      } finally {
        await producer.disconnect();
      }
      const producedSeconds = (Date.now() - started) / 1000;

      // Every record consumed: applied + rejected covers all that was produced.
      const totalRecords = bombRecords + existing.produced;
      let text = '';
      await waitFor(
        'the exposer has processed every record',
        async () => {
          text = await (await fetch(`${exposer.url}/metrics`)).text();
          const seen =
            selfValue(text, 'exposer_messages_total{result="applied"}') +
            selfValue(text, 'exposer_messages_total{result="rejected"}');
          return seen >= totalRecords ? true : undefined;
        },
        size(120_000, 1_200_000),
        1000,
      );
      const seconds = (Date.now() - started) / 1000;
      const { wrong } = await waitForAckedValues(exposer.url, existing.lastAcked, 60_000);
      await stop();
      const memory = memoryOf(exposer.pid);

      const sources = (await (await fetch(`${exposer.url}/api/v1/sources`)).json()) as {
        data: { job: string }[];
        series: number;
      };
      const bombsHeld = sources.data.filter((s) => s.job === 'bomb').length;
      const refused = selfValue(text, 'exposer_records_rejected_total{reason="limit_series"}');
      figure('R5 cardinality bomb through the broker', {
        seriesOffered: bombRecords * seriesPerRecord,
        bombRecords,
        seriesPerRecord,
        largestRecordBytes,
        maxSeries,
        seriesHeld: sources.series,
        maxSeriesSampled: watch.maxSeries,
        seriesSamples: watch.samples,
        bombRecordsApplied: bombsHeld,
        recordsRefusedLimitSeries: refused,
        limitHitsSeries: selfValue(text, 'exposer_limit_hits_total{limit="series"}'),
        existingSources,
        existingRoundsAcknowledged: rounds,
        producedSeconds,
        seconds,
        exposerRssBeforeMiB: Math.round(rssBeforeMiB),
        exposerRssPeakMiB: Math.round(Math.max(memory.peakMiB, watch.peakRssMiB)),
        exposerRssEndMiB: Math.round(memory.rssMiB),
        exposerHeapUsedEndMiB: Math.round(selfValue(text, 'nodejs_heap_size_used_bytes') / 2 ** 20),
      });

      expect(exposer.hasExited(), exposer.logTail()).toBe(false);
      expect(largestRecordBytes).toBeLessThan(1_000_000);
      expect(watch.failures).toEqual([]);
      expect(watch.samples).toBeGreaterThan(0);
      expect(watch.maxSeries).toBeLessThanOrEqual(maxSeries);
      expect(sources.series).toBeLessThanOrEqual(maxSeries);
      // The bomb filled what the limit left, and no more: one more record would not have fitted.
      expect(sources.series + seriesPerRecord).toBeGreaterThan(maxSeries);
      // Each bomb record was applied whole or refused whole, and every refusal is counted under limit_series.
      expect(bombsHeld + refused).toBe(bombRecords);
      expect(refused).toBeGreaterThan(0);
      expect(selfValue(text, 'exposer_messages_total{result="rejected"}')).toBe(refused);
      expect(selfValue(text, 'exposer_limit_hits_total{limit="series"}')).toBe(refused);
      // The sources that were there keep updating: each shows the last value the broker acknowledged.
      expect(wrong).toEqual([]);
      // Memory bounded by the limit, not by what was offered.
      expect(Math.max(memory.peakMiB, watch.peakRssMiB)).toBeLessThan(size(512, 1536));
    },
  );
});
