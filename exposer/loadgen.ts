/**
 * `exposer loadgen`: pushes N synthetic sources x M series to the topic at a bounded rate for a bounded time,
 * with one kafkajs producer, the way a fleet of apps would. Progress on a TTY, a summary at the end.
 */
import { CompressionTypes, Kafka, logLevel, Partitioners, type Message } from 'kafkajs';
import { SyntheticApp } from './workload.js';

export interface LoadgenOptions {
  readonly brokers: readonly string[];
  readonly topic: string;
  readonly sources: number;
  readonly series: number;
  /** Records per second across all sources. */
  readonly rate: number;
  readonly durationMs: number;
  readonly format: 'json' | 'text';
  readonly job: string;
  /** Add the producer's timestamp to each message (`timestamp_ms`). */
  readonly timestamps: boolean;
  readonly batch: number;
  readonly progress?: ((line: string) => void) | undefined;
  readonly signal?: AbortSignal | undefined;
}

export interface LoadgenSummary {
  /** Records the broker acknowledged. */
  readonly records: number;
  readonly attempted: number;
  readonly samples: number;
  readonly bytes: number;
  readonly seconds: number;
  readonly recordsPerSecond: number;
  readonly samplesPerSecond: number;
  readonly producerErrors: number;
  readonly lastError?: string;
}

export function sourceInstance(index: number): string {
  return `app-${index}:8080`;
}

export async function runLoadgen(options: LoadgenOptions): Promise<LoadgenSummary> {
  if (!(options.sources >= 1) || !(options.series >= 1) || !(options.rate > 0) || !(options.durationMs > 0)) {
    throw new RangeError('loadgen needs --sources >= 1, --series >= 1, --rate > 0 and --duration > 0');
  }
  const apps = Array.from(
    { length: options.sources },
    (_, i) => new SyntheticApp(options.job, sourceInstance(i), options.series, i + 1),
  );
  const kafka = new Kafka({
    clientId: 'queuefront-loadgen',
    brokers: [...options.brokers],
    logLevel: logLevel.NOTHING,
    retry: { retries: 5, initialRetryTime: 200 },
  });
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  const started = Date.now();
  let records = 0;
  let attempted = 0;
  let samples = 0;
  let bytes = 0;
  let producerErrors = 0;
  let lastError: string | undefined;
  let next = 0;
  let lastProgress = 0;
  try {
    while (Date.now() - started < options.durationMs && !options.signal?.aborted) {
      const due = Math.floor(((Date.now() - started) / 1000) * options.rate);
      if (attempted >= due) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(50, Math.max(1, 1000 / options.rate))));
        continue;
      }
      const count = Math.min(options.batch, due - attempted);
      attempted += count;
      const messages: Message[] = [];
      let batchSamples = 0;
      for (let i = 0; i < count; i++) {
        const app = apps[next]!;
        next = (next + 1) % apps.length;
        app.tick(apps.length / options.rate);
        const key = `${app.job}/${app.instance}`;
        if (options.format === 'json') {
          const value = JSON.stringify(app.toMessage(options.timestamps ? Date.now() : undefined));
          messages.push({ key, value });
          bytes += value.length;
        } else {
          const value = app.toText();
          messages.push({
            key,
            value,
            headers: { 'content-type': 'text/plain; version=0.0.4', job: app.job, instance: app.instance },
          });
          bytes += value.length;
        }
        batchSamples += app.seriesCount;
      }
      try {
        await producer.send({ topic: options.topic, messages, compression: CompressionTypes.None, acks: -1 });
        records += count;
        samples += batchSamples;
      } catch (error) {
        producerErrors++;
        lastError = error instanceof Error ? error.message : String(error);
      }
      if (options.progress && Date.now() - lastProgress > 500) {
        lastProgress = Date.now();
        const done = Math.min(1, (Date.now() - started) / options.durationMs);
        const bar = '#'.repeat(Math.round(done * 30)).padEnd(30, '.');
        options.progress(`[${bar}] ${records} records, ${samples} samples, ${producerErrors} errors`);
      }
    }
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
  const seconds = (Date.now() - started) / 1000;
  return {
    records,
    attempted,
    samples,
    bytes,
    seconds,
    recordsPerSecond: records / seconds,
    samplesPerSecond: samples / seconds,
    producerErrors,
    ...(lastError === undefined ? {} : { lastError }),
  };
}
