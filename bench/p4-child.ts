/**
 * The exposer in its own process for bench/p4-breakdown.ts: like bench/exposer-child.ts (a real `serve`, the store's
 * `apply` wrapped only to count records), but its stats break the memory down the way P4's RSS delta needs it:
 * process.memoryUsage() in full, every V8 heap space (committed and used), /proc/self/smaps_rollup.
 *
 * One experiment lever lives here and nowhere else: P4_FETCH_MAX_BYTES (bytes) overrides the `maxBytes` and
 * `maxBytesPerPartition` the exposer asks kafkajs for, without changing exposer/consumer.ts, to measure what a
 * smaller fetch would save before anyone changes the consumer.
 *
 *   argv[2]: JSON of the exposer flags (brokers, topics, group, listen, ...)
 */
import { readFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';
import { Kafka, type Consumer, type ConsumerConfig } from 'kafkajs';
import { pino } from 'pino';
import { serve } from '../exposer/serve.js';
import type { ApplyMeta } from '../exposer/store.js';
import type { PushMessage } from '../exposer/schema.js';
import { collectGarbage, runChild, serveRequests, waitFor } from './child-ipc.js';
import { readRollup } from './p4-memory.js';

export interface SpaceStats {
  readonly committed: number;
  readonly used: number;
}

export interface BreakdownStats {
  readonly rss: number;
  readonly heapTotal: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly arrayBuffers: number;
  /** V8 heap spaces by name (new_space, old_space, code_space, large_object_space, ...). */
  readonly spaces: Record<string, SpaceStats>;
  /** /proc/self/smaps_rollup fields in bytes (Rss, Anonymous, ...). */
  readonly rollup: Record<string, number>;
  /** The process's peak RSS so far (VmHWM). */
  readonly peakRss: number;
  readonly series: number;
  readonly records: number;
  /** User + system CPU time of the process, and the system part alone. */
  readonly cpuMs: number;
  readonly systemCpuMs: number;
  /** Minor page faults of the process (/proc/self/stat): memory given back and touched again shows here. */
  readonly minorFaults: number;
  /** The fetch sizes kafkajs was configured with (after the P4_FETCH_MAX_BYTES override, if any). */
  readonly fetchMaxBytes: number;
  readonly fetchMaxBytesPerPartition: number;
}

export type BreakdownCommand =
  | { cmd: 'stats'; gc: boolean }
  | { cmd: 'waitReady'; timeoutMs: number }
  | { cmd: 'waitRecords'; records: number; timeoutMs: number }
  | { cmd: 'stop' };

function minorFaults(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  // Fields after the command name (which may hold spaces): state is field 3, minflt field 10.
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[7]);
}

let fetchMaxBytes = 0;
let fetchMaxBytesPerPartition = 0;
const override = Number(process.env['P4_FETCH_MAX_BYTES'] ?? '0');
type MakeConsumer = (this: Kafka, config: ConsumerConfig) => Consumer;
const consumer = Object.getOwnPropertyDescriptor(Kafka.prototype, 'consumer')?.value as MakeConsumer;
Kafka.prototype.consumer = function (this: Kafka, config: ConsumerConfig): Consumer {
  const changed = override > 0 ? { ...config, maxBytes: override, maxBytesPerPartition: override } : config;
  fetchMaxBytes = changed.maxBytes ?? 0;
  fetchMaxBytesPerPartition = changed.maxBytesPerPartition ?? 0;
  return consumer.call(this, changed);
};

async function main(): Promise<void> {
  const flags = JSON.parse(process.argv[2] ?? '{}') as Record<string, unknown>;
  const logger = pino({ level: 'error', base: { service: 'p4-child' } }, pino.destination(2));
  const exposer = await serve({ flags, env: {} }, { logger });
  const store = exposer.store;
  let records = 0;
  const original = store.apply.bind(store);
  store.apply = (message: PushMessage, meta: ApplyMeta) => {
    records++;
    return original(message, meta);
  };

  const stats = (gc: boolean): BreakdownStats => {
    if (gc) collectGarbage();
    const memory = process.memoryUsage();
    const spaces: Record<string, SpaceStats> = {};
    for (const space of getHeapSpaceStatistics()) {
      spaces[space.space_name] = { committed: space.physical_space_size, used: space.space_used_size };
    }
    return {
      rss: memory.rss,
      heapTotal: memory.heapTotal,
      heapUsed: memory.heapUsed,
      external: memory.external,
      arrayBuffers: memory.arrayBuffers,
      spaces,
      rollup: readRollup('/proc/self/smaps_rollup'),
      peakRss: readRollup('/proc/self/status')['VmHWM'] ?? 0,
      series: store.seriesCount(),
      records,
      cpuMs: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
      systemCpuMs: process.cpuUsage().system / 1000,
      minorFaults: minorFaults(),
      fetchMaxBytes,
      fetchMaxBytesPerPartition,
    };
  };
  const answer = async (request: BreakdownCommand & { id: number }): Promise<unknown> => {
    switch (request.cmd) {
      case 'stats':
        return stats(request.gc);
      case 'waitReady':
        await waitFor(() => exposer.ingest.readiness().ready, request.timeoutMs, 'p4 child: ready', 5);
        return null;
      case 'waitRecords':
        await waitFor(
          () => records >= request.records,
          request.timeoutMs,
          `p4 child: ${request.records} records`,
          5,
        );
        return null;
      case 'stop':
        await exposer.stop();
        setImmediate(() => process.exit(0));
        return null;
    }
  };
  serveRequests(answer, () => exposer.stop(), { pid: process.pid });
}

runChild(main);
