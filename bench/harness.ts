/**
 * The moving parts the comparisons share: an exposer child process driven over IPC, a Kafka topic with the
 * synthetic fleet's records, kcat reading it, and Pushgateway PUTs of the same bodies.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { CompressionTypes, Kafka, logLevel, type Message } from 'kafkajs';
import { exposerRuntimeEnv } from '../deploy/exposer-runtime.js';
import { createReadyTopic } from '../test/topics.js';
import type { RawRecord } from '../exposer/decode.js';
import { SyntheticApp } from '../exposer/workload.js';
import type { ChildCommand, ChildStats } from './exposer-child.js';
import { timedProcess, type TimedRun } from './lib.js';

export const JOB = 'bench';

export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** The fleet: `sources` apps of about `series` series each (SyntheticApp rounds to whole routes of 12 series). */
export function fleet(sources: number, series: number, job = JOB): SyntheticApp[] {
  return Array.from({ length: sources }, (_, i) => new SyntheticApp(job, `app-${i}:8080`, series, i + 1));
}

/** One text 0.0.4 body per app, after advancing its counters (the same bodies go to Kafka and to the Pushgateway). */
export function bodies(apps: readonly SyntheticApp[]): string[] {
  return apps.map((app) => {
    app.tick(15);
    return app.toText();
  });
}

export interface ExposerChild {
  readonly url: string;
  readonly pid: number;
  call<T>(request: ChildCommand, timeoutMs?: number): Promise<T>;
  stats(gc?: boolean): Promise<ChildStats>;
  stop(): Promise<void>;
}

/**
 * Forks the bundled exposer child with the given flags; resolves once it listens. The child runs with the
 * environment users' exposers get (deploy/exposer-runtime.ts: the Node flags and malloc settings of the image), so
 * the benchmarks measure what users run; `execArgv` comes after those flags and so overrides them.
 */
export function startExposerChild(
  bundlePath: string,
  flags: Record<string, unknown>,
  execArgv: readonly string[] = [],
): Promise<ExposerChild> {
  const child: ChildProcess = fork(bundlePath, [JSON.stringify({ logLevel: 'warn', ...flags })], {
    execArgv: ['--expose-gc', ...execArgv],
    env: { ...process.env, ...exposerRuntimeEnv() },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let next = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let exited = false;
  child.on('message', (raw) => {
    const answer = raw as { id: number; ok: boolean; value?: unknown; error?: string };
    const waiter = pending.get(answer.id);
    if (waiter === undefined) return;
    pending.delete(answer.id);
    if (answer.ok) waiter.resolve(answer.value);
    else waiter.reject(new Error(answer.error ?? 'exposer child failed'));
  });
  child.on('exit', (code) => {
    exited = true;
    for (const waiter of pending.values()) waiter.reject(new Error(`exposer child exited (${code})`));
    pending.clear();
  });
  const call = <T>(req: ChildCommand, timeoutMs = 120_000): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (exited) {
        reject(new Error('exposer child is not running'));
        return;
      }
      const id = next++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`exposer child: no answer to ${req.cmd} within ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      child.send({ ...req, id });
    });
  const stop = async (): Promise<void> => {
    if (exited) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    await call({ cmd: 'stop' }, 20_000).catch(() => child.kill('SIGKILL'));
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('exposer child did not start within 30 s'));
    }, 30_000);
    pending.set(0, {
      resolve: (v) => {
        clearTimeout(timer);
        const { url, pid } = v as { url: string; pid: number };
        resolve({
          url,
          pid,
          call,
          stats: (gc = false) => call<ChildStats>({ cmd: 'stats', gc }),
          stop,
        });
      },
      reject: (e) => {
        clearTimeout(timer);
        reject(e);
      },
    });
  });
}

/** One app's text body as the consumer hands it to decodeRecord (as the load generator produces it). */
export function textRecord(app: SyntheticApp, text: string, offset: number): RawRecord {
  return {
    key: Buffer.from(`${app.job}/${app.instance}`),
    value: Buffer.from(text),
    headers: { 'content-type': 'text/plain; version=0.0.4', job: app.job, instance: app.instance },
    timestampMs: Date.now(),
    partition: 0,
    offset: String(offset),
  };
}

export function kafka(brokers: string): Kafka {
  return new Kafka({ clientId: 'queuefront-bench', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
}

/** Creates the topic and waits until every partition has a leader (test/topics.ts). */
export function createTopic(
  brokers: string,
  topic: string,
  partitions = 1,
  timeoutMs = 60_000,
): Promise<void> {
  return createReadyTopic(kafka(brokers), topic, partitions, timeoutMs);
}

export async function deleteTopic(brokers: string, topic: string): Promise<void> {
  const admin = kafka(brokers).admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
}

/** Sends one record per app (text 0.0.4 body, job/instance headers, key job/instance), `batch` per request. */
export async function produce(
  brokers: string,
  topic: string,
  apps: readonly SyntheticApp[],
  texts: readonly string[],
  batch = 100,
): Promise<{ records: number; bytes: number; ms: number; startedMs: number }> {
  const producer = kafka(brokers).producer({ allowAutoTopicCreation: false });
  // Connected before the clock starts: an app keeps its producer connected, as it keeps its Pushgateway client.
  await producer.connect();
  const started = Date.now();
  let bytes = 0;
  try {
    for (let i = 0; i < apps.length; i += batch) {
      const messages: Message[] = [];
      for (let j = i; j < Math.min(apps.length, i + batch); j++) {
        const app = apps[j]!;
        const value = texts[j]!;
        bytes += Buffer.byteLength(value);
        messages.push({
          key: `${app.job}/${app.instance}`,
          value,
          headers: { 'content-type': 'text/plain; version=0.0.4', job: app.job, instance: app.instance },
        });
      }
      await producer.send({ topic, messages, compression: CompressionTypes.None, acks: -1 });
    }
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
  return { records: apps.length, bytes, ms: Date.now() - started, startedMs: started };
}

/** `kcat -C -e -o beginning` of the whole topic, printing each value's size (kcat still fetches every byte). */
export async function kcatConsume(
  kcat: string,
  brokers: string,
  topic: string,
): Promise<TimedRun & { records: number; bytes: number }> {
  const run = await timedProcess(
    kcat,
    ['-C', '-b', brokers, '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%S\n'],
    {
      timeoutMs: 120_000,
    },
  );
  let records = 0;
  let bytes = 0;
  for (const line of run.stdout.split('\n')) {
    if (line === '') continue;
    records++;
    bytes += Number(line);
  }
  return { ...run, records, bytes };
}

/** PUTs one text body to the Pushgateway group job/instance; resolves with the HTTP status. */
export function pushgatewayPut(url: string, job: string, instance: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/metrics/job/${encodeURIComponent(job)}/instance/${encodeURIComponent(instance)}`,
      { method: 'PUT', headers: { 'content-type': 'text/plain; version=0.0.4' }, timeout: 60_000 },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('Pushgateway PUT: no answer within 60 s')));
    req.on('error', reject);
    req.end(body);
  });
}
