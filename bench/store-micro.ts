/**
 * The store and the renderer alone, in one process, for comparing two builds of exposer/store.ts quickly: the
 * fleet's text bodies are decoded untimed, then each round applies one record per source (timed: wall and CPU),
 * renders /metrics once (timed), and finally the JS heap held by the store is read after forced GCs.
 *
 *   node --expose-gc --import tsx bench/store-micro.ts [--sources 1000] [--rounds 10] [--mode none|source|drain]
 *
 * `--heap-snapshot FILE` writes a heap snapshot at the end. Prints one JSON line. Not part of `npm run bench`: the side-by-side comparisons are; this is the quick loop
 * behind the optimisations recorded in bench/RESULTS.md.
 */
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';
import { decodeRecord } from '../exposer/decode.js';
import type { PushMessage } from '../exposer/schema.js';
import { renderMetrics } from '../exposer/render.js';
import { DEFAULT_STORE_OPTIONS, Store, type TimestampMode } from '../exposer/store.js';
import { bodies, fleet, textRecord } from './harness.js';
import { argValue, argWhole } from './lib.js';

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect === undefined) throw new Error('run with node --expose-gc');
  collect();
  collect();
}

function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

function decodeRound(apps: ReturnType<typeof fleet>, round: number): PushMessage[] {
  return bodies(apps).map((text, i) => {
    const decoded = decodeRecord(textRecord(apps[i]!, text, round * apps.length + i));
    if (!decoded.ok) throw new Error(`record ${i} refused: ${decoded.detail}`);
    return decoded.message;
  });
}

interface Round {
  applyMs: number;
  applyCpuMs: number;
  renderMs: number;
  renderCpuMs: number;
  samples: number;
  bytes: number;
}

/** One round in its own frame, so that its decoded messages are garbage once it returns. */
function runRound(store: Store, apps: ReturnType<typeof fleet>, round: number, mode: TimestampMode): Round {
  const messages = decodeRound(apps, round);
  let samples = 0;
  const t0 = performance.now();
  const c0 = cpuMs();
  for (let i = 0; i < messages.length; i++) {
    const result = store.apply(messages[i]!, {
      partition: 0,
      offset: String(i),
      recordTimestampMs: Date.now(),
      nowMs: Date.now(),
    });
    if (!result.ok) throw new Error(`refused: ${result.detail}`);
    samples += result.samples;
  }
  const applyMs = performance.now() - t0;
  const applyCpuMs = cpuMs() - c0;
  const t1 = performance.now();
  const c1 = cpuMs();
  let bytes = 0;
  for (const chunk of renderMetrics(store, 'text', Date.now(), { drain: mode !== 'drain' }))
    bytes += Buffer.byteLength(chunk); // as http.ts counts them (this flattens a string built piecewise)
  return {
    applyMs,
    applyCpuMs,
    renderMs: performance.now() - t1,
    renderCpuMs: cpuMs() - c1,
    samples,
    bytes,
  };
}

function main(): void {
  const sources = argWhole('--sources', 1_000);
  const rounds = argWhole('--rounds', 10);
  const mode = argValue('--mode', 'none') as TimestampMode;
  const apps = fleet(sources, 100);
  gc();
  const before = process.memoryUsage();
  const heapBefore = before.heapUsed;
  const store = new Store({ ...DEFAULT_STORE_OPTIONS, maxSeries: 10_000_000, timestamps: mode });
  let applyMs = 0;
  let applyCpuMs = 0;
  let renderMs = 0;
  let renderCpuMs = 0;
  let firstRenderMs = 0;
  let samples = 0;
  let bytes = 0;
  for (let round = 0; round < rounds; round++) {
    const r = runRound(store, apps, round, mode);
    applyMs += r.applyMs;
    applyCpuMs += r.applyCpuMs;
    renderMs += r.renderMs;
    renderCpuMs += r.renderCpuMs;
    if (round === 0) firstRenderMs = r.renderMs;
    samples += r.samples;
    bytes = r.bytes;
  }
  gc();
  const after = process.memoryUsage();
  const heapAfter = after.heapUsed;
  const series = store.seriesCount();
  const snapshotPath = argValue('--heap-snapshot', '');
  if (snapshotPath !== '') writeHeapSnapshot(snapshotPath);
  console.log(
    JSON.stringify({
      sources,
      rounds,
      mode,
      series,
      applySamplesPerSec: Math.round((samples / applyMs) * 1000),
      applyMs: Math.round(applyMs),
      applyCpuMs: Math.round(applyCpuMs),
      renderMsPerScrape: +(renderMs / rounds).toFixed(1),
      renderCpuMsPerScrape: +(renderCpuMs / rounds).toFixed(1),
      firstRenderMs: Math.round(firstRenderMs),
      renderBytes: bytes,
      heapBytesPerSeries: Math.round((heapAfter - heapBefore) / series),
      externalBytesPerSeries: Math.round((after.external - before.external) / series),
      rssBytesPerSeries: Math.round((after.rss - before.rss) / series),
      heapSpacesMiB: Object.fromEntries(
        getHeapSpaceStatistics().map((h) => [h.space_name, +(h.space_size / 2 ** 20).toFixed(1)]),
      ),
    }),
  );
}

main();
