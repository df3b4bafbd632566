/**
 * `exposer loadgen`: pushes N synthetic sources x M series to the topic at a bounded rate for a bounded time,
 * with one kafkajs producer, the way a fleet of apps would. Progress on a TTY, a summary at the end.
 *
 * Pacing: record k is due at k / rate seconds. A produce request takes the records due, up to `batch`, once the
 * oldest of them has waited LINGER_MS (librdkafka's default linger) or `batch` are due; up to MAX_IN_FLIGHT
 * requests are in flight at once, so building the next request overlaps the broker's round trip. kafkajs stamps
 * the records of a request (CreateTime) when it encodes it, just before writing it to the socket: time spent
 * here before that is not part of a propagation delay measured from the record timestamp.
 *
 * When the generator cannot keep up (a busy machine), it does not burst to catch up without bound: records more
 * than MAX_BEHIND_MS overdue are skipped and counted, and the summary says what rate it reached and why
 * (`keptUp`, `skipped`, `maxBehindMs`, `shortfall`).
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

/** Records due longer ago than this are skipped (counted in `skipped`), not sent late in a burst. */
export const MAX_BEHIND_MS = 1000;
/** How long the oldest due record may wait for more to share its produce request. */
export const LINGER_MS = 5;
/** Produce requests in flight at once. */
export const MAX_IN_FLIGHT = 4;
/** The achieved rate counts as keeping up from this share of the asked rate. */
const KEPT_UP_SHARE = 0.95;
/** Round trips kept for the summary's quantiles (the first ones; a long run does not grow without bound). */
const MAX_ACK_SAMPLES = 100_000;

export interface LoadgenSummary {
  /** Records the broker acknowledged. */
  readonly records: number;
  /** Records sent (acknowledged or failed). */
  readonly attempted: number;
  readonly samples: number;
  readonly bytes: number;
  readonly seconds: number;
  readonly recordsPerSecond: number;
  readonly samplesPerSecond: number;
  readonly producerErrors: number;
  readonly lastError?: string;
  /** The rate asked for (records/s). */
  readonly targetRate: number;
  /** Whether the acknowledged rate reached 95 % of the asked rate. */
  readonly keptUp: boolean;
  /** Records that fell more than MAX_BEHIND_MS behind the schedule and were never sent. */
  readonly skipped: number;
  /** The longest time the oldest unsent record was overdue when a request was built. */
  readonly maxBehindMs: number;
  /** Produce requests sent, and their round trip (send to acknowledgement) in ms. */
  readonly requests: number;
  readonly ackMs: { readonly p50: number; readonly p99: number; readonly max: number };
  /** Set when it did not keep up: the rate reached and what held it back. */
  readonly shortfall?: string;
}

function quantileOf(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
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
  /** Records sent or skipped: the position in the schedule. */
  let scheduled = 0;
  let skipped = 0;
  let maxBehindMs = 0;
  let requests = 0;
  const acks: number[] = [];
  const inFlight = new Set<Promise<void>>();
  const perMs = options.rate / 1000;
  const maxBehind = Math.max(1, Math.floor(MAX_BEHIND_MS * perMs));
  /** Until every request is answered (the producer's disconnect is not part of the rate). */
  let seconds: number;
  try {
    while (Date.now() - started < options.durationMs && !options.signal?.aborted) {
      const elapsed = Date.now() - started;
      const due = Math.floor(elapsed * perMs);
      if (due - scheduled > maxBehind) {
        skipped += due - scheduled - maxBehind;
        scheduled = due - maxBehind;
      }
      const waiting = due - scheduled;
      /** How long the oldest unsent record has been due. */
      const behindMs = waiting > 0 ? elapsed - (scheduled + 1) / perMs : 0;
      if (waiting === 0 || (waiting < options.batch && behindMs < LINGER_MS)) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        continue;
      }
      if (inFlight.size >= MAX_IN_FLIGHT) {
        await Promise.race(inFlight);
        continue;
      }
      maxBehindMs = Math.max(maxBehindMs, behindMs);
      const count = Math.min(options.batch, waiting);
      scheduled += count;
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
      requests++;
      const sentAt = performance.now();
      const request = producer
        .send({ topic: options.topic, messages, compression: CompressionTypes.None, acks: -1 })
        .then(
          () => {
            records += count;
            samples += batchSamples;
            if (acks.length < MAX_ACK_SAMPLES) acks.push(performance.now() - sentAt);
          },
          (error: unknown) => {
            producerErrors++;
            lastError = error instanceof Error ? error.message : String(error);
          },
        )
        .finally(() => inFlight.delete(request));
      inFlight.add(request);
      if (options.progress && Date.now() - lastProgress > 500) {
        lastProgress = Date.now();
        const done = Math.min(1, (Date.now() - started) / options.durationMs);
        const bar = '#'.repeat(Math.round(done * 30)).padEnd(30, '.');
        options.progress(
          `[${bar}] ${records} records, ${samples} samples, ${producerErrors} errors${skipped > 0 ? `, ${skipped} skipped (behind)` : ''}`,
        );
      }
    }
    await Promise.all(inFlight);
  } finally {
    await Promise.allSettled(inFlight);
    seconds = (Date.now() - started) / 1000;
    await producer.disconnect().catch(() => undefined);
  }
  const recordsPerSecond = records / seconds;
  const keptUp = recordsPerSecond >= KEPT_UP_SHARE * options.rate;
  acks.sort((a, b) => a - b);
  const ackMs = { p50: quantileOf(acks, 0.5), p99: quantileOf(acks, 0.99), max: quantileOf(acks, 1) };
  const reasons: string[] = [];
  if (skipped > 0) reasons.push(`${skipped} records fell over ${MAX_BEHIND_MS} ms behind and were skipped`);
  if (producerErrors > 0) reasons.push(`${producerErrors} produce requests failed (${lastError ?? ''})`);
  if (reasons.length === 0) {
    reasons.push(
      `the broker acknowledged requests in ${ackMs.p50.toFixed(0)} ms (p50) / ${ackMs.p99.toFixed(0)} ms (p99) with ${MAX_IN_FLIGHT} in flight, and records were at most ${maxBehindMs.toFixed(0)} ms overdue`,
    );
  }
  return {
    records,
    attempted,
    samples,
    bytes,
    seconds,
    recordsPerSecond,
    samplesPerSecond: samples / seconds,
    producerErrors,
    ...(lastError === undefined ? {} : { lastError }),
    targetRate: options.rate,
    keptUp,
    skipped,
    maxBehindMs,
    requests,
    ackMs,
    ...(keptUp
      ? {}
      : {
          shortfall: `reached ${recordsPerSecond.toFixed(0)} of ${options.rate} records/s: ${reasons.join('; ')} (the generator or the machine is too slow for this rate)`,
        }),
  };
}
