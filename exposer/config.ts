/**
 * The exposer's configuration: one zod schema for flags, EXPOSER_* environment variables and a YAML file
 * (`--config`), with precedence flag > env > file > default. A bad value names the key, where it came from and,
 * for YAML, the line.
 */
import { readFileSync } from 'node:fs';
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { formatDuration, parseDuration } from '../exposition/duration.js';
import { DEFAULT_MAX_FUTURE_SKEW_MS } from './decode.js';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** A duration in Prometheus syntax, or a number of seconds (YAML); resolveConfig names the key and its origin. */
const duration = () =>
  z.union([z.string(), z.number()]).transform((value, ctx) => {
    const ms = typeof value === 'number' ? value * 1000 : parseDuration(value);
    if (ms === undefined || !Number.isFinite(ms) || ms < 0) {
      ctx.addIssue({
        code: 'custom',
        message: 'expected a duration such as 30s, 10m or 1h30m',
        input: value,
      });
      return z.NEVER;
    }
    return ms;
  });

const positiveInt = z.coerce
  .number({ error: 'expected a whole number' })
  .int('expected a whole number')
  .positive('must be greater than 0');
/** A count where 0 means no limit: only digits or a number, so that an empty value or `true` is never read as 0 or 1. */
const limitOrZero = z
  .union([z.number(), z.string().trim().regex(/^\d+$/, 'expected a whole number (0 = no limit)')], {
    error: 'expected a whole number (0 = no limit)',
  })
  .transform(Number)
  .pipe(z.number().int('expected a whole number (0 = no limit)').min(0, 'must not be negative'));
const listOf = z
  .union([z.string(), z.array(z.string())])
  .transform((value) =>
    (Array.isArray(value) ? value : value.split(',')).map((s) => s.trim()).filter(Boolean),
  );
const bool = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0'])], {
    error: 'expected true or false (or 1 or 0)',
  })
  .transform((v) => v === true || v === 'true' || v === '1');
/** A Kafka topic name: 1 to 249 of letters, digits, `.`, `_` and `-`. */
export const TOPIC_PATTERN = /^[A-Za-z0-9._-]{1,249}$/;
/** One Kafka bootstrap address; kafkajs would otherwise retry a port-less "kafka" forever (port NaN). */
export const BROKER_PATTERN = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/;
const listen = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]*):\d{1,5}$/, 'expected HOST:PORT, e.g. 127.0.0.1:9464')
  .refine(
    (value) => Number(value.slice(value.lastIndexOf(':') + 1)) <= 65535,
    'the port must be at most 65535',
  );

/** The single source of truth: every key, its type and its default. */
export const configSchema = z.object({
  brokers: listOf
    .pipe(
      z
        .array(z.string().regex(BROKER_PATTERN, 'expected host:port, e.g. 127.0.0.1:9092'))
        .min(1, 'at least one broker host:port'),
    )
    .default(['127.0.0.1:9092']),
  topics: listOf
    .pipe(z.array(z.string().regex(TOPIC_PATTERN, 'invalid Kafka topic name')).min(1))
    .default(['metrics']),
  group: z.string().min(1).default('queuefront-exposer'),
  clientId: z.string().min(1).default('queuefront-exposer'),
  createTopic: bool.default(true),
  partitions: positiveInt.max(10_000).default(6),
  replayWindow: duration().optional(),
  listen: listen.default('127.0.0.1:9464'),
  timestamps: z.enum(['none', 'source', 'drain']).default('none'),
  sourceTtl: duration().default(0),
  maxSeries: positiveInt.default(2_000_000),
  maxSeriesPerSource: positiveInt.default(50_000),
  maxLabelNameLength: positiveInt.default(128),
  maxLabelValueLength: positiveInt.default(2048),
  maxLabelsPerSeries: positiveInt.default(32),
  maxMessageBytes: positiveInt.default(8 * 1024 * 1024),
  maxFutureSkew: duration().default(DEFAULT_MAX_FUTURE_SKEW_MS),
  webConfig: z.string().min(1).optional(),
  webMaxRequests: limitOrZero.pipe(z.number().max(100_000, 'must be at most 100000')).default(40),
  bearerTokenFile: z.string().min(1).optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type ExposerConfig = z.output<typeof configSchema> & { replayWindowMs: number };
type Key = keyof z.input<typeof configSchema>;

/** How each key is spelled as a flag, an environment variable and a YAML key. */
export const configKeys: readonly { key: Key; flag: string; env: string; yaml: string; help: string }[] = [
  {
    key: 'brokers',
    flag: 'brokers',
    env: 'EXPOSER_BROKERS',
    yaml: 'brokers',
    help: 'Kafka bootstrap brokers, comma-separated host:port (a YAML list too)',
  },
  {
    key: 'topics',
    flag: 'topic',
    env: 'EXPOSER_TOPIC',
    yaml: 'topics',
    help: 'topic(s) to consume, comma-separated (a YAML list too)',
  },
  {
    key: 'group',
    flag: 'group',
    env: 'EXPOSER_GROUP',
    yaml: 'group',
    help: 'consumer group id (exposers in one group split the partitions)',
  },
  {
    key: 'clientId',
    flag: 'client-id',
    env: 'EXPOSER_CLIENT_ID',
    yaml: 'client_id',
    help: 'Kafka client id (in broker logs and quotas)',
  },
  {
    key: 'createTopic',
    flag: 'create-topic',
    env: 'EXPOSER_CREATE_TOPIC',
    yaml: 'create_topic',
    help: 'create the topic when missing (--no-create-topic: never)',
  },
  {
    key: 'partitions',
    flag: 'partitions',
    env: 'EXPOSER_PARTITIONS',
    yaml: 'partitions',
    help: 'partitions of a topic the exposer creates (an existing topic keeps its own)',
  },
  {
    key: 'replayWindow',
    flag: 'replay-window',
    env: 'EXPOSER_REPLAY_WINDOW',
    yaml: 'replay_window',
    help: 'on assignment, replay records newer than now minus this (default: the source TTL, or 10m without one)',
  },
  {
    key: 'listen',
    flag: 'listen',
    env: 'EXPOSER_LISTEN',
    yaml: 'listen',
    help: 'HTTP address HOST:PORT to serve on (0.0.0.0:9464 in a container)',
  },
  {
    key: 'timestamps',
    flag: 'timestamps',
    env: 'EXPOSER_TIMESTAMPS',
    yaml: 'timestamps',
    help: 'none: last values, stamped by Prometheus; source: last values with the producer timestamps; drain: every sample since the previous scrape, each with its timestamp',
  },
  {
    key: 'sourceTtl',
    flag: 'source-ttl',
    env: 'EXPOSER_SOURCE_TTL',
    yaml: 'source_ttl',
    help: 'drop a source not updated within this (0 = never)',
  },
  {
    key: 'maxSeries',
    flag: 'max-series',
    env: 'EXPOSER_MAX_SERIES',
    yaml: 'max_series',
    help: 'series held in total; a record that would pass it is refused',
  },
  {
    key: 'maxSeriesPerSource',
    flag: 'max-series-per-source',
    env: 'EXPOSER_MAX_SERIES_PER_SOURCE',
    yaml: 'max_series_per_source',
    help: 'series held per source; a record that would pass it is refused',
  },
  {
    key: 'maxLabelNameLength',
    flag: 'max-label-name-length',
    env: 'EXPOSER_MAX_LABEL_NAME_LENGTH',
    yaml: 'max_label_name_length',
    help: 'longest label name, in characters',
  },
  {
    key: 'maxLabelValueLength',
    flag: 'max-label-value-length',
    env: 'EXPOSER_MAX_LABEL_VALUE_LENGTH',
    yaml: 'max_label_value_length',
    help: 'longest label value, in characters',
  },
  {
    key: 'maxLabelsPerSeries',
    flag: 'max-labels-per-series',
    env: 'EXPOSER_MAX_LABELS_PER_SERIES',
    yaml: 'max_labels_per_series',
    help: 'most labels on one series, job, instance and group labels included',
  },
  {
    key: 'maxMessageBytes',
    flag: 'max-message-bytes',
    env: 'EXPOSER_MAX_MESSAGE_BYTES',
    yaml: 'max_message_bytes',
    help: 'largest record value, in bytes, checked before decoding',
  },
  {
    key: 'maxFutureSkew',
    flag: 'max-future-skew',
    env: 'EXPOSER_MAX_FUTURE_SKEW',
    yaml: 'max_future_skew',
    help: 'refuse records with a sample timestamp further ahead of now than this (0 = no check)',
  },
  {
    key: 'webConfig',
    flag: 'web.config',
    env: 'EXPOSER_WEB_CONFIG',
    yaml: 'web_config',
    help: 'exporter-toolkit web config YAML file: TLS and basic auth',
  },
  {
    key: 'webMaxRequests',
    flag: 'web.max-requests',
    env: 'EXPOSER_WEB_MAX_REQUESTS',
    yaml: 'web_max_requests',
    help: 'scrapes of /metrics served at once; one more gets 503 (0 = no limit)',
  },
  {
    key: 'bearerTokenFile',
    flag: 'bearer-token-file',
    env: 'EXPOSER_BEARER_TOKEN_FILE',
    yaml: 'bearer_token_file',
    help: 'file holding a bearer token that every request must carry (or a --web.config basic auth user)',
  },
  {
    key: 'logLevel',
    flag: 'log-level',
    env: 'EXPOSER_LOG_LEVEL',
    yaml: 'log_level',
    help: 'fatal, error, warn, info, debug, trace or silent (pino JSON logs on stderr)',
  },
];

interface Layered {
  value: unknown;
  where: string;
}

function readYaml(file: string): Map<Key, Layered> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `${file}: cannot read the config file (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    );
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const at = (offset: number): string => {
    const { line, col } = lineCounter.linePos(offset);
    return `${file}:${line}:${col}`;
  };
  const firstError = doc.errors[0];
  if (firstError)
    throw new ConfigError(`${at(firstError.pos[0])}: invalid YAML: ${firstError.message.split('\n')[0]}`);
  const out = new Map<Key, Layered>();
  if (doc.contents === null) return out;
  if (!isMap(doc.contents)) throw new ConfigError(`${file}: expected a mapping of configuration keys`);
  for (const pair of doc.contents.items) {
    const keyNode = pair.key;
    const name = isScalar(keyNode) ? String(keyNode.value) : '';
    const spec = configKeys.find((k) => k.yaml === name);
    const offset = isScalar(keyNode) && keyNode.range ? keyNode.range[0] : 0;
    if (!spec) {
      throw new ConfigError(
        `${at(offset)}: unknown key ${JSON.stringify(name)} (known: ${configKeys.map((k) => k.yaml).join(', ')})`,
      );
    }
    const value: unknown = isScalar(pair.value)
      ? pair.value.value
      : (pair.value as { toJSON?: () => unknown } | null)?.toJSON?.();
    out.set(spec.key, { value, where: at(offset) });
  }
  return out;
}

export interface ConfigSources {
  /** Values given as flags (commander's camel-cased option names are mapped by `configKeys`). */
  readonly flags: Readonly<Partial<Record<Key, unknown>>>;
  readonly env: NodeJS.ProcessEnv;
  /** The YAML file, from --config or EXPOSER_CONFIG. */
  readonly file?: string | undefined;
}

/** Merges the layers and validates each key where it came from, so the error names that place. */
export function resolveConfig(sources: ConfigSources): ExposerConfig {
  const layers = new Map<Key, Layered>();
  if (sources.file) for (const [key, layered] of readYaml(sources.file)) layers.set(key, layered);
  for (const spec of configKeys) {
    const fromEnv = sources.env[spec.env];
    if (fromEnv !== undefined && fromEnv !== '')
      layers.set(spec.key, { value: fromEnv, where: `environment variable ${spec.env}` });
    const fromFlag = sources.flags[spec.key];
    if (fromFlag !== undefined) layers.set(spec.key, { value: fromFlag, where: `flag --${spec.flag}` });
  }
  const raw: Record<string, unknown> = {};
  for (const [key, { value, where }] of layers) {
    const checked = configSchema.shape[key].safeParse(value);
    if (!checked.success) {
      const spec = configKeys.find((k) => k.key === key);
      throw new ConfigError(
        `${where}: ${spec?.yaml ?? key}: ${checked.error.issues.map((i) => i.message).join('; ')}`,
      );
    }
    raw[key] = value;
  }
  const parsed = configSchema.parse(raw);
  const replayWindowMs = parsed.replayWindow ?? (parsed.sourceTtl > 0 ? parsed.sourceTtl : 10 * 60_000);
  return { ...parsed, replayWindowMs };
}

/** The effective configuration as YAML keys, for logs and the status page. */
export function describeConfig(config: ExposerConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const spec of configKeys) {
    const value = config[spec.key];
    if (value === undefined) continue;
    out[spec.yaml] =
      spec.key === 'sourceTtl' || spec.key === 'replayWindow' || spec.key === 'maxFutureSkew'
        ? formatDuration(value as number)
        : value;
  }
  out['replay_window'] = formatDuration(config.replayWindowMs);
  return out;
}
