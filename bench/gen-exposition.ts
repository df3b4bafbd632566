/**
 * Writes exposer-style expositions for the benchmark: `sources` apps x `series` series each, every series with
 * the `job`/`instance` labels an exposer must add, grouped by family as the exposer renders them.
 *
 *   npx tsx bench/gen-exposition.ts                 # .cache/bench/exposition-1m.txt (~95 MB) and -100k.txt
 *   npx tsx bench/gen-exposition.ts --smoke         # tiny files, for a quick check
 */
import { once } from 'node:events';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../scripts/project-root.js';

export interface GeneratedFile {
  readonly path: string;
  readonly series: number;
  readonly bytes: number;
}

const FAMILIES = [
  { name: 'app_http_requests_total', type: 'counter', help: 'Requests handled, by route.' },
  { name: 'app_http_request_errors_total', type: 'counter', help: 'Requests that failed, by route.' },
  { name: 'app_queue_depth_messages', type: 'gauge', help: 'Messages waiting in the work queue.' },
  { name: 'app_cache_hits_total', type: 'counter', help: 'Cache lookups that hit.' },
  { name: 'app_worker_busy_ratio', type: 'gauge', help: 'Share of time workers were busy.' },
] as const;

/** Writes one exposition of `sources` x `seriesPerSource` series to `path`. */
export async function generateExposition(
  path: string,
  sources: number,
  seriesPerSource: number,
): Promise<GeneratedFile> {
  const out = createWriteStream(path);
  let bytes = 0;
  let buffer = '';
  const flush = async (): Promise<void> => {
    bytes += Buffer.byteLength(buffer);
    if (!out.write(buffer)) await once(out, 'drain');
    buffer = '';
  };
  const perFamily = Math.ceil(seriesPerSource / FAMILIES.length);
  let written = 0;
  for (let f = 0; f < FAMILIES.length; f++) {
    const family = FAMILIES[f]!;
    buffer += `# HELP ${family.name} ${family.help}\n# TYPE ${family.name} ${family.type}\n`;
    for (let s = 0; s < sources; s++) {
      const job = `shop-${s % 97}`;
      const instance = `10.${(s >> 8) & 255}.${s & 255}.${(s * 7) % 250}:8080`;
      for (let k = 0; k < perFamily && f * perFamily + k < seriesPerSource; k++) {
        const value =
          family.type === 'gauge' ? ((s * 31 + k * 17) % 1000) / 8 : (s * 1009 + k * 7919) % 9_999_991;
        buffer += `${family.name}{job="${job}",instance="${instance}",route="/api/items/${k}"} ${value}\n`;
        written++;
      }
      if (buffer.length > 1 << 20) await flush();
    }
  }
  await flush();
  out.end();
  await once(out, 'finish');
  return { path, series: written, bytes };
}

export function benchDir(): string {
  const dir = join(projectRoot(), '.cache', 'bench');
  mkdirSync(dir, { recursive: true });
  return dir;
}

async function main(): Promise<void> {
  const smoke = process.argv.includes('--smoke');
  const dir = benchDir();
  const plans = smoke
    ? [{ file: 'exposition-smoke.txt', sources: 20, series: 50 }]
    : [
        { file: 'exposition-1m.txt', sources: 10_000, series: 100 },
        { file: 'exposition-100k.txt', sources: 1_000, series: 100 },
      ];
  for (const plan of plans) {
    const result = await generateExposition(join(dir, plan.file), plan.sources, plan.series);
    console.log(`${result.path}: ${result.series} series, ${(result.bytes / 1e6).toFixed(1)} MB`);
  }
}

if (process.argv[1] !== undefined && import.meta.filename === process.argv[1]) await main();
