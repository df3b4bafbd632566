/**
 * A synthetic application's metrics, as a real service would have them: request counters by route and code, an
 * in-flight gauge and a latency histogram per route. The load generator pushes them through Kafka and the demo
 * app also serves them on its own /metrics, so the lab compares the same series scraped directly and through the
 * exposer.
 *
 * Kept as plain counters rather than prom-client registries: the load generator must produce records far faster
 * than the exposer applies them, and thousands of registries would cost more than the apps they stand for.
 */

import { formatValue, render } from '../exposition/index.js';
import type { FamilyModel, MetricType } from '../exposition/types.js';

const BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5] as const;
/** Series per route: 2 counters, 1 gauge, histogram buckets + `+Inf` + `_sum` + `_count`. */
export const SERIES_PER_ROUTE = 3 + BUCKETS.length + 3;

interface Route {
  readonly name: string;
  ok: number;
  errors: number;
  inflight: number;
  readonly buckets: number[];
  sum: number;
  count: number;
}

export interface JsonSample {
  name?: string;
  labels?: Record<string, string>;
  value: number;
  timestamp_ms?: number;
}

export interface JsonMessage {
  job: string;
  instance: string;
  timestamp_ms?: number;
  metrics: { name: string; type: string; help?: string; samples: JsonSample[] }[];
}

/** A tiny deterministic PRNG (mulberry32), so a run with the same seed produces the same numbers. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class SyntheticApp {
  readonly job: string;
  readonly instance: string;
  private readonly routes: Route[];
  private readonly random: () => number;

  /** About `series` series (a multiple of SERIES_PER_ROUTE, at least one route). */
  constructor(job: string, instance: string, series: number, seed = 1) {
    this.job = job;
    this.instance = instance;
    this.random = prng(seed);
    const routes = Math.max(1, Math.round(series / SERIES_PER_ROUTE));
    this.routes = Array.from({ length: routes }, (_, i) => ({
      name: `/api/v1/r${i}`,
      ok: 0,
      errors: 0,
      inflight: 0,
      buckets: BUCKETS.map(() => 0),
      sum: 0,
      count: 0,
    }));
  }

  get seriesCount(): number {
    return this.routes.length * SERIES_PER_ROUTE;
  }

  /** Advances the counters as if `seconds` of traffic had been served. */
  tick(seconds: number): void {
    for (const route of this.routes) {
      const requests = Math.max(1, Math.round(seconds * 10 * (0.5 + this.random())));
      for (let i = 0; i < requests; i++) {
        const latency = -Math.log(1 - this.random()) * 0.2;
        route.sum += latency;
        route.count++;
        for (let b = 0; b < BUCKETS.length; b++) if (latency <= (BUCKETS[b] ?? 0)) route.buckets[b]!++;
        if (this.random() < 0.01) route.errors++;
        else route.ok++;
      }
      route.inflight = Math.floor(this.random() * 8);
    }
  }

  /** The JSON push message of the exposer's contract (op replace). */
  toMessage(timestampMs?: number): JsonMessage {
    const requests: JsonSample[] = [];
    const inflight: JsonSample[] = [];
    const duration: JsonSample[] = [];
    for (const r of this.routes) {
      requests.push({ labels: { route: r.name, code: '200' }, value: r.ok });
      requests.push({ labels: { route: r.name, code: '500' }, value: r.errors });
      inflight.push({ labels: { route: r.name }, value: r.inflight });
      for (let b = 0; b < BUCKETS.length; b++) {
        duration.push({
          name: 'app_request_duration_seconds_bucket',
          labels: { route: r.name, le: String(BUCKETS[b]) },
          value: r.buckets[b] ?? 0,
        });
      }
      duration.push({
        name: 'app_request_duration_seconds_bucket',
        labels: { route: r.name, le: '+Inf' },
        value: r.count,
      });
      duration.push({ name: 'app_request_duration_seconds_sum', labels: { route: r.name }, value: r.sum });
      duration.push({
        name: 'app_request_duration_seconds_count',
        labels: { route: r.name },
        value: r.count,
      });
    }
    const message: JsonMessage = {
      job: this.job,
      instance: this.instance,
      metrics: [
        {
          name: 'app_requests_total',
          type: 'counter',
          help: 'Requests served, by route and status code.',
          samples: requests,
        },
        {
          name: 'app_inflight_requests',
          type: 'gauge',
          help: 'Requests being served now.',
          samples: inflight,
        },
        {
          name: 'app_request_duration_seconds',
          type: 'histogram',
          help: 'Request latency.',
          samples: duration,
        },
      ],
    };
    if (timestampMs !== undefined) message.timestamp_ms = timestampMs;
    return message;
  }

  /**
   * The same metrics as Prometheus text 0.0.4, as the app serves them on its own /metrics. The lines never change
   * but for their values, so the first call renders the message with the exposition renderer and keeps each line's
   * text up to its value; later calls only format the values (the load generator calls this for every record).
   */
  toText(): string {
    const template = (this.#template ??= textTemplate(renderMessage(this.toMessage())));
    let out = template[0]!;
    let i = 1;
    this.#eachValue((value) => {
      out += formatValue(value) + template[i++]!;
    });
    return out;
  }

  #template: string[] | undefined;

  /** The values of toMessage(), in its order, without building it. */
  #eachValue(visit: (value: number) => void): void {
    const routes = this.routes;
    for (const r of routes) {
      visit(r.ok);
      visit(r.errors);
    }
    for (const r of routes) visit(r.inflight);
    for (const r of routes) {
      for (let b = 0; b < BUCKETS.length; b++) visit(r.buckets[b] ?? 0);
      visit(r.count);
      visit(r.sum);
      visit(r.count);
    }
  }
}

/** The message through the exposition renderer: the reference text, which toText reproduces. */
export function renderMessage(message: JsonMessage): string {
  const families: FamilyModel[] = message.metrics.map((family) => ({
    name: family.name,
    type: family.type as MetricType,
    ...(family.help === undefined ? {} : { help: family.help }),
    samples: family.samples.map((sample) => ({
      ...(sample.name === undefined ? {} : { name: sample.name }),
      ...(sample.labels === undefined ? {} : { labels: sample.labels }),
      value: sample.value,
    })),
  }));
  return render(families, 'text');
}

/**
 * Splits rendered text around its sample values: element 0 is everything before the first value, element k the
 * text after value k up to value k + 1 (a line end, comment lines, the next series' name and labels).
 */
function textTemplate(text: string): string[] {
  const pieces: string[] = [];
  let pending = '';
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      pending += `${line}\n`;
      continue;
    }
    const space = line.lastIndexOf(' ');
    pieces.push(pending + line.slice(0, space + 1));
    pending = '\n';
  }
  pieces.push(pending);
  return pieces;
}
