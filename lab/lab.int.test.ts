/**
 * Runs the quick lab end to end (real broker, real Prometheus and Pushgateway, exposer processes) into a
 * temporary docs directory, and asserts the directions the report argues — not the numbers, which depend on
 * the machine.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokers } from '../test/kafka.js';
import { parseResults, type LabResults } from './results.js';
import { runLab } from './run.js';

const out = mkdtempSync(join(tmpdir(), 'queuefront-lab-docs-'));
let results: LabResults;
const logged: string[] = [];

beforeAll(async () => {
  results = await runLab({
    quick: true,
    out,
    brokers: brokers(),
    command: 'npm run lab -- --quick',
    log: (line) => void logged.push(line),
  });
}, 900_000);

afterAll(() => {
  rmSync(out, { recursive: true, force: true });
});

/** One scenario's results; a scenario that failed fails its test with the lab's reason, not a TypeError. */
function scenario<K extends keyof LabResults['scenarios']>(name: K): NonNullable<LabResults['scenarios'][K]> {
  const r = results.scenarios[name];
  if (r === undefined || r === null) {
    throw new Error(`the lab has no results for ${name}: ${results.failures[name] ?? 'it did not run'}`);
  }
  return r;
}

/** A time that was never observed counts as later than any observed one. */
const later = (value: number | null): number => value ?? Number.POSITIVE_INFINITY;

describe('npm run lab -- --quick', () => {
  it('runs every scenario without a failure and writes results, charts and the report', () => {
    expect(results.failures, logged.join('\n')).toEqual({});
    const file = join(out, 'lab', 'results.json');
    expect(parseResults(readFileSync(file, 'utf8'), file)).toEqual(results);
    for (const chart of ['dead-app', 'misalignment', 'timestamps', 'scale', 'queue-down']) {
      expect(existsSync(join(out, 'lab', `${chart}.svg`)), chart).toBe(true);
    }
    const report = readFileSync(join(out, 'lab-report.md'), 'utf8');
    expect(report).toContain('**These are quick-run figures**');
    expect(report).toContain('## Queue down');
  });

  it('dead app: direct scraping notices before the exposer and the Pushgateway, whose series linger', () => {
    const r = scenario('dead-app');
    const at = (id: string) => r.detections.find((d) => d.id === id)?.detectedAfterS ?? null;
    expect(at('direct-up')).not.toBeNull();
    expect(later(at('direct-up'))).toBeLessThan(later(at('exposer-absent')));
    expect(later(at('direct-up'))).toBeLessThan(later(at('exposer-ttl-absent')));
    expect(later(at('direct-up'))).toBeLessThan(later(at('pushgateway-absent')));
    // Without a TTL the exposer never lets the series go; neither does the Pushgateway.
    expect(at('exposer-absent')).toBeNull();
    expect(at('pushgateway-absent')).toBeNull();
    const present = Object.fromEntries(r.lingering.map((l) => [l.id, l.seriesPresentAtEnd]));
    expect(present).toMatchObject({ direct: false, exposer: true, pushgateway: true });
  });

  it('misalignment: an injected delay shows in the propagation delay and makes live apps look gone with a TTL', () => {
    const r = scenario('misalignment');
    const p50 = (phase: string) => r.propagation.find((p) => p.phase === phase)?.p50S ?? null;
    expect(p50('baseline')).not.toBeNull();
    expect(p50('delayed')!).toBeGreaterThan(p50('baseline')!);
    expect(r.directDownS).toBe(0);
    expect(r.wronglyAbsentS).toBeGreaterThan(0);
    expect(r.rate.underReportedS).toBeGreaterThan(0);
  });

  it('timestamps: source and drain modes make Prometheus drop samples; none mode shows an old backlog as current', () => {
    const r = scenario('timestamps');
    const mode = (name: string) => r.modes.find((m) => m.mode === name)!;
    const none = mode('none');
    expect([none.outOfOrder, none.duplicate, none.outOfBounds]).toEqual([0, 0, 0]);
    expect(none.backlogVisible).toBe(true);
    for (const name of ['source', 'drain']) {
      const m = mode(name);
      expect(m.outOfOrder + m.duplicate, name).toBeGreaterThan(0);
      expect(m.outOfBounds, name).toBeGreaterThan(0);
      expect(m.backlogVisible, name).toBe(false);
    }
    // Directly, the dead app's series go at once (a staleness marker); through any exposer mode they stay.
    expect(r.direct.deadSeriesGoneAfterS).not.toBeNull();
    for (const m of r.modes) expect(m.deadSeriesPresentAtEnd, m.mode).toBe(true);
  });

  it('scale: the exposer scrape takes longer with more series; direct targets stay up', () => {
    const r = scenario('scale');
    expect(r.steps.length).toBeGreaterThanOrEqual(2);
    const first = r.steps[0]!;
    const last = r.steps[r.steps.length - 1]!;
    expect(last.targetSeries).toBeGreaterThan(first.targetSeries);
    expect(last.scrapeDurationMaxS).toBeGreaterThan(first.scrapeDurationMaxS);
    if (r.failedAtSeries !== null) {
      expect(last.upMin).toBe(0);
      expect(r.failedAtSeries).toBe(last.targetSeries);
    }
    expect(r.direct.upMin).toBe(1);
  });

  it('queue down: the exposer stays up with frozen series while pushes are lost, and its data recovers', () => {
    const r = scenario('queue-down');
    expect(r.during.exposerUpMin).toBe(1);
    // The exposer's 2-s metadata probe notices the broker is gone well within the outage.
    expect(r.during.kafkaConnectedMin).toBe(0);
    expect(r.during.directUpMin).toBe(1);
    expect(r.during.exposerSeriesPresent).toBe(true);
    expect(r.during.directRate!).toBeGreaterThan(0);
    expect(r.during.exposerRate!).toBeLessThan(r.during.directRate! / 2);
    expect(r.during.pushFailures).toBeGreaterThan(0);
    expect(r.recovery.freshDataS).not.toBeNull();
  });
});
