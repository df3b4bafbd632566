/**
 * The pieces a lab scenario starts on loopback, each with a way to stop it: Kafka topics, exposers (each its own
 * process, as in production), demo apps, the lab agent (the apps' producer figures on a /metrics for Prometheus
 * to scrape), a Prometheus and a Pushgateway. A `Scope` stops what a scenario started, in reverse order, even
 * when the scenario fails.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { Counter, Registry, collectDefaultMetrics } from 'prom-client';
import { startPrometheus, type PrometheusHandle } from '../deploy/prometheus/server.js';
import { startPushgateway, type PushgatewayHandle } from '../deploy/pushgateway.js';
import { startDemoApp, type DemoApp } from '../exposer/demo-app.js';
import { projectRoot } from '../scripts/project-root.js';
import { freePort } from '../test/ports.js';

/** Stops what was started, last first; a failing stop does not keep the others from stopping. */
export class Scope {
  private readonly stops: { what: string; stop: () => Promise<void> }[] = [];

  defer(what: string, stop: () => Promise<void>): void {
    this.stops.push({ what, stop });
  }

  async close(): Promise<string[]> {
    const problems: string[] = [];
    for (const { what, stop } of this.stops.splice(0).reverse()) {
      try {
        await stop();
      } catch (error) {
        problems.push(`stopping ${what}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return problems;
  }
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

function kafkaClient(brokers: string): Kafka {
  return new Kafka({
    clientId: 'queuefront-lab',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
    retry: { retries: 5, initialRetryTime: 200 },
  });
}

/** Creates the topics before any app pushes, so that no first push fails on a missing topic. */
export async function createTopics(
  brokers: string,
  topics: readonly string[],
  partitions = 1,
): Promise<void> {
  const admin = kafkaClient(brokers).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: topics.map((topic) => ({ topic, numPartitions: partitions })),
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
}

export async function deleteTopics(brokers: string, topics: readonly string[]): Promise<void> {
  const admin = kafkaClient(brokers).admin();
  try {
    await admin.connect();
    await admin.deleteTopics({ topics: [...topics], timeout: 10_000 });
  } catch {
    // best effort: the broker may be gone (queue-down) or the topic already deleted
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export function producer(brokers: string): ReturnType<Kafka['producer']> {
  return kafkaClient(brokers).producer({ allowAutoTopicCreation: false });
}

export function consumer(brokers: string, groupId: string): ReturnType<Kafka['consumer']> {
  return kafkaClient(brokers).consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1000 });
}

export interface ExposerProcess {
  readonly url: string;
  /** host:port, what Prometheus scrapes. */
  readonly target: string;
  readonly pid: number;
  /** SIGTERM, then SIGKILL after a grace period. */
  stop(): Promise<void>;
}

export interface ExposerProcessOptions {
  readonly brokers: string;
  readonly topic: string;
  readonly group?: string;
  readonly timestamps?: 'none' | 'source' | 'drain';
  /** A duration string such as 30s; 0 or absent = no TTL. */
  readonly sourceTtl?: string;
  readonly replayWindow?: string;
  readonly maxSeries?: number;
}

/**
 * One exposer as its own Node process (`exposer serve`), the way it runs in production: its rendering and its
 * memory are not the lab's. Resolves when /-/healthy answers.
 */
export async function startExposer(options: ExposerProcessOptions, scope: Scope): Promise<ExposerProcess> {
  const port = await freePort();
  const target = `127.0.0.1:${port}`;
  const logDir = mkdtempSync(join(tmpdir(), 'queuefront-lab-exposer-'));
  const logFile = join(logDir, 'exposer.log');
  const out = openSync(logFile, 'a');
  const root = projectRoot();
  const args = [
    '--import',
    'tsx',
    join(root, 'exposer', 'cli.ts'),
    'serve',
    '--brokers',
    options.brokers,
    '--topic',
    options.topic,
    '--group',
    options.group ?? uniqueName('lab-exposer'),
    '--listen',
    target,
    '--timestamps',
    options.timestamps ?? 'none',
    '--source-ttl',
    options.sourceTtl ?? '0s',
    '--log-level',
    'warn',
    '--no-create-topic',
    ...(options.replayWindow === undefined ? [] : ['--replay-window', options.replayWindow]),
    ...(options.maxSeries === undefined ? [] : ['--max-series', String(options.maxSeries)]),
  ];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: root,
    stdio: ['ignore', out, out],
    env: { ...process.env, NODE_OPTIONS: '--max-old-space-size=3072' },
  });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const logTail = (): string => {
    try {
      return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-15).join('\n');
    } catch {
      return '';
    }
  };
  const stop = async (): Promise<void> => {
    if (!exited) {
      child.kill('SIGTERM');
      for (let i = 0; i < 30 && !exited; i++) await sleep(100);
      if (!exited) child.kill('SIGKILL');
      for (let i = 0; i < 50 && !exited; i++) await sleep(100);
    }
    rmSync(logDir, { recursive: true, force: true });
  };
  scope.defer(`exposer ${target}`, stop);
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`the exposer exited during start-up:\n${logTail()}`);
    try {
      if ((await fetch(`http://${target}/-/healthy`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline)
      throw new Error(`the exposer was not healthy on ${target} within 60 s:\n${logTail()}`);
    await sleep(150);
  }
  return { url: `http://${target}`, target, pid: child.pid ?? -1, stop };
}

export interface AppFleetOptions {
  readonly count: number;
  readonly job: string;
  readonly series: number;
  readonly brokers?: string;
  readonly topic: string;
  readonly pushIntervalMs: number;
  readonly timestamps: boolean;
  readonly pushgateway?: string;
}

/** N demo apps, each serving its own /metrics and pushing the same metrics to Kafka (and the Pushgateway). */
export async function startApps(options: AppFleetOptions, scope: Scope): Promise<DemoApp[]> {
  const apps: DemoApp[] = [];
  for (let i = 0; i < options.count; i++) {
    const app = await startDemoApp({
      port: 0,
      host: '127.0.0.1',
      job: options.job,
      series: options.series,
      brokers: options.brokers === undefined ? undefined : options.brokers.split(','),
      topic: options.topic,
      pushIntervalMs: options.pushIntervalMs,
      timestamps: options.timestamps,
      pushgateway: options.pushgateway,
    });
    apps.push(app);
    scope.defer(`demo app ${app.instance}`, () => app.stop());
  }
  return apps;
}

export function targetOf(url: string): string {
  return url.replace(/^https?:\/\//, '');
}

/**
 * The lab agent: a /metrics for Prometheus with what only the lab process knows — the demo apps' producer
 * outcomes (`lab_app_pushes_total{instance,result}`) and this process's memory (the producers live here).
 */
export async function startAgent(apps: readonly DemoApp[], scope: Scope): Promise<{ target: string }> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const seen = new Map<string, number>();
  new Counter({
    name: 'lab_app_pushes_total',
    help: 'Pushes of the demo apps to Kafka, by instance and result (ok, failed).',
    labelNames: ['instance', 'result'],
    registers: [registry],
    collect() {
      for (const app of apps) {
        for (const [result, value] of [
          ['ok', app.stats.pushed],
          ['failed', app.stats.failed],
        ] as const) {
          const key = `${app.instance}/${result}`;
          const delta = value - (seen.get(key) ?? 0);
          seen.set(key, value);
          this.inc({ instance: app.instance, result }, delta);
        }
      }
    },
  });
  const server: Server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
      (error: unknown) => res.writeHead(500).end(String(error)),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  scope.defer('lab agent', async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { target: `127.0.0.1:${(server.address() as AddressInfo).port}` };
}

export interface ScrapeJob {
  readonly name: string;
  readonly targets: readonly string[];
  readonly interval?: string;
  readonly timeout?: string;
  readonly honorLabels?: boolean;
}

/** A Prometheus scraping `jobs` plus itself (job `prometheus`, for its own out-of-order/duplicate counters). */
export async function startLabPrometheus(
  jobs: readonly ScrapeJob[],
  scope: Scope,
  interval = '1s',
): Promise<PrometheusHandle> {
  const port = await freePort();
  const prometheus = await startPrometheus({
    port,
    scrapeInterval: interval,
    scrapeConfigs: [
      ...jobs.map((job) => ({
        job_name: job.name,
        honor_labels: job.honorLabels ?? false,
        ...(job.interval === undefined ? {} : { scrape_interval: job.interval }),
        ...(job.timeout === undefined ? {} : { scrape_timeout: job.timeout }),
        static_configs: [{ targets: [...job.targets] }],
      })),
      { job_name: 'prometheus', static_configs: [{ targets: [`127.0.0.1:${port}`] }] },
    ],
  });
  scope.defer(`prometheus ${prometheus.url}`, () => prometheus.stop());
  return prometheus;
}

export async function startLabPushgateway(scope: Scope): Promise<PushgatewayHandle> {
  const pushgateway = await startPushgateway({ port: await freePort() });
  scope.defer(`pushgateway ${pushgateway.url}`, () => pushgateway.stop());
  return pushgateway;
}
