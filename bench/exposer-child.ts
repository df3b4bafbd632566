/**
 * One exposer in its own Node process (forked with an IPC channel and --expose-gc), so that its RSS and heap are
 * its own. The benchmark runner asks it questions over IPC; nothing here changes how the exposer works: the
 * store's `apply` is wrapped only to count what was applied and to time each record from its Kafka timestamp to
 * the moment it is in the store (visible to the next scrape).
 *
 *   argv[2]: JSON of the exposer flags (brokers, topics, group, listen, ...)
 */
import { getHeapSpaceStatistics } from 'node:v8';
import { pino } from 'pino';
import { serve } from '../exposer/serve.js';
import type { ApplyMeta } from '../exposer/store.js';
import type { PushMessage } from '../exposer/schema.js';
import { collectGarbage, runChild, serveRequests, waitFor } from './child-ipc.js';

export interface ChildStats {
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  readonly externalBytes: number;
  /** Committed size of V8's young generation (new space): it grows under allocation and does not shrink back. */
  readonly newSpaceBytes: number;
  /** Committed size of V8's old space. */
  readonly oldSpaceBytes: number;
  readonly series: number;
  readonly sources: number;
  readonly ready: boolean;
  /** Since the last reset: records applied (ok or refused), samples and record bytes of the applied ones. */
  readonly records: number;
  readonly refused: number;
  readonly samples: number;
  readonly bytes: number;
  readonly firstApplyMs: number;
  readonly lastApplyMs: number;
  readonly cpuUserMs: number;
  /** User + system CPU time of the process, and its value when the first record (since the last reset) was applied. */
  readonly cpuMs: number;
  readonly firstApplyCpuMs: number;
}

export type ChildCommand =
  | { cmd: 'stats'; gc?: boolean }
  | { cmd: 'reset' }
  | { cmd: 'waitReady'; timeoutMs: number }
  | { cmd: 'waitRecords'; records: number; timeoutMs: number }
  | { cmd: 'delays' }
  | { cmd: 'stop' };

export type ChildRequest = ChildCommand & { id: number };

const MAX_DELAYS = 2_000_000;

function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

async function main(): Promise<void> {
  const flags = JSON.parse(process.argv[2] ?? '{}') as Record<string, unknown>;
  const logger = pino({ level: 'error', base: { service: 'bench-exposer' } }, pino.destination(2));
  const exposer = await serve({ flags, env: {} }, { logger });
  const store = exposer.store;

  let records = 0;
  let refused = 0;
  let samples = 0;
  let bytes = 0;
  let firstApplyMs = 0;
  let lastApplyMs = 0;
  let firstApplyCpuMs = 0;
  let delays = new Float64Array(1024);
  let delayCount = 0;
  const original = store.apply.bind(store);
  store.apply = (message: PushMessage, meta: ApplyMeta) => {
    const result = original(message, meta);
    const now = Date.now();
    if (firstApplyMs === 0) {
      firstApplyMs = now;
      firstApplyCpuMs = cpuMs();
    }
    lastApplyMs = now;
    records++;
    if (result.ok) {
      samples += result.samples;
      bytes += message.bytes;
    } else refused++;
    if (meta.recordTimestampMs > 0 && delayCount < MAX_DELAYS) {
      if (delayCount === delays.length) {
        const grown = new Float64Array(delays.length * 2);
        grown.set(delays);
        delays = grown;
      }
      delays[delayCount++] = now - meta.recordTimestampMs;
    }
    return result;
  };

  const statsNow = (gc: boolean): ChildStats => {
    if (gc) collectGarbage();
    const memory = process.memoryUsage();
    const space = (name: string): number =>
      getHeapSpaceStatistics().find((h) => h.space_name === name)?.space_size ?? 0;
    return {
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      externalBytes: memory.external,
      newSpaceBytes: space('new_space'),
      oldSpaceBytes: space('old_space'),
      series: store.seriesCount(),
      sources: store.sourceCount(),
      ready: exposer.ingest.readiness().ready,
      records,
      refused,
      samples,
      bytes,
      firstApplyMs,
      lastApplyMs,
      cpuUserMs: process.cpuUsage().user / 1000,
      cpuMs: cpuMs(),
      firstApplyCpuMs,
    };
  };

  const answer = async (request: ChildRequest): Promise<unknown> => {
    switch (request.cmd) {
      case 'stats':
        return statsNow(request.gc === true);
      case 'reset':
        records = refused = samples = bytes = firstApplyMs = lastApplyMs = delayCount = firstApplyCpuMs = 0;
        return statsNow(false);
      case 'waitReady':
        await waitFor(() => exposer.ingest.readiness().ready, request.timeoutMs, 'exposer child: ready');
        return statsNow(false);
      case 'waitRecords':
        await waitFor(
          () => records >= request.records,
          request.timeoutMs,
          `exposer child: ${request.records} records`,
        );
        return statsNow(false);
      case 'delays':
        return Array.from(delays.subarray(0, delayCount));
      case 'stop':
        await exposer.stop();
        setImmediate(() => process.exit(0));
        return null;
    }
  };
  serveRequests(answer, () => exposer.stop(), { url: exposer.url, pid: process.pid });
}

runChild(main);
