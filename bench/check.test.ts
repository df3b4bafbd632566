import { describe, expect, it } from 'vitest';
import { SyntheticApp } from '../exposer/workload.js';
import { checkScrape } from './check.js';

/** What a scrape of several sources looks like: each family once, its series from every source with job and instance added. */
function scrapeOf(apps: readonly SyntheticApp[]): string {
  const families = new Map<string, string[]>();
  for (const app of apps) {
    let current: string[] = [];
    for (const line of app.toText().split('\n')) {
      if (line === '') continue;
      if (line.startsWith('#')) {
        const name = line.split(' ')[2]!;
        const known = families.get(name);
        if (known === undefined) {
          current = [line];
          families.set(name, current);
        } else {
          current = known;
          if (current.length > 0 && current[0]!.startsWith('#') && !current.includes(line))
            current.splice(1, 0, line);
        }
        continue;
      }
      current.push(line.replace('{', `{instance="${app.instance}",job="${app.job}",`));
    }
  }
  return `${[...families.values()].flat().join('\n')}\n`;
}

function fleetOf(n: number): SyntheticApp[] {
  return Array.from({ length: n }, (_, i) => {
    const app = new SyntheticApp('bench', `app-${i}:8080`, 24, i + 1);
    app.tick(15);
    return app;
  });
}

describe('checkScrape', () => {
  it('accepts a complete scrape taken from one push per source', () => {
    const apps = fleetOf(2);
    const check = checkScrape(scrapeOf(apps), 'bench', 48);
    expect(check).toMatchObject({ series: 48, sources: 2, diagnostics: 0, complete: true, consistent: true });
    expect(check.problem).toBeUndefined();
  });

  it('counts only the series of the given job', () => {
    const check = checkScrape(scrapeOf(fleetOf(2)), 'other', 0);
    expect(check).toMatchObject({ series: 0, complete: true });
  });

  it('reports a truncated body as incomplete', () => {
    const body = scrapeOf(fleetOf(2));
    const cut = body.slice(0, body.lastIndexOf('app_request_duration_seconds_count'));
    const check = checkScrape(cut, 'bench', 48);
    expect(check.complete).toBe(false);
    expect(check.series).toBeLessThan(48);
    // The last route lost its _count: that is also an inconsistency.
    expect(check.consistent).toBe(false);
  });

  it('reports a line cut in the middle as a diagnostic', () => {
    const check = checkScrape('app_requests_total{job="bench",instance="a",route="/"', 'bench', 1);
    expect(check.diagnostics).toBeGreaterThan(0);
    expect(check.complete).toBe(false);
    expect(check.problem).toMatch(/^line 1: /);
  });

  it('reports a source mixed from two pushes as inconsistent', () => {
    const [app] = fleetOf(1);
    const before = scrapeOf([app!]);
    app!.tick(60);
    const after = scrapeOf([app!]);
    // The histogram buckets of the first push with the _count of the second.
    const lines = before.split('\n');
    const newCount = after.split('\n').find((l) => l.startsWith('app_request_duration_seconds_count'))!;
    const index = lines.findIndex((l) => l.startsWith('app_request_duration_seconds_count'));
    lines[index] = newCount;
    const check = checkScrape(lines.join('\n'), 'bench', 24);
    expect(check.complete).toBe(true);
    expect(check.consistent).toBe(false);
    expect(check.inconsistent).toBe(1);
    expect(check.problem).toContain('app-0:8080 route /api/v1/r0');
  });

  it('reports decreasing buckets as inconsistent', () => {
    const body = [
      'app_request_duration_seconds_bucket{job="bench",instance="a",route="/",le="0.1"} 5',
      'app_request_duration_seconds_bucket{job="bench",instance="a",route="/",le="1"} 3',
      'app_request_duration_seconds_bucket{job="bench",instance="a",route="/",le="+Inf"} 7',
      'app_request_duration_seconds_count{job="bench",instance="a",route="/"} 7',
      '',
    ].join('\n');
    const check = checkScrape(body, 'bench', 4);
    expect(check.consistent).toBe(false);
    expect(check.problem).toContain('buckets decrease');
  });

  it('reports a different series count than expected', () => {
    const check = checkScrape(scrapeOf(fleetOf(1)), 'bench', 25);
    expect(check.complete).toBe(false);
    expect(check.problem).toBe('24 series of job bench, expected 25');
  });

  it('treats an empty body as no series', () => {
    expect(checkScrape('', 'bench', 0)).toMatchObject({ series: 0, complete: true, consistent: true });
    expect(checkScrape('', 'bench', 1).complete).toBe(false);
  });
});
