/**
 * The exposer's own metrics (prefix `exposer_`) plus prom-client's default process and nodejs metrics, in one
 * registry per exposer. They are rendered on /metrics after the pushed series (see render.ts).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { REJECT_REASONS, type RejectReason } from './schema.js';

export const LIMITS = [
  'series',
  'source_series',
  'labels',
  'label_length',
  'message_size',
  'drain_buffer',
] as const;
export type LimitName = (typeof LIMITS)[number];

export interface ExposerMetrics {
  readonly registry: Registry;
  /** Records by outcome: `applied` or `rejected`. */
  readonly messages: Counter<'result'>;
  readonly rejected: Counter<'reason'>;
  readonly limitHits: Counter<'limit'>;
  readonly samplesApplied: Counter;
  readonly series: Gauge;
  readonly sources: Gauge;
  /** Sources removed, by why: `delete`, `ttl`, `revoked`. */
  readonly sourcesRemoved: Counter<'reason'>;
  readonly drainDropped: Counter;
  readonly lastPush: Gauge<'job' | 'instance'>;
  readonly propagationDelay: Histogram;
  readonly sampleAge: Histogram;
  readonly scrapes: Counter<'format'>;
  /** Scrapes of /metrics being served now (web.max-requests bounds it). */
  readonly scrapesInFlight: Gauge;
  /** Scrapes of /metrics answered 503 because web.max-requests were already in flight. */
  readonly scrapesRefused: Counter;
  readonly renderSeconds: Histogram;
  readonly renderBytes: Histogram;
  // Kafka side, set by the consumer.
  readonly kafkaConnected: Gauge;
  readonly consumerLag: Gauge<'topic' | 'partition'>;
  readonly rebalances: Counter;
  readonly replayDuration: Histogram;
}

const DELAY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
const AGE_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600];

export interface ExposerMetricsOptions {
  /** Collect prom-client's default process_* and nodejs_* metrics (default true). */
  readonly defaultMetrics?: boolean;
}

export function createExposerMetrics(options: ExposerMetricsOptions = {}): ExposerMetrics {
  const registry = new Registry();
  const registers = [registry];
  const metrics: ExposerMetrics = {
    registry,
    messages: new Counter({
      name: 'exposer_messages_total',
      help: 'Kafka records processed, by result (applied or rejected).',
      labelNames: ['result'],
      registers,
    }),
    rejected: new Counter({
      name: 'exposer_records_rejected_total',
      help: 'Kafka records rejected, by reason.',
      labelNames: ['reason'],
      registers,
    }),
    limitHits: new Counter({
      name: 'exposer_limit_hits_total',
      help: 'Records or samples refused because a limit was reached, by limit.',
      labelNames: ['limit'],
      registers,
    }),
    samplesApplied: new Counter({
      name: 'exposer_samples_applied_total',
      help: 'Samples stored from applied records.',
      registers,
    }),
    series: new Gauge({ name: 'exposer_series', help: 'Series held in the store.', registers }),
    sources: new Gauge({ name: 'exposer_sources', help: 'Sources (job/instance groups) held.', registers }),
    sourcesRemoved: new Counter({
      name: 'exposer_sources_removed_total',
      help: 'Sources removed, by reason (delete, ttl, revoked).',
      labelNames: ['reason'],
      registers,
    }),
    drainDropped: new Counter({
      name: 'exposer_drain_dropped_samples_total',
      help: 'Samples dropped in drain mode because a series had more pending samples than the buffer holds.',
      registers,
    }),
    lastPush: new Gauge({
      name: 'exposer_source_last_push_timestamp_seconds',
      help: 'Time of the last record applied for the source (its Kafka record timestamp).',
      labelNames: ['job', 'instance'],
      registers,
    }),
    propagationDelay: new Histogram({
      name: 'exposer_propagation_delay_seconds',
      help: 'From the Kafka record timestamp to the record applied to the store.',
      buckets: DELAY_BUCKETS,
      registers,
    }),
    sampleAge: new Histogram({
      name: 'exposer_sample_age_seconds',
      help: 'At each scrape, for each source, how old its data is (now minus its newest sample time or push time).',
      buckets: AGE_BUCKETS,
      registers,
    }),
    scrapes: new Counter({
      name: 'exposer_scrapes_total',
      help: 'Scrapes of /metrics served, by format.',
      labelNames: ['format'],
      registers,
    }),
    scrapesInFlight: new Gauge({
      name: 'exposer_scrapes_in_flight',
      help: 'Scrapes of /metrics being served now, this one included.',
      registers,
    }),
    scrapesRefused: new Counter({
      name: 'exposer_scrapes_refused_total',
      help: 'Scrapes of /metrics answered 503 because web.max-requests scrapes were already in flight.',
      registers,
    }),
    renderSeconds: new Histogram({
      name: 'exposer_scrape_render_seconds',
      help: 'Time to serve /metrics, from the request to the last byte handed to the socket.',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    renderBytes: new Histogram({
      name: 'exposer_scrape_response_bytes',
      help: 'Uncompressed size of the /metrics body.',
      buckets: [1e3, 1e4, 1e5, 1e6, 1e7, 1e8],
      registers,
    }),
    kafkaConnected: new Gauge({
      name: 'exposer_kafka_connected',
      help: '1 when the consumer is connected to the Kafka cluster, else 0.',
      registers,
    }),
    consumerLag: new Gauge({
      name: 'exposer_consumer_lag',
      help: 'Records behind the end of the partition, for each partition this exposer reads.',
      labelNames: ['topic', 'partition'],
      registers,
    }),
    rebalances: new Counter({
      name: 'exposer_rebalances_total',
      help: 'Consumer group rebalances seen.',
      registers,
    }),
    replayDuration: new Histogram({
      name: 'exposer_replay_duration_seconds',
      help: 'Time to replay the assigned partitions from now minus the replay window to their end.',
      buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
      registers,
    }),
  };
  for (const reason of REJECT_REASONS) metrics.rejected.inc({ reason }, 0);
  for (const result of ['applied', 'rejected']) metrics.messages.inc({ result }, 0);
  for (const limit of LIMITS) metrics.limitHits.inc({ limit }, 0);
  for (const reason of ['delete', 'ttl', 'revoked']) metrics.sourcesRemoved.inc({ reason }, 0);
  for (const format of ['text', 'openmetrics']) metrics.scrapes.inc({ format }, 0);
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  return metrics;
}

/** Counts one refused record (the consumer calls this for decode rejections; the store for its own). */
export function countRejection(metrics: ExposerMetrics | undefined, reason: RejectReason): void {
  if (metrics === undefined) return;
  metrics.messages.inc({ result: 'rejected' });
  metrics.rejected.inc({ reason });
  const limit = LIMIT_OF_REASON[reason];
  if (limit !== undefined) metrics.limitHits.inc({ limit });
}

const LIMIT_OF_REASON: Partial<Record<RejectReason, LimitName>> = {
  limit_series: 'series',
  limit_source_series: 'source_series',
  limit_labels: 'labels',
  limit_label_length: 'label_length',
  oversize: 'message_size',
};
