/**
 * The exposer's hot paths in one process, no Kafka and no HTTP: decode each record (decodeRecord), apply it to the
 * store (Store.apply), and render /metrics once per round (renderMetrics), with the fleet's real text bodies.
 * Run under `node --cpu-prof` by bench/run.ts (the profile stage); prints one JSON line with each stage's time.
 *
 *   node --cpu-prof --cpu-prof-dir DIR --import tsx bench/profile.ts [--sources 1000] [--rounds 10]
 */
import type { RawRecord } from '../exposer/decode.js';
import { decodeRecord } from '../exposer/decode.js';
import { createExposerMetrics } from '../exposer/metrics.js';
import { renderMetrics } from '../exposer/render.js';
import { DEFAULT_STORE_OPTIONS, Store } from '../exposer/store.js';
import { bodies, fleet, textRecord } from './harness.js';
import { argWhole } from './lib.js';

export interface ProfileRun {
  readonly records: number;
  readonly samples: number;
  readonly seriesPerRecord: number;
  readonly decodeMs: number;
  readonly applyMs: number;
  readonly renderMs: number;
  readonly renders: number;
  readonly renderBytes: number;
  readonly refused: number;
}

async function main(): Promise<void> {
  const sources = argWhole('--sources', 1_000);
  const rounds = argWhole('--rounds', 10);
  const apps = fleet(sources, 100);
  const metrics = createExposerMetrics();
  const store = new Store({ ...DEFAULT_STORE_OPTIONS, maxSeries: 10_000_000 }, metrics);
  let decodeMs = 0;
  let applyMs = 0;
  let renderMs = 0;
  let renderBytes = 0;
  let samples = 0;
  let refused = 0;
  let offset = 0;
  for (let round = 0; round < rounds; round++) {
    const records: RawRecord[] = bodies(apps).map((text, i) => textRecord(apps[i]!, text, offset++));
    for (const record of records) {
      const t0 = performance.now();
      const decoded = decodeRecord(record);
      const t1 = performance.now();
      decodeMs += t1 - t0;
      if (!decoded.ok) {
        refused++;
        continue;
      }
      const result = store.apply(decoded.message, {
        partition: 0,
        offset: record.offset,
        recordTimestampMs: record.timestampMs,
        nowMs: Date.now(),
      });
      applyMs += performance.now() - t1;
      if (result.ok) samples += result.samples;
      else refused++;
    }
    const t2 = performance.now();
    const selfMetrics = await metrics.registry.getMetricsAsJSON();
    for (const chunk of renderMetrics(store, 'text', Date.now(), { selfMetrics }))
      renderBytes += chunk.length;
    renderMs += performance.now() - t2;
  }
  const run: ProfileRun = {
    records: sources * rounds,
    samples,
    seriesPerRecord: apps[0]?.seriesCount ?? 0,
    decodeMs,
    applyMs,
    renderMs,
    renders: rounds,
    renderBytes,
    refused,
  };
  console.log(JSON.stringify(run));
}

await main();
