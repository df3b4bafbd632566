/**
 * `exposer demo-app`: one application that does both things the lab compares. It serves its metrics on its own
 * /metrics for direct scraping and, when given brokers, pushes the same metrics to Kafka every push interval (and
 * optionally PUTs them to a Pushgateway). Stopping it (or killing it) is how the lab simulates a dead app.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { SyntheticApp } from './workload.js';

export interface DemoAppOptions {
  readonly port: number;
  readonly host: string;
  readonly job: string;
  readonly instance?: string | undefined;
  readonly series: number;
  readonly brokers?: readonly string[] | undefined;
  readonly topic: string;
  readonly pushIntervalMs: number;
  /** Adds the producer's timestamp to each pushed message. */
  readonly timestamps: boolean;
  /** A Pushgateway base URL to PUT the same metrics to. */
  readonly pushgateway?: string | undefined;
  readonly onError?: ((message: string) => void) | undefined;
}

export interface DemoApp {
  readonly url: string;
  readonly instance: string;
  /** Pushes sent and acknowledged, failed. */
  readonly stats: { pushed: number; failed: number; pushgatewayPuts: number; pushgatewayFailures: number };
  stop(): Promise<void>;
}

export async function startDemoApp(options: DemoAppOptions): Promise<DemoApp> {
  const server: Server = createServer((req, res) => {
    if (req.url === '/metrics' && (req.method === 'GET' || req.method === 'HEAD')) {
      const body = app.toText();
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    res.writeHead(req.url === '/metrics' ? 405 : 404, { 'content-type': 'text/plain' }).end('not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  const port = (server.address() as AddressInfo).port;
  const instance = options.instance ?? `${options.host}:${port}`;
  const app = new SyntheticApp(options.job, instance, options.series, port);
  const stats = { pushed: 0, failed: 0, pushgatewayPuts: 0, pushgatewayFailures: 0 };

  let producer: Producer | undefined;
  if (options.brokers && options.brokers.length > 0) {
    producer = new Kafka({
      clientId: `demo-app-${instance}`,
      brokers: [...options.brokers],
      logLevel: logLevel.NOTHING,
      retry: { retries: 2, initialRetryTime: 200 },
    }).producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
    try {
      await producer.connect();
    } catch (error) {
      options.onError?.(`cannot connect to Kafka: ${String(error)}`);
    }
  }

  let lastTick = Date.now();
  const push = async (): Promise<void> => {
    const now = Date.now();
    app.tick((now - lastTick) / 1000);
    lastTick = now;
    const work: Promise<void>[] = [];
    if (producer) {
      const value = JSON.stringify(app.toMessage(options.timestamps ? now : undefined));
      work.push(
        producer
          .send({ topic: options.topic, messages: [{ key: `${options.job}/${instance}`, value }] })
          .then(
            () => void stats.pushed++,
            (error: unknown) => {
              stats.failed++;
              options.onError?.(`push to Kafka failed: ${String(error)}`);
            },
          ),
      );
    }
    if (options.pushgateway) {
      const url = `${options.pushgateway.replace(/\/$/, '')}/metrics/job/${encodeURIComponent(options.job)}/instance/${encodeURIComponent(instance)}`;
      work.push(
        fetch(url, {
          method: 'PUT',
          body: app.toText(),
          headers: { 'content-type': 'text/plain; version=0.0.4' },
        }).then(
          (response) => {
            if (response.ok) stats.pushgatewayPuts++;
            else {
              stats.pushgatewayFailures++;
              options.onError?.(`PUT ${url} answered ${response.status} ${response.statusText}`.trimEnd());
            }
          },
          (error: unknown) => {
            stats.pushgatewayFailures++;
            const cause = (error as { cause?: { code?: string } }).cause?.code;
            options.onError?.(`PUT ${url} failed: ${cause ?? String(error)}`);
          },
        ),
      );
    }
    await Promise.all(work);
  };
  // Ticks also when nothing is pushed, so direct scrapes see moving counters.
  const timer = setInterval(() => void push(), options.pushIntervalMs);
  void push();

  return {
    url: `http://${options.host}:${port}`,
    instance,
    stats,
    stop: async () => {
      clearInterval(timer);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await producer?.disconnect().catch(() => undefined);
    },
  };
}
