/**
 * /metrics from a store snapshot, as chunks of about 64 KiB, in text 0.0.4 or OpenMetrics 1.0, followed by the
 * exposer's own metrics.
 *
 * The store's families follow text 0.0.4 naming (a counter family is named like its samples, `x_total`). In
 * OpenMetrics a counter `x_total` is announced as `# TYPE x counter`; a counter whose name lacks `_total` cannot
 * be written as an OpenMetrics counter and is announced as `unknown` (its samples are unchanged); `untyped` is
 * `unknown`.
 */
import type { MetricObjectWithValues, MetricValue } from 'prom-client';
import { escapeHelp, escapeLabelValue, formatTimestamp, formatValue } from '../exposition/index.js';
import type { Format, MetricType } from '../exposition/types.js';
import type { Snapshot, Store } from './store.js';

const CHUNK = 64 * 1024;

export type SelfMetrics = readonly MetricObjectWithValues<MetricValue<string>>[];

export interface RenderOptions {
  /** The exposer's own metrics (`await registry.getMetricsAsJSON()`), appended or merged by name. */
  readonly selfMetrics?: SelfMetrics;
  /** Drain mode: take the pending samples (default true; HEAD passes false). */
  readonly drain?: boolean;
}

/**
 * Takes the snapshot now (so a scrape sees one instant, and a drain happens exactly once per call) and returns
 * the chunks lazily; the caller streams them.
 */
export function renderMetrics(
  store: Store,
  format: Format,
  nowMs: number,
  options: RenderOptions = {},
): Iterable<string> {
  const snapshot = store.snapshot(nowMs, options.drain === false ? { drain: false } : {});
  return renderSnapshot(snapshot, format, options.selfMetrics ?? []);
}

export function* renderSnapshot(
  snapshot: Snapshot,
  format: Format,
  selfMetrics: SelfMetrics,
): Generator<string> {
  const om = format === 'openmetrics';
  const self = new Map<string, MetricObjectWithValues<MetricValue<string>>>();
  for (const metric of selfMetrics) self.set(metric.name, metric);
  let out = '';
  for (const family of snapshot.families) {
    out += header(family.name, family.type, family.help, family.unit, om);
    if (family.drained !== undefined) {
      for (const s of family.drained) {
        for (let i = 0; i < s.values.length; i++) {
          out += `${s.prefix} ${formatValue(s.values[i]!)} ${formatTimestamp(s.timestamps[i]!, format)}\n`;
        }
        if (out.length >= CHUNK) {
          yield out;
          out = '';
        }
      }
    } else {
      for (const part of family.parts) {
        // Each series' prefix and its space are kept back to back in one string: only the values are written here.
        const { text, offsets, count } = part.layout;
        const { values, timestamps } = part;
        for (let i = 0; i < count; i++) {
          out += text.slice(offsets[i], offsets[i + 1]);
          out += formatValue(values[i]!);
          out += timestamps === undefined ? '\n' : ` ${formatTimestamp(timestamps[i]!, format)}\n`;
          if (out.length >= CHUNK) {
            yield out;
            out = '';
          }
        }
      }
    }
    const own = self.get(family.name);
    if (own !== undefined) {
      if ((own.type as unknown as string) === family.type) out += selfSamples(own);
      self.delete(family.name);
    }
  }
  for (const metric of self.values()) {
    out += header(metric.name, metric.type as unknown as MetricType, metric.help, undefined, om);
    out += selfSamples(metric);
  }
  if (om) out += '# EOF\n';
  if (out.length > 0) yield out;
}

function header(
  name: string,
  type: MetricType,
  help: string | undefined,
  unit: string | undefined,
  om: boolean,
): string {
  let metaName = name;
  let shownType: string = type;
  if (om) {
    if (type === 'counter') {
      if (name.endsWith('_total')) metaName = name.slice(0, -'_total'.length);
      else shownType = 'unknown';
    } else if (type === 'untyped') shownType = 'unknown';
  } else if (type === 'unknown' || type === 'gaugehistogram') shownType = 'untyped';
  else if (type === 'info' || type === 'stateset') shownType = 'gauge';
  let out = '';
  if (help !== undefined) out += `# HELP ${metaName} ${escapeHelp(help, om ? 'openmetrics' : 'text')}\n`;
  out += `# TYPE ${metaName} ${shownType}\n`;
  if (om && unit !== undefined && unit !== '' && metaName.endsWith(`_${unit}`))
    out += `# UNIT ${metaName} ${unit}\n`;
  return out;
}

function selfSamples(metric: MetricObjectWithValues<MetricValue<string>>): string {
  let out = '';
  for (const v of metric.values) {
    const name = (v as { metricName?: string }).metricName ?? metric.name;
    const labels = Object.entries(v.labels).filter(([, value]) => value !== undefined);
    let prefix = name;
    if (labels.length > 0) {
      prefix += `{${labels.map(([n, value]) => `${n}="${escapeLabelValue(String(value))}"`).join(',')}}`;
    }
    out += `${prefix} ${formatValue(v.value)}\n`;
  }
  return out;
}
