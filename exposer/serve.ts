/**
 * `exposer serve`: configuration → store → HTTP → Kafka. The HTTP server starts first and answers even while
 * Kafka is away (not ready, serving what it holds); a source TTL is enforced on a timer.
 */
import { readFileSync } from 'node:fs';
import { pino, type Logger } from 'pino';
import {
  ConfigError,
  describeConfig,
  resolveConfig,
  type ConfigSources,
  type ExposerConfig,
} from './config.js';
import { KafkaIngest } from './consumer.js';
import { createApp, startServer } from './http.js';
import { createExposerMetrics } from './metrics.js';
import { Store } from './store.js';
import { loadWebConfig, WebConfigError } from './webconfig.js';

export interface RunningExposer {
  readonly url: string;
  readonly config: ExposerConfig;
  readonly store: Store;
  readonly ingest: KafkaIngest;
  /** The exposer's logger (pino JSON on stderr unless overridden). */
  readonly logger: Logger;
  stop(): Promise<void>;
}

export interface ServeOverrides {
  /** A logger to use instead of pino on stderr (tests). */
  readonly logger?: Logger;
}

function readBearerToken(file: string): string {
  let token: string;
  try {
    token = readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw new ConfigError(
      `${file}: cannot read the bearer token file (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    );
  }
  if (token === '') throw new ConfigError(`${file}: the bearer token file is empty`);
  return token;
}

export async function serve(sources: ConfigSources, overrides: ServeOverrides = {}): Promise<RunningExposer> {
  const config = resolveConfig(sources);
  const logger =
    overrides.logger ?? pino({ level: config.logLevel, base: { service: 'exposer' } }, pino.destination(2));
  let webConfig;
  try {
    webConfig = config.webConfig === undefined ? undefined : await loadWebConfig(config.webConfig);
  } catch (error) {
    if (error instanceof WebConfigError) throw new ConfigError(error.message);
    throw error;
  }
  const bearerToken =
    config.bearerTokenFile === undefined ? undefined : readBearerToken(config.bearerTokenFile);

  const metrics = createExposerMetrics();
  const store = new Store(
    {
      maxSeries: config.maxSeries,
      maxSeriesPerSource: config.maxSeriesPerSource,
      maxLabelNameLength: config.maxLabelNameLength,
      maxLabelValueLength: config.maxLabelValueLength,
      maxLabelsPerSeries: config.maxLabelsPerSeries,
      sourceTtlMs: config.sourceTtl,
      timestamps: config.timestamps,
    },
    metrics,
  );
  const ingest = new KafkaIngest(
    {
      brokers: config.brokers,
      topics: config.topics,
      group: config.group,
      clientId: config.clientId,
      createTopic: config.createTopic,
      partitions: config.partitions,
      replayWindowMs: config.replayWindowMs,
      maxMessageBytes: config.maxMessageBytes,
      maxFutureSkewMs: config.maxFutureSkew,
    },
    store,
    metrics,
    logger,
  );
  const app = createApp({
    store,
    metrics,
    readiness: () => ingest.readiness(),
    maxRequests: config.webMaxRequests,
    logger,
    ...(webConfig === undefined ? {} : { webConfig }),
    ...(bearerToken === undefined ? {} : { bearerToken }),
  });
  const server = await startServer(app, {
    listen: config.listen,
    ...(webConfig === undefined ? {} : { webConfig }),
  });
  logger.info({ url: server.url, config: describeConfig(config) }, 'exposer listening');
  ingest.start();

  const expiry =
    config.sourceTtl > 0
      ? setInterval(
          () => {
            const dropped = store.expire(Date.now());
            if (dropped > 0) logger.info({ dropped }, 'sources expired (source TTL)');
          },
          Math.max(250, Math.min(10_000, config.sourceTtl / 4)),
        )
      : undefined;

  return {
    url: server.url,
    config,
    store,
    ingest,
    logger,
    stop: async () => {
      if (expiry) clearInterval(expiry);
      // Together: the HTTP server stops listening at once (as a load balancer expects) and lets scrapes in
      // flight finish while the consumer commits what it applied.
      await Promise.all([ingest.stop(), server.close()]);
      logger.info('exposer stopped');
      logger.flush?.();
    },
  };
}
