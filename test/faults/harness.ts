/**
 * Shared pieces of the fault suite (issue 8): quick or full sizes, figures, a child-process exposer that can be
 * SIGKILLed, a producer that remembers what the broker acknowledged, and readers of /metrics.
 *
 * `QUEUEFRONT_FAULTS=full` (npm run test:faults) runs the sizes the issue names; without it the same files run
 * small inside `npm test`. Every test prints one `FIGURE` line and appends it to `.cache/faults/<mode>.jsonl`, which
 * docs/reliability.md quotes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { projectRoot } from '../../scripts/project-root.js';
import { freePort } from '../ports.js';
import { createReadyTopic } from '../topics.js';

export const FULL = process.env['QUEUEFRONT_FAULTS'] === 'full';
export const MODE = FULL ? 'full' : 'quick';

/** The quick size inside `npm test`, the full one in `npm run test:faults`. */
export function size<T>(quick: T, full: T): T {
  return FULL ? full : quick;
}

const root = projectRoot();

/** Prints `FIGURE <name> <json>` and appends it to .cache/faults/<mode>.jsonl for docs/reliability.md. */
export function figure(name: string, data: Record<string, unknown>): void {
  const line = JSON.stringify({ name, mode: MODE, at: new Date().toISOString(), ...data });
  process.stdout.write(`FIGURE ${line}\n`);
  const dir = join(root, '.cache', 'faults');
  mkdirSync(dir, { recursive: true });
  appendFileSync(join(dir, `${MODE}.jsonl`), `${line}\n`);
}

/** Polls `check` every `everyMs` until it returns a value other than undefined; throws `what` on timeout. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  everyMs = 200,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let lastError = '';
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > until)
      throw new Error(`${what}: not within ${timeoutMs} ms${lastError ? ` (${lastError})` : ''}`);
    await sleep(everyMs);
  }
}

/** Peak and current resident memory of a process, in MiB, from /proc (Linux). */
export function memoryOf(pid: number): { rssMiB: number; peakMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number =>
    Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMiB: kb('VmRSS') / 1024, peakMiB: kb('VmHWM') / 1024 };
}

export interface ChildExposer {
  readonly url: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves with the exit code or signal when the process ends. */
  readonly exited: Promise<string>;
  /** Whether the process has ended. */
  hasExited(): boolean;
  /** The last lines it wrote to stderr (for failure messages). */
  logTail(): string;
  kill(signal: NodeJS.Signals): Promise<string>;
}

const children = new Set<ChildExposer>();

/**
 * `exposer serve` as a child process (node + tsx, no npx in between, so `pid` is the exposer itself), on a free
 * loopback port.
 */
export async function startChildExposer(args: {
  brokers: string;
  topic: string;
  group: string;
  extra?: readonly string[];
}): Promise<ChildExposer> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(root, 'exposer', 'cli.ts'),
      'serve',
      '--brokers',
      args.brokers,
      '--topic',
      args.topic,
      '--group',
      args.group,
      '--listen',
      `127.0.0.1:${port}`,
      '--log-level',
      'warn',
      ...(args.extra ?? []),
    ],
    { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } },
  );
  if (child.pid === undefined) throw new Error('the exposer child process could not be started');
  const tail: string[] = [];
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    tail.push(text);
    if (tail.length > 50) tail.shift();
  });
  let ended = false;
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => {
      ended = true;
      resolve(signal ?? String(code));
    });
  });
  const url = `http://127.0.0.1:${port}`;
  const running: ChildExposer = {
    url,
    pid: child.pid,
    child,
    exited,
    hasExited: () => ended,
    logTail: () => tail.join('').slice(-4000),
    kill: async (signal) => {
      if (!ended) child.kill(signal);
      const how = await exited;
      children.delete(running);
      return how;
    },
  };
  children.add(running);
  await waitFor(
    `exposer child on ${url} answers /-/healthy`,
    async () => {
      if (ended) throw new Error(`exposer exited during start-up: ${running.logTail()}`);
      return (await fetch(`${url}/-/healthy`)).ok ? true : undefined;
    },
    60_000,
  );
  return running;
}

/** Stops every child exposer still running (SIGTERM, then SIGKILL after 10 s). For afterEach/afterAll. */
export async function stopChildExposers(): Promise<void> {
  await Promise.all(
    [...children].map(async (c) => {
      const timer = setTimeout(() => c.child.kill('SIGKILL'), 10_000);
      await c.kill('SIGTERM');
      clearTimeout(timer);
    }),
  );
}

export async function isReady(url: string): Promise<boolean> {
  return (await fetch(`${url}/-/ready`)).status === 200;
}

/**
 * The values of one metric on /metrics by instance label: `name{...instance="x"...} v` -> x -> v. Series of the
 * metric with other labels too are all checked to hold the same value (a source's series are written together),
 * and a disagreement is returned in `torn`.
 */
export function valuesByInstance(
  text: string,
  metric: string,
): { values: Map<string, number>; torn: string[] } {
  const values = new Map<string, number>();
  const torn: string[] = [];
  const head = `${metric}{`;
  for (const line of text.split('\n')) {
    if (!line.startsWith(head)) continue;
    const close = line.lastIndexOf('}');
    const labels = line.slice(head.length, close);
    const instance = /(?:^|,)instance="([^"]*)"/.exec(labels)?.[1];
    if (instance === undefined) continue;
    const value = Number(line.slice(close + 2).split(' ')[0]);
    const seen = values.get(instance);
    if (seen !== undefined && seen !== value) torn.push(`${instance}: ${seen} and ${value}`);
    values.set(instance, value);
  }
  return { values, torn };
}

/** One counter of the exposer's own metrics, e.g. `exposer_records_rejected_total{reason="schema"}`. */
export function selfValue(text: string, series: string): number {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return NaN;
}

export function kafkaClient(brokers: string, clientId = 'queuefront-faults'): Kafka {
  return new Kafka({
    clientId,
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2000,
    requestTimeout: 5000,
    retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 1000 },
  });
}

/** Creates the topic and waits until every partition has a leader (test/topics.ts). */
export function createTopicOn(brokers: string, topic: string, partitions: number): Promise<void> {
  return createReadyTopic(kafkaClient(brokers), topic, partitions);
}

/** A gauge record for source `fault/<instance>` with `series` series, all holding `seq`. */
export function seqRecord(instance: string, seq: number, series = 1): { key: string; value: string } {
  return {
    key: `fault/${instance}`,
    value: JSON.stringify({
      job: 'fault',
      instance,
      metrics: [
        {
          name: 'fault_seq',
          type: 'gauge',
          help: 'Sequence number of the last record of the source.',
          samples: Array.from({ length: series }, (_, i) => ({ labels: { s: String(i) }, value: seq })),
        },
      ],
    }),
  };
}

/**
 * Produces `fault_seq` records for `sources` sources in rounds (every round: each source once, its sequence
 * number + 1), awaiting every send with acks=-1, and remembers per source the last sequence number the broker
 * acknowledged. Failed sends are counted, never retried by hand: the next round supersedes them.
 */
const producers = new Set<AckedProducer>();

/** Stops every AckedProducer still running (a test that failed half-way leaves its loop behind). */
export async function stopProducers(): Promise<void> {
  await Promise.all([...producers].map((p) => p.stop()));
}

export class AckedProducer {
  readonly lastAcked = new Map<string, number>();
  readonly seq = new Map<string, number>();
  produced = 0;
  acked = 0;
  failed = 0;
  private producer: Producer | undefined;
  private stopped = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly brokers: string,
    private readonly topic: string,
    readonly instances: readonly string[],
    private readonly seriesPerSource = 1,
  ) {}

  private async connected(): Promise<Producer> {
    if (this.producer !== undefined) return this.producer;
    const producer = kafkaClient(this.brokers, 'queuefront-faults-producer').producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
    });
    await producer.connect();
    this.producer = producer;
    return producer;
  }

  /** One round: every source once. Returns whether the broker acknowledged it. */
  async round(): Promise<boolean> {
    const messages = this.instances.map((instance) => {
      const next = (this.seq.get(instance) ?? 0) + 1;
      this.seq.set(instance, next);
      return { instance, seq: next, ...seqRecord(instance, next, this.seriesPerSource) };
    });
    this.produced += messages.length;
    try {
      const producer = await this.connected();
      await producer.send({
        topic: this.topic,
        acks: -1,
        messages: messages.map(({ key, value }) => ({ key, value })),
      });
      for (const m of messages) this.lastAcked.set(m.instance, m.seq);
      this.acked += messages.length;
      return true;
    } catch {
      this.failed += messages.length;
      await this.producer?.disconnect().catch(() => undefined);
      this.producer = undefined;
      await sleep(200);
      return false;
    }
  }

  /** Rounds in the background, `pauseMs` apart, until stop(). */
  start(pauseMs: number): void {
    producers.add(this);
    this.loop ??= (async () => {
      while (!this.stopped) {
        await this.round();
        await sleep(pauseMs);
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    producers.delete(this);
    await this.loop;
    await this.producer?.disconnect().catch(() => undefined);
    this.producer = undefined;
  }
}

/** The value of every source on /metrics equals its last acknowledged sequence number, or the differences. */
export function compareWithAcked(text: string, lastAcked: ReadonlyMap<string, number>): string[] {
  const { values, torn } = valuesByInstance(text, 'fault_seq');
  const wrong = [...torn];
  for (const [instance, acked] of lastAcked) {
    const shown = values.get(instance);
    if (shown !== acked) wrong.push(`${instance}: shows ${shown ?? 'nothing'}, last acknowledged ${acked}`);
  }
  return wrong;
}

/**
 * Waits until /metrics shows every source at its last acknowledged value; returns the last body and what still
 * differs (empty when it converged), for the caller to assert on.
 */
export async function waitForAckedValues(
  url: string,
  lastAcked: ReadonlyMap<string, number>,
  timeoutMs: number,
): Promise<{ text: string; wrong: string[] }> {
  let text = '';
  let wrong: string[] = [];
  try {
    await waitFor(
      'every series shows its last acknowledged value',
      async () => {
        text = await (await fetch(`${url}/metrics`)).text();
        wrong = compareWithAcked(text, lastAcked);
        return wrong.length === 0 ? true : undefined;
      },
      timeoutMs,
      500,
    );
  } catch {
    // the caller asserts on `wrong`, which says what differs
  }
  return { text, wrong };
}

/** Runs `step` every `intervalMs` (after each run) in the background until `stop()`, which waits for the last run. */
export function repeatUntilStopped(
  step: () => Promise<void>,
  intervalMs: number,
): { stop: () => Promise<void> } {
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      await step();
      await sleep(intervalMs);
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}
