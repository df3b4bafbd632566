/**
 * The lab's charts: one vega-lite spec per scenario, built from results.json and rendered to SVG headless by
 * vega (no browser, no canvas). The specs are plain data, so the unit tests check what each chart encodes.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { LabResults, ScenarioName } from './results.js';

export interface ChartSpec {
  readonly scenario: ScenarioName;
  /** File name under docs/lab/. */
  readonly file: string;
  readonly title: string;
  readonly spec: TopLevelSpec;
}

const WIDTH = 560;
const COLOR_OF_PATH: Record<string, string> = {
  direct: '#2b8a3e',
  exposer: '#c92a2a',
  pushgateway: '#e67700',
};

/** The colour scale of the paths a chart actually shows (so its legend lists no path it does not draw). */
function pathColors(values: readonly { path: string }[]): { domain: string[]; range: string[] } {
  const domain = Object.keys(COLOR_OF_PATH).filter((p) => values.some((v) => v.path === p));
  return { domain, range: domain.map((p) => COLOR_OF_PATH[p] ?? '#868e96') };
}

/** A y domain that keeps a catch-up spike from flattening everything else: 3 x the direct maximum. */
function clippedRate(values: readonly { path: string; rate: number }[]): [number, number] | undefined {
  const direct = Math.max(0, ...values.filter((v) => v.path === 'direct').map((v) => v.rate));
  const all = Math.max(0, ...values.map((v) => v.rate));
  return direct > 0 && all > direct * 3 ? [0, Math.ceil(direct * 3)] : undefined;
}

function deadAppChart(results: LabResults): ChartSpec | undefined {
  const r = results.scenarios['dead-app'];
  if (!r) return undefined;
  const window = r.config.windowS;
  const values = r.detections.map((d) => ({
    label: d.label,
    path: d.path,
    seconds: d.detectedAfterS ?? window,
    shown: d.detectedAfterS === null ? `never (> ${window} s)` : `${d.detectedAfterS.toFixed(1)} s`,
  }));
  return {
    scenario: 'dead-app',
    file: 'dead-app.svg',
    title: 'Dead app: seconds from the kill until the alert expression fires',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: { text: 'Dead app: time until an alert expression notices', subtitle: `window ${window} s` },
      width: WIDTH,
      data: { values },
      encoding: {
        y: { field: 'label', type: 'nominal', sort: null, title: null, axis: { labelLimit: 320 } },
        x: {
          field: 'seconds',
          type: 'quantitative',
          title: 'seconds after the kill',
          scale: { domain: [0, Math.ceil(window * 1.3)] },
        },
      },
      layer: [
        {
          mark: 'bar',
          encoding: { color: { field: 'path', type: 'nominal', scale: pathColors(values), title: 'path' } },
        },
        { mark: { type: 'text', align: 'left', dx: 4 }, encoding: { text: { field: 'shown' } } },
      ],
    },
  };
}

/** The points of direct and through-the-exposer rates, skipping gaps. */
function ratePoints(
  points: readonly { t: number; direct: number | null; exposer: number | null }[],
): { t: number; path: string; rate: number }[] {
  return points.flatMap((p) => [
    ...(p.direct === null ? [] : [{ t: p.t, path: 'direct', rate: p.direct }]),
    ...(p.exposer === null ? [] : [{ t: p.t, path: 'exposer', rate: p.exposer }]),
  ]);
}

/** A request-rate chart, direct against through the exposer, with one shaded interval (delay or outage). */
function rateChart(options: {
  readonly title: { text: string; subtitle: string };
  readonly xTitle: string;
  readonly shaded: { from: number; to: number };
  readonly values: { t: number; path: string; rate: number }[];
}): ChartSpec['spec'] {
  const { values } = options;
  const clip = clippedRate(values);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: options.title,
    width: WIDTH,
    height: 240,
    layer: [
      {
        data: { values: [options.shaded] },
        mark: { type: 'rect', opacity: 0.15, color: '#868e96' },
        encoding: { x: { field: 'from', type: 'quantitative' }, x2: { field: 'to' } },
      },
      {
        data: { values },
        mark: { type: 'line', interpolate: 'step-after', clip: true },
        encoding: {
          x: { field: 't', type: 'quantitative', title: options.xTitle },
          y: {
            field: 'rate',
            type: 'quantitative',
            title: clip ? 'requests per second (clipped at 3 x direct)' : 'requests per second',
            ...(clip ? { scale: { domain: clip } } : {}),
          },
          color: { field: 'path', type: 'nominal', scale: pathColors(values), title: 'path' },
        },
      },
    ],
  };
}

function misalignmentChart(results: LabResults): ChartSpec | undefined {
  const r = results.scenarios.misalignment;
  if (!r) return undefined;
  return {
    scenario: 'misalignment',
    file: 'misalignment.svg',
    title: 'Misalignment: rate() of the same counters, direct and through the exposer',
    spec: rateChart({
      title: {
        text: `sum(rate(app_requests_total[${r.config.rateWindowS}s])), direct vs through the exposer`,
        subtitle: `shaded: delivery delayed by ${r.config.injectedDelayS} s`,
      },
      xTitle: 'seconds',
      shaded: { from: r.config.baselineS, to: r.config.baselineS + r.config.delayedS },
      values: ratePoints(r.rate.points),
    }),
  };
}

function timestampsChart(results: LabResults): ChartSpec | undefined {
  const r = results.scenarios.timestamps;
  if (!r) return undefined;
  const values = r.modes.flatMap((m) => [
    { mode: m.mode, kind: 'out of order', count: m.outOfOrder },
    { mode: m.mode, kind: 'duplicate timestamp', count: m.duplicate },
    { mode: m.mode, kind: 'out of bounds', count: m.outOfBounds },
  ]);
  return {
    scenario: 'timestamps',
    file: 'timestamps.svg',
    title: 'Timestamps: samples Prometheus dropped, by exposer mode',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: {
        text: 'Samples Prometheus dropped (its own counters), by exposer timestamp mode',
        subtitle: `${r.config.durationS} s of pushes with ${r.config.jitterS} s delivery jitter and a ${r.config.backlogAgeS / 3600} h old backlog`,
      },
      width: WIDTH,
      height: 220,
      data: { values },
      mark: 'bar',
      encoding: {
        x: {
          field: 'mode',
          type: 'nominal',
          sort: ['none', 'source', 'drain'],
          title: 'exposer --timestamps',
        },
        xOffset: { field: 'kind' },
        y: { field: 'count', type: 'quantitative', title: 'samples dropped' },
        color: { field: 'kind', type: 'nominal', title: null },
      },
    },
  };
}

function scaleChart(results: LabResults): ChartSpec | undefined {
  const r = results.scenarios.scale;
  if (!r) return undefined;
  const values = r.steps.map((s) => ({
    series: s.targetSeries,
    seconds: s.scrapeDurationMaxS,
    up: s.upMin === 0 ? 'up = 0 (scrape failed)' : 'up = 1',
    path: 'exposer (one target)',
  }));
  const direct = [
    {
      series: r.direct.seriesPerTarget,
      seconds: r.direct.scrapeDurationMaxS,
      up: r.direct.upMin === 0 ? 'up = 0 (scrape failed)' : 'up = 1',
      path: `direct (each of ${r.direct.targets} targets)`,
    },
  ];
  return {
    scenario: 'scale',
    file: 'scale.svg',
    title: 'Scale: the exposer scrape duration as series grow, against the scrape timeout',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: {
        text: 'scrape_duration_seconds of the exposer as the series behind it grow',
        subtitle: `scrape every ${r.config.scrapeIntervalS} s, timeout ${r.config.scrapeTimeoutS} s (dashed)`,
      },
      width: WIDTH,
      height: 260,
      layer: [
        {
          data: { values: [{ timeout: r.config.scrapeTimeoutS }] },
          mark: { type: 'rule', strokeDash: [6, 4], color: '#c92a2a' },
          encoding: { y: { field: 'timeout', type: 'quantitative' } },
        },
        {
          data: { values },
          mark: { type: 'line', color: '#868e96' },
          encoding: {
            x: { field: 'series', type: 'quantitative', title: 'series behind the target' },
            y: { field: 'seconds', type: 'quantitative', title: 'max scrape_duration_seconds' },
          },
        },
        {
          data: { values: [...values, ...direct] },
          mark: { type: 'point', filled: true, size: 90 },
          encoding: {
            x: { field: 'series', type: 'quantitative' },
            y: { field: 'seconds', type: 'quantitative' },
            color: {
              field: 'up',
              type: 'nominal',
              scale: { domain: ['up = 1', 'up = 0 (scrape failed)'], range: ['#2b8a3e', '#c92a2a'] },
              title: null,
            },
            shape: { field: 'path', type: 'nominal', title: null },
          },
        },
      ],
    },
  };
}

function queueDownChart(results: LabResults): ChartSpec | undefined {
  const r = results.scenarios['queue-down'];
  if (!r) return undefined;
  const upAfter = r.config.downS + r.recovery.brokerStartS;
  return {
    scenario: 'queue-down',
    file: 'queue-down.svg',
    title: 'Queue down: the request rate Prometheus sees while Kafka is down',
    spec: rateChart({
      title: {
        text: 'sum(rate(app_requests_total[5s])) while the broker is down (shaded)',
        subtitle: `broker stopped at 0 s, restarted at ${r.config.downS} s, answering at ${upAfter.toFixed(0)} s`,
      },
      xTitle: 'seconds from the broker stop',
      shaded: { from: 0, to: upAfter },
      values: ratePoints(r.timeline),
    }),
  };
}

/** The chart of every scenario present in the results, in the scenarios' order. */
export function chartSpecs(results: LabResults): ChartSpec[] {
  return [deadAppChart, misalignmentChart, timestampsChart, scaleChart, queueDownChart]
    .map((build) => build(results))
    .filter((c): c is ChartSpec => c !== undefined);
}

/** Renders a vega-lite spec to an SVG document, headless. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Writes one SVG per chart into `dir`; returns the files written. */
export async function writeCharts(results: LabResults, dir: string): Promise<string[]> {
  const written: string[] = [];
  for (const chart of chartSpecs(results)) {
    const file = join(dir, chart.file);
    writeFileSync(file, `${await renderSvg(chart.spec)}\n`);
    written.push(file);
  }
  return written;
}
