import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import { chartSpecs, renderSvg, writeCharts } from './charts.js';
import { sampleResults } from './testing/sample-results.js';

describe('chartSpecs', () => {
  it('makes one valid vega-lite chart per scenario present', () => {
    const charts = chartSpecs(sampleResults());
    expect(charts.map((c) => c.file)).toEqual([
      'dead-app.svg',
      'misalignment.svg',
      'timestamps.svg',
      'scale.svg',
      'queue-down.svg',
    ]);
    for (const chart of charts) expect(() => compile(chart.spec)).not.toThrow();
  });

  it('makes none for a scenario that did not run', () => {
    const results = sampleResults();
    delete results.scenarios.scale;
    delete results.scenarios['dead-app'];
    expect(chartSpecs(results).map((c) => c.scenario)).toEqual(['misalignment', 'timestamps', 'queue-down']);
  });

  it('draws a dead-app alert that never fired at the window, labelled never', () => {
    const dead = chartSpecs(sampleResults()).find((c) => c.scenario === 'dead-app')!;
    const values = (dead.spec as { data: { values: { label: string; seconds: number; shown: string }[] } })
      .data.values;
    expect(values.find((v) => v.label.startsWith('exposer, no TTL'))).toMatchObject({
      seconds: 20,
      shown: 'never (> 20 s)',
    });
    expect(values.find((v) => v.label.startsWith('direct'))).toMatchObject({ seconds: 0.5, shown: '0.5 s' });
  });

  it('leaves out missing points of a line instead of drawing them as zero', () => {
    const mis = chartSpecs(sampleResults()).find((c) => c.scenario === 'misalignment')!;
    const layers = (mis.spec as { layer: { data: { values: { t: number; path: string }[] } }[] }).layer;
    const points = layers[1]!.data.values;
    expect(points).toEqual([
      { t: 0, path: 'direct', rate: 30 },
      { t: 0, path: 'exposer', rate: 40 },
      { t: 1, path: 'direct', rate: 31 },
      { t: 2, path: 'exposer', rate: 12 },
    ]);
  });
});

describe('rendering', () => {
  it('renders an SVG document with the chart title', async () => {
    const [first] = chartSpecs(sampleResults());
    const svg = await renderSvg(first!.spec);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('Dead app: time until an alert expression notices');
  });

  it('writes one SVG file per chart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-charts-'));
    try {
      const written = await writeCharts(sampleResults(), dir);
      expect(readdirSync(dir).sort()).toEqual([
        'dead-app.svg',
        'misalignment.svg',
        'queue-down.svg',
        'scale.svg',
        'timestamps.svg',
      ]);
      expect(written).toHaveLength(5);
      for (const file of written) expect(readFileSync(file, 'utf8')).toMatch(/^<svg[^>]*>[\s\S]*<\/svg>\n$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
