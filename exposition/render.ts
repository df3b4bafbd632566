/**
 * Renders metric families to text 0.0.4 or OpenMetrics 1.0, streaming chunks. The pieces the exposer's hot path
 * reuses are exported: `renderSeriesPrefix` (a series' `name{labels}`, computed once and cached by the caller),
 * `formatValue`, the escapes, content negotiation.
 */
import type { FamilyModel, Format, MetricType, SampleModel } from './types.js';
import { isValidLabelName, isValidMetricName } from './names.js';

export { isValidLabelName, isValidMetricName } from './names.js';

export const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

export function contentTypeFor(format: Format): string {
  return format === 'openmetrics' ? OPENMETRICS_CONTENT_TYPE : TEXT_CONTENT_TYPE;
}

/**
 * The format to answer a scrape with, from its Accept header: OpenMetrics when the client accepts it (version
 * 1.0.0, 0.0.1 or unversioned) at least as much as text/plain, else text 0.0.4 (also without a header).
 */
export function negotiateFormat(accept: string | undefined): Format {
  if (accept === undefined || accept.length === 0) return 'text';
  let om = 0;
  let text = 0;
  for (const range of accept.split(',')) {
    const parts = range.split(';');
    const media = (parts[0] ?? '').trim().toLowerCase();
    let q = 1;
    let version: string | undefined;
    for (let k = 1; k < parts.length; k++) {
      const part = parts[k] ?? '';
      const eq = part.indexOf('=');
      if (eq === -1) continue;
      const key = part.slice(0, eq).trim().toLowerCase();
      const value = part.slice(eq + 1).trim();
      if (key === 'q') {
        const parsed = Number(value);
        q = Number.isFinite(parsed) ? Math.min(Math.max(parsed, 0), 1) : 0;
      } else if (key === 'version') version = value;
    }
    if (media === 'application/openmetrics-text') {
      if (version === undefined || version === '1.0.0' || version === '0.0.1') om = Math.max(om, q);
    } else if (media === 'text/plain' || media === 'text/*' || media === '*/*') {
      text = Math.max(text, q);
    }
  }
  return om > 0 && om >= text ? 'openmetrics' : 'text';
}

/** A sample value: `NaN`, `+Inf`, `-Inf`, integers without exponent, other floats in shortest round-trip form. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  if (value === 0 && 1 / value < 0) return '-0';
  return String(value);
}

/** A timestamp: integer milliseconds (text 0.0.4) or seconds (OpenMetrics, exact for whole milliseconds). */
export function formatTimestamp(timestampMs: number, format: Format): string {
  if (format === 'text') {
    const ms = Math.round(timestampMs);
    if (Math.abs(ms) <= Number.MAX_SAFE_INTEGER) return String(ms);
    // Beyond 2^53 a double is still an integer: write it exactly, clamped to the int64 range of the format.
    if (ms >= 2 ** 63) return '9223372036854775807';
    if (ms <= -(2 ** 63)) return '-9223372036854775808';
    return BigInt(ms).toString();
  }
  if (!Number.isInteger(timestampMs) || Math.abs(timestampMs) >= 1e21) return String(timestampMs / 1000);
  const negative = timestampMs < 0;
  const digits = String(Math.abs(timestampMs)).padStart(4, '0');
  const whole = digits.slice(0, -3);
  const fraction = digits.slice(-3).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction.length > 0 ? `.${fraction}` : ''}`;
}

function needsEscape(text: string, quote: boolean): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 92 || c === 10 || (quote && c === 34)) return true;
  }
  return false;
}

/** A label value (or quoted name) for inside double quotes: escapes `\`, `"` and line feed. */
export function escapeLabelValue(value: string): string {
  if (!needsEscape(value, true)) return value;
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

/** HELP text: escapes `\` and line feed; OpenMetrics also `"`. */
export function escapeHelp(help: string, format: Format = 'text'): string {
  const om = format === 'openmetrics';
  if (!needsEscape(help, om)) return help;
  return help.replace(om ? /[\\"\n]/g : /[\\\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

function renderLabelName(name: string): string {
  return isValidLabelName(name) ? name : `"${escapeLabelValue(name)}"`;
}

/** A metric name where it stands alone (HELP/TYPE/UNIT lines): bare if legacy-valid, else quoted. */
export function renderMetricName(name: string): string {
  return isValidMetricName(name) ? name : `"${escapeLabelValue(name)}"`;
}

export type LabelInput = Readonly<Record<string, string>> | readonly (readonly [string, string])[];

function isPairList(labels: LabelInput): labels is readonly (readonly [string, string])[] {
  return Array.isArray(labels);
}

/**
 * `name{a="1",b="2"}` (or `{"my.metric",a="1"}` when the name needs quoting): the part of a sample line before
 * the value, the same in both formats. Compute it once per series and reuse it across scrapes.
 */
export function renderSeriesPrefix(name: string, labels?: LabelInput): string {
  const pairs: readonly (readonly [string, string])[] =
    labels === undefined ? [] : isPairList(labels) ? labels : Object.entries(labels);
  let body = '';
  for (const [labelName, value] of pairs) {
    body += `${body.length > 0 ? ',' : ''}${renderLabelName(labelName)}="${escapeLabelValue(value)}"`;
  }
  if (isValidMetricName(name)) return body.length > 0 ? `${name}{${body}}` : name;
  const quoted = `"${escapeLabelValue(name)}"`;
  return body.length > 0 ? `{${quoted},${body}}` : `{${quoted}}`;
}

const TEXT_TYPE_NAMES: Readonly<Record<MetricType, string>> = {
  counter: 'counter',
  gauge: 'gauge',
  histogram: 'histogram',
  summary: 'summary',
  untyped: 'untyped',
  unknown: 'untyped',
  info: 'untyped',
  stateset: 'untyped',
  gaugehistogram: 'untyped',
};

/** The name written on an OpenMetrics family's metadata lines (a counter's without `_total`, an info's without `_info`). */
export function openMetricsFamilyName(family: FamilyModel): string {
  if (family.type === 'counter' && family.name.endsWith('_total')) return family.name.slice(0, -6);
  if (family.type === 'info' && family.name.endsWith('_info')) return family.name.slice(0, -5);
  return family.name;
}

function defaultSampleName(family: FamilyModel, format: Format, metaName: string): string {
  if (format === 'openmetrics') {
    if (family.type === 'counter') return `${metaName}_total`;
    if (family.type === 'info') return `${metaName}_info`;
  }
  return family.name;
}

function renderSample(sample: SampleModel, name: string, format: Format): string {
  let line = `${renderSeriesPrefix(sample.name ?? name, sample.labels)} ${formatValue(sample.value)}`;
  if (sample.timestampMs !== undefined) line += ` ${formatTimestamp(sample.timestampMs, format)}`;
  if (format === 'openmetrics' && sample.exemplar !== undefined) {
    const exemplar = sample.exemplar;
    let body = '';
    for (const [labelName, value] of Object.entries(exemplar.labels)) {
      body += `${body.length > 0 ? ',' : ''}${renderLabelName(labelName)}="${escapeLabelValue(value)}"`;
    }
    line += ` # {${body}} ${formatValue(exemplar.value)}`;
    if (exemplar.timestampMs !== undefined) line += ` ${formatTimestamp(exemplar.timestampMs, format)}`;
  }
  return `${line}\n`;
}

/** One family's lines. */
export function renderFamily(family: FamilyModel, format: Format): string {
  const om = format === 'openmetrics';
  const metaName = om ? openMetricsFamilyName(family) : family.name;
  const written = renderMetricName(metaName);
  let out = '';
  if (family.help !== undefined) out += `# HELP ${written} ${escapeHelp(family.help, format)}\n`;
  const type = om ? (family.type === 'untyped' ? 'unknown' : family.type) : TEXT_TYPE_NAMES[family.type];
  out += `# TYPE ${written} ${type}\n`;
  if (om && family.unit !== undefined) out += `# UNIT ${written} ${family.unit}\n`;
  const name = defaultSampleName(family, format, metaName);
  for (const sample of family.samples) out += renderSample(sample, name, format);
  return out;
}

export interface RenderOptions {
  /** Chunks are at least this many characters (except the last). Default 64 Ki. */
  readonly chunkSize?: number;
}

/** Streams an exposition in chunks (OpenMetrics ends with `# EOF`). */
export function* renderChunks(
  families: Iterable<FamilyModel>,
  format: Format,
  options: RenderOptions = {},
): Generator<string, void, undefined> {
  const chunkSize = options.chunkSize ?? 64 * 1024;
  let buffer = '';
  for (const family of families) {
    buffer += renderFamily(family, format);
    if (buffer.length >= chunkSize) {
      yield buffer;
      buffer = '';
    }
  }
  if (format === 'openmetrics') buffer += '# EOF\n';
  if (buffer.length > 0) yield buffer;
}

/** The whole exposition as one string. */
export function render(families: Iterable<FamilyModel>, format: Format): string {
  let out = '';
  for (const chunk of renderChunks(families, format, { chunkSize: Infinity })) out += chunk;
  return out;
}
