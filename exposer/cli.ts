#!/usr/bin/env node
/**
 * The `exposer` command. cli.ts only wires commander to the plain async functions that do the work (serve,
 * loadgen, demo-app); typed errors become one-line messages and exit codes here, in one place.
 */
import { Command, CommanderError, Option } from 'commander';
import { BROKER_PATTERN, ConfigError, TOPIC_PATTERN, configKeys, configSchema } from './config.js';
import { serve } from './serve.js';
import { runLoadgen } from './loadgen.js';
import { startDemoApp } from './demo-app.js';
import { formatDuration, parseDuration } from '../exposition/duration.js';
import { isMain } from '../scripts/is-main.js';
import { VERSION } from '../lint/version.js';

class UsageError extends Error {
  override readonly name = 'UsageError';
}

function durationMs(text: string, flag: string): number {
  const ms = parseDuration(text);
  if (ms === undefined)
    throw new UsageError(`${flag}: ${JSON.stringify(text)} is not a duration such as 30s, 10m or 1h30m`);
  return ms;
}

/** A duration above 0 (an interval of 0 would push in a tight loop). */
function positiveDurationMs(text: string, flag: string): number {
  const ms = durationMs(text, flag);
  if (ms <= 0) throw new UsageError(`${flag}: ${JSON.stringify(text)} must be longer than 0, such as 5s`);
  return ms;
}

function topicName(text: string, flag: string): string {
  if (!TOPIC_PATTERN.test(text))
    throw new UsageError(
      `${flag}: ${JSON.stringify(text)} is not a Kafka topic name (1 to 249 letters, digits, ".", "_" or "-")`,
    );
  return text;
}

function positive(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0)
    throw new UsageError(`${flag}: ${JSON.stringify(text)} is not a positive number`);
  return n;
}

function brokerList(text: string, flag: string): string[] {
  const brokers = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = brokers.find((b) => !BROKER_PATTERN.test(b));
  if (brokers.length === 0 || bad !== undefined)
    throw new UsageError(
      `${flag}: ${JSON.stringify(bad ?? text)} is not a host:port list such as 127.0.0.1:9092,kafka-2:9092`,
    );
  return brokers;
}

function httpUrl(text: string, flag: string): string {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    throw new UsageError(`${flag}: ${JSON.stringify(text)} is not an http:// or https:// URL`);
  return text;
}

const COMMANDS = ['serve', 'loadgen', 'demo-app', 'help'];

/** The value each serve flag takes, as its help shows it (commander would print `<value>` for all). */
const VALUE_NAMES: Partial<Record<(typeof configKeys)[number]['key'], string>> = {
  brokers: '<host:port,...>',
  topics: '<name,...>',
  group: '<id>',
  clientId: '<id>',
  partitions: '<n>',
  replayWindow: '<duration>',
  listen: '<host:port>',
  timestamps: '<mode>',
  sourceTtl: '<duration>',
  maxSeries: '<n>',
  maxSeriesPerSource: '<n>',
  maxLabelNameLength: '<n>',
  maxLabelValueLength: '<n>',
  maxLabelsPerSeries: '<n>',
  maxMessageBytes: '<bytes>',
  maxFutureSkew: '<duration>',
  webConfig: '<file>',
  webMaxRequests: '<n>',
  bearerTokenFile: '<file>',
  logLevel: '<level>',
};
const DURATION_KEYS = new Set(['replayWindow', 'sourceTtl', 'maxFutureSkew']);

/** The default of a key as the help shows it, read from the schema (the single source of truth). */
function shownDefault(key: string, value: unknown): string | undefined {
  if (Array.isArray(value)) return value.join(',');
  if (typeof value === 'string') return value;
  if (typeof value !== 'number') return undefined;
  if (DURATION_KEYS.has(key)) return formatDuration(value);
  if (key === 'maxMessageBytes') return `${value} = ${value / 1024 / 1024} MiB`;
  return String(value);
}

/** A count: a whole number above 0, up to `max` (a typo of a few digits should not become a billion). */
function count(text: string, flag: string, max: number): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n) || n <= 0 || n > max)
    throw new UsageError(`${flag}: ${JSON.stringify(text)} is not a whole number from 1 to ${max}`);
  return n;
}

function waitForSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

export function buildProgram(): Command {
  const program = new Command('exposer')
    .description(
      'Consumes metrics that apps push to Kafka and serves them on one /metrics for Prometheus to scrape: the ' +
        'queue-in-front-of-Prometheus design, built as well as it can be and instrumented so its costs show.',
    )
    .addHelpText(
      'after',
      `
Examples:
  exposer serve --brokers 127.0.0.1:9092 --topic metrics    (a bare \`exposer\` runs serve)
  exposer loadgen --sources 100 --series 120 --rate 50 --duration 1m
  exposer demo-app --port 9101 --brokers 127.0.0.1:9092
  exposer serve --help                                       (every flag, env variable and YAML key)

Docs: docs/exposer.md`,
    )
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError('(exposer --help lists the commands, exposer COMMAND --help their flags)')
    .configureHelp({ sortOptions: false });

  const serveCommand = program
    .command('serve', { isDefault: true })
    .description(
      'consume the topic(s) and serve /metrics, /-/healthy, /-/ready, /api/v1/sources and a status page',
    );
  serveCommand.option(
    '--config <file>',
    'YAML file with any of the keys below, by their YAML names (env EXPOSER_CONFIG)',
  );
  const defaults: Record<string, unknown> = configSchema.parse({});
  // Commander names an option's value after the flag (`--web.config` -> `web.config`); keep its own name.
  const attributes = new Map<string, string>();
  for (const spec of configKeys) {
    const option =
      spec.key === 'createTopic'
        ? new Option(
            '--no-create-topic',
            `never create a missing topic; the default creates it (env ${spec.env}=false; YAML ${spec.yaml})`,
          )
        : new Option(
            `--${spec.flag} ${VALUE_NAMES[spec.key] ?? '<value>'}`,
            `${spec.help} (${[
              ...(shownDefault(spec.key, defaults[spec.key]) === undefined
                ? []
                : [`default: ${shownDefault(spec.key, defaults[spec.key])}`]),
              `env ${spec.env}`,
              `YAML ${spec.yaml}`,
            ].join('; ')})`,
          );
    attributes.set(spec.key, option.attributeName());
    serveCommand.addOption(option);
  }
  serveCommand.addHelpText(
    'after',
    `
Precedence: flag > environment > --config file > default. Durations: 30s, 10m, 1h30m (Prometheus syntax).

Examples:
  exposer serve --brokers 127.0.0.1:9092 --topic metrics
  exposer serve --timestamps source --source-ttl 5m --listen 0.0.0.0:9464
  exposer serve --max-series 500000 --web.max-requests 10     (bound memory on a small machine)
  EXPOSER_BROKERS=kafka:9092 exposer --config exposer.yaml`,
  );
  serveCommand.action(async (raw: Record<string, unknown>) => {
    const flags: Record<string, unknown> = {};
    for (const spec of configKeys) {
      const value = raw[attributes.get(spec.key) ?? spec.key];
      if (spec.key === 'createTopic') {
        if (value === false) flags[spec.key] = false;
      } else if (value !== undefined) flags[spec.key] = value;
    }
    const file = (raw['config'] as string | undefined) ?? process.env['EXPOSER_CONFIG'];
    const running = await serve({ flags, env: process.env, file });
    // Node ends a process on SIGHUP without stopping it cleanly; the Pushgateway goes on. Prometheus users send it
    // to reload a configuration, which the exposer reads only at start: say so and keep serving.
    const onHangup = (): void =>
      running.logger.warn(
        'SIGHUP received: the exposer has no configuration to reload (restart it to apply a change); still serving',
      );
    process.on('SIGHUP', onHangup);
    await waitForSignal();
    process.off('SIGHUP', onHangup);
    await running.stop();
  });

  program
    .command('loadgen')
    .description('push synthetic sources x series to the topic at a bounded rate for a bounded time')
    .option(
      '--brokers <host:port,...>',
      'Kafka brokers, comma-separated (env EXPOSER_BROKERS)',
      process.env['EXPOSER_BROKERS'] ?? '127.0.0.1:9092',
    )
    .option('--topic <name>', 'topic to produce to', 'metrics')
    .option('--sources <n>', 'distinct job/instance sources', '10')
    .option('--series <n>', 'series per source (rounded to whole routes of 12)', '120')
    .option(
      '--rate <n>',
      'records per second, all sources together (one record = one push of one source)',
      '10',
    )
    .option('--duration <duration>', 'how long to run: 30s, 10m, 1h30m', '30s')
    .addOption(
      new Option(
        '--format <format>',
        'record value: json (the message contract) or text (text 0.0.4 with headers)',
      )
        .choices(['json', 'text'])
        .default('json'),
    )
    .option('--job <name>', 'job label of the sources', 'loadgen')
    .option('--timestamps', 'add the producer timestamp to every message (default: off)')
    .option('--batch <n>', 'most records in one produce request', '100')
    .addHelpText(
      'after',
      '\nExample:\n  exposer loadgen --sources 1000 --series 100 --rate 500 --duration 1m',
    )
    .action(async (raw: Record<string, string | boolean | undefined>) => {
      const summary = await runLoadgen({
        brokers: brokerList(String(raw['brokers']), '--brokers'),
        topic: topicName(String(raw['topic']), '--topic'),
        sources: count(String(raw['sources']), '--sources', 1_000_000),
        series: count(String(raw['series']), '--series', 1_000_000),
        rate: positive(String(raw['rate']), '--rate'),
        durationMs: durationMs(String(raw['duration']), '--duration'),
        format: raw['format'] === 'text' ? 'text' : 'json',
        job: String(raw['job']),
        timestamps: raw['timestamps'] === true,
        batch: count(String(raw['batch']), '--batch', 100_000),
        progress: process.stderr.isTTY ? (line) => process.stderr.write(`\r${line}`) : undefined,
      });
      if (process.stderr.isTTY) process.stderr.write('\n');
      process.stdout.write(`${JSON.stringify(summary)}\n`);
      if (summary.producerErrors > 0) process.exitCode = 1;
    });

  program
    .command('demo-app')
    .description(
      'an app serving its own /metrics (for direct scraping) that can also push the same metrics to Kafka',
    )
    .option('--port <port>', 'HTTP port to serve /metrics on (0 = any free port, printed at start)', '0')
    .option('--host <host>', 'bind address', '127.0.0.1')
    .option('--job <name>', 'job label', 'demo')
    .option('--instance <name>', 'instance label (default: the HOST:PORT it serves on)')
    .option('--series <n>', 'about how many series (rounded to whole routes of 12)', '48')
    .option('--brokers <host:port,...>', 'also push to Kafka, through these brokers (default: no push)')
    .option('--topic <name>', 'topic to push to', 'metrics')
    .option('--push-interval <duration>', 'how often to push: 5s, 1m', '5s')
    .option('--timestamps', 'add the producer timestamp to every pushed message (default: off)')
    .option(
      '--pushgateway <url>',
      'also PUT the metrics to this Pushgateway every push interval (default: no PUT)',
    )
    .addHelpText(
      'after',
      '\nExample:\n  exposer demo-app --port 9101 --brokers 127.0.0.1:9092 --topic metrics',
    )
    .action(async (raw: Record<string, string | boolean | undefined>) => {
      const port = Number(raw['port']);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new UsageError(`--port: ${String(raw['port'])} is not a port`);
      const app = await startDemoApp({
        port,
        host: String(raw['host']),
        job: String(raw['job']),
        instance: raw['instance'] === undefined ? undefined : String(raw['instance']),
        series: count(String(raw['series']), '--series', 1_000_000),
        brokers: typeof raw['brokers'] === 'string' ? brokerList(raw['brokers'], '--brokers') : undefined,
        topic: topicName(String(raw['topic']), '--topic'),
        pushIntervalMs: positiveDurationMs(String(raw['pushInterval']), '--push-interval'),
        timestamps: raw['timestamps'] === true,
        pushgateway:
          typeof raw['pushgateway'] === 'string' ? httpUrl(raw['pushgateway'], '--pushgateway') : undefined,
        onError: (message) => process.stderr.write(`demo-app: ${message}\n`),
      });
      process.stdout.write(`demo-app ${app.instance} serving ${app.url}/metrics\n`);
      await waitForSignal();
      await app.stop();
    });
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  // A bare `exposer` runs serve, so commander would take a mistyped command for serve's argument
  // ("too many arguments for 'serve'"); name it for what it is.
  const first = argv[0];
  if (first !== undefined && !first.startsWith('-') && !COMMANDS.includes(first)) {
    process.stderr.write(
      `exposer: unknown command ${JSON.stringify(first)} (commands: serve, loadgen, demo-app; exposer --help)\n`,
    );
    return 2;
  }
  try {
    await buildProgram().parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    // --help and --version end as "errors" with exit code 0; a wrong flag is a usage error (2).
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof UsageError || error instanceof ConfigError || error instanceof RangeError) {
      process.stderr.write(`exposer: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(
      `exposer: ${error instanceof Error ? error.message : String(error)}${brokerHint(error)}\n`,
    );
    return 1;
  }
}

/**
 * What to check when kafkajs could not reach a broker at all (its errors name the address, not the setting):
 * the `--brokers` flag, or `npm run kafka:start` for the project's own broker.
 */
export function brokerHint(error: unknown): string {
  if (!(error instanceof Error) || !error.name.startsWith('KafkaJS')) return '';
  const unreachable = /Connection error|ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|Connection timeout/.test(
    error.message,
  );
  return unreachable
    ? ' (no Kafka broker answered: check --brokers; npm run kafka:start runs a local one on 127.0.0.1:9092)'
    : '';
}

if (isMain(import.meta.filename)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    () => process.exit(1),
  );
}
