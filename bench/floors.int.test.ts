/**
 * The two floors (bench/exposition-floor.ts, bench/exposition-byte-floor.ts) are measuring sticks quoted in
 * docs/exposition.md and bench/RESULTS.md: this checks that they still read a generated file whole (every sample,
 * every source, no line left unread), so that a figure taken with them measures the work it claims to.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateExposition } from './gen-exposition.js';

const dir = mkdtempSync(join(tmpdir(), 'queuefront-floors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(script: string, file: string): Record<string, number> {
  const out = execFileSync(process.execPath, ['--import', 'tsx', join('bench', script), file], {
    encoding: 'utf8',
  });
  return JSON.parse(out) as Record<string, number>;
}

describe('the exposition floors', () => {
  it('read every sample of a generated file; the byte floor also counts its sources and duplicates', async () => {
    const file = join(dir, 'small.txt');
    const generated = await generateExposition(file, 300, 20);
    expect(run('exposition-floor.ts', file).samples).toBe(generated.series);
    const bytes = run('exposition-byte-floor.ts', file);
    expect(bytes).toMatchObject({
      samples: generated.series,
      sources: 300,
      duplicates: 0,
      comments: 10,
      other: 0,
    });

    // Two repeated series, one with its labels in another order (the same series), and a line it does not take.
    appendFileSync(
      file,
      'app_worker_busy_ratio{job="shop-0",instance="10.0.0.0:8080",route="/api/items/0"} 2\n' +
        'app_worker_busy_ratio{route="/api/items/1",instance="10.0.0.0:8080",job="shop-0"} 2\n' +
        'app_worker_busy_ratio{job="a\\"b"} 1\n',
    );
    expect(run('exposition-byte-floor.ts', file)).toMatchObject({ duplicates: 2, other: 1 });
  });
});
