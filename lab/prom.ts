/**
 * Reading figures back from Prometheus's HTTP API: instant queries, range queries, "the first moment an
 * alerting expression returned something", and a few reductions. The lab takes every number it reports from
 * here, never from its own bookkeeping.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { PrometheusHandle } from '../deploy/prometheus/server.js';

export interface RangeSeries {
  readonly metric: Readonly<Record<string, string>>;
  /** [unix seconds, value] */
  readonly values: readonly (readonly [number, number])[];
}

interface RangeResponse {
  status: string;
  error?: string;
  data?: { resultType: string; result: { metric: Record<string, string>; values: [number, string][] }[] };
}

export async function queryRange(
  prometheus: Pick<PrometheusHandle, 'url'>,
  expr: string,
  startMs: number,
  endMs: number,
  stepS = 1,
): Promise<RangeSeries[]> {
  const params = new URLSearchParams({
    query: expr,
    start: (startMs / 1000).toFixed(3),
    end: (endMs / 1000).toFixed(3),
    step: String(stepS),
  });
  const response = await fetch(`${prometheus.url}/api/v1/query_range?${params.toString()}`);
  const body = (await response.json()) as RangeResponse;
  if (body.status !== 'success' || !body.data) {
    throw new Error(`range query ${expr} failed: ${body.error ?? response.status}`);
  }
  return body.data.result.map((r) => ({
    metric: r.metric,
    values: r.values.map(([t, v]) => [t, Number(v)] as const),
  }));
}

/** The value of a one-element instant vector, or null when the vector is empty or NaN. */
export async function scalar(prometheus: PrometheusHandle, expr: string): Promise<number | null> {
  const result = await prometheus.query(expr);
  const value = result[0]?.value;
  return value === undefined || Number.isNaN(value) ? null : value;
}

export interface Watch {
  readonly id: string;
  readonly expr: string;
  /** true: fires when the expression returns something; false: when it returns nothing. */
  readonly whenPresent: boolean;
}

/**
 * Evaluates each watched expression every `pollMs` from `sinceMs` until all have fired or `untilMs` passes;
 * returns seconds from `sinceMs` to the first evaluation that fired, or null for those that never did.
 */
export async function firstFired(
  prometheus: PrometheusHandle,
  watches: readonly Watch[],
  sinceMs: number,
  untilMs: number,
  pollMs = 250,
  onPoll?: (pending: number) => void,
): Promise<Map<string, number | null>> {
  const fired = new Map<string, number | null>(watches.map((w) => [w.id, null]));
  const pending = new Set(watches.map((w) => w.id));
  while (pending.size > 0 && Date.now() < untilMs) {
    const evaluatedAt = Date.now();
    await Promise.all(
      watches
        .filter((w) => pending.has(w.id))
        .map(async (w) => {
          const result = await prometheus.query(w.expr);
          if (result.length > 0 === w.whenPresent) {
            fired.set(w.id, Math.max(0, (evaluatedAt - sinceMs) / 1000));
            pending.delete(w.id);
          }
        }),
    );
    onPoll?.(pending.size);
    await sleep(Math.max(0, pollMs - (Date.now() - evaluatedAt)));
  }
  return fired;
}

/** Waits until `expr` returns at least `min` elements (e.g. every app's series arrived through each path). */
export async function waitForCount(
  prometheus: PrometheusHandle,
  expr: string,
  min: number,
  timeoutMs: number,
): Promise<void> {
  await prometheus.waitFor(expr, (r) => r.length >= min, timeoutMs);
}

/** Seconds (steps of `stepS`) in which `predicate` held over a range query's single series, or 0. */
export function stepsWhere(
  series: readonly RangeSeries[],
  predicate: (value: number) => boolean,
  stepS = 1,
): number {
  const values = series[0]?.values ?? [];
  return values.filter(([, v]) => predicate(v)).length * stepS;
}

export function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

/** A range query's single series as a map from unix second (rounded) to value. */
export function byTime(series: readonly RangeSeries[]): Map<number, number> {
  return new Map((series[0]?.values ?? []).map(([t, v]) => [Math.round(t), v]));
}

/** Rounds for the results file: figures keep 3 significant decimals, not float noise. */
export function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function roundOrNull(value: number | null | undefined, digits = 3): number | null {
  return value === null || value === undefined || !Number.isFinite(value) ? null : round(value, digits);
}

interface InstantResponse {
  status: string;
  error?: string;
  data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
}

/** An instant query evaluated at `timeMs` (a past moment of the run): the first element's value, or null. */
export async function valueAt(
  prometheus: Pick<PrometheusHandle, 'url'>,
  expr: string,
  timeMs: number,
): Promise<number | null> {
  const params = new URLSearchParams({ query: expr, time: (timeMs / 1000).toFixed(3) });
  const response = await fetch(`${prometheus.url}/api/v1/query?${params.toString()}`);
  const body = (await response.json()) as InstantResponse;
  if (body.status !== 'success' || !body.data) {
    throw new Error(`query ${expr} failed: ${body.error ?? response.status}`);
  }
  if (body.data.resultType === 'scalar') {
    const value = Number((body.data.result as unknown as [number, string])[1]);
    return Number.isNaN(value) ? null : value;
  }
  const first = body.data.result[0];
  if (first === undefined) return null;
  const value = Number(first.value[1]);
  return Number.isNaN(value) ? null : value;
}

/** Every value of a range query's single series (in time order), or [] when it returned nothing. */
export function valuesOf(series: readonly RangeSeries[]): number[] {
  return (series[0]?.values ?? []).map(([, v]) => v);
}
