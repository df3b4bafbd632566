/**
 * The data model of the exposition module: what the parser emits and what the renderer takes.
 * Every position is an offset in UTF-16 code units into the whole decoded input (as in the `yaml` package and
 * ESLint), end exclusive. Line and column are computed only at the edge (a reporter), from `line` and
 * `lineStart`, which every line-level event carries so that no line table of the whole input is kept.
 */

export type Format = 'text' | 'openmetrics';

export type MetricType =
  | 'counter'
  | 'gauge'
  | 'histogram'
  | 'summary'
  | 'untyped'
  | 'unknown'
  | 'info'
  | 'stateset'
  | 'gaugehistogram';

export interface Range {
  readonly start: number;
  readonly end: number;
}

/** Where the line of an event stands: its 1-based number and the offset of its first character. */
export interface LinePosition {
  readonly line: number;
  readonly lineStart: number;
}

export interface ParsedLabel {
  readonly name: string;
  /** Unescaped. */
  readonly value: string;
  /** The name as written (with its quotes when quoted). */
  readonly nameRange: Range;
  /** The value as written, quotes included. */
  readonly valueRange: Range;
}

export interface ParsedExemplar {
  readonly labels: readonly ParsedLabel[];
  readonly value: number;
  /** Milliseconds since the epoch (OpenMetrics writes float seconds; converted here). */
  readonly timestampMs?: number;
  readonly range: Range;
}

export interface SampleEvent extends LinePosition {
  readonly kind: 'sample';
  readonly name: string;
  /** The family the sample belongs to: a TYPE'd family whose name it extends with a valid suffix, else its own name. */
  readonly family: string;
  readonly labels: readonly ParsedLabel[];
  readonly value: number;
  /** Milliseconds since the epoch, whatever the format wrote. */
  readonly timestampMs?: number;
  readonly exemplar?: ParsedExemplar;
  readonly range: Range;
  readonly nameRange: Range;
  readonly valueRange: Range;
  readonly timestampRange?: Range;
}

export interface MetadataEvent extends LinePosition {
  readonly kind: 'help' | 'type' | 'unit';
  readonly family: string;
  /** HELP text (unescaped), TYPE name, or UNIT. */
  readonly text: string;
  /** For `type`: the parsed type. */
  readonly type?: MetricType;
  readonly range: Range;
  readonly familyRange: Range;
}

export interface CommentEvent extends LinePosition {
  readonly kind: 'comment';
  readonly text: string;
  readonly range: Range;
}

/** Stable error codes: part of the public contract (lint's parse-error rule reports them). */
export type ParseErrorCode =
  | 'invalid-metric-name'
  | 'invalid-label-name'
  | 'invalid-label-value'
  | 'invalid-escape'
  | 'invalid-value'
  | 'invalid-timestamp'
  | 'invalid-exemplar'
  | 'invalid-metadata'
  | 'invalid-type'
  | 'duplicate-label'
  | 'duplicate-metadata'
  | 'metadata-after-samples'
  | 'unexpected-character'
  | 'unexpected-end-of-line'
  | 'invalid-utf8'
  | 'blank-line'
  | 'missing-eof'
  | 'content-after-eof'
  | 'invalid-unit'
  | 'invalid-suffix'
  | 'line-too-long'
  /** A required label is absent: `le` on an OpenMetrics `_bucket`, the family-named label of a stateset. */
  | 'missing-label'
  /** text 0.0.4: the last line does not end with a line feed (promtool rejects the input). */
  | 'missing-newline';

export interface Diagnostic extends LinePosition {
  readonly kind: 'diagnostic';
  readonly code: ParseErrorCode;
  readonly message: string;
  readonly start: number;
  readonly end: number;
}

/**
 * Things the grammar allows but Prometheus treats as undefined or suspicious: facts for lint rules to judge,
 * never parse errors. `scraper-refuses`: a text 0.0.4 line promtool reads (so the parser accepts it, see
 * docs/exposition.md) that Prometheus' own scraper refuses, failing the whole scrape: a TYPE word not written
 * exactly `counter`, `gauge`, `histogram`, `summary` or `untyped`, and a repeated `le` or `quantile` label.
 */
export type FactCode = 'duplicate-series' | 'split-family' | 'scraper-refuses';

export interface FactEvent extends LinePosition {
  readonly kind: 'fact';
  readonly code: FactCode;
  readonly family: string;
  readonly message: string;
  readonly range: Range;
  /** For duplicate-series: where the first occurrence stood. */
  readonly first?: LinePosition & Range;
  /** For duplicate-series: whether both carried the same explicit timestamp (or none). */
  readonly sameTimestamp?: boolean;
}

export type ParseEvent = SampleEvent | MetadataEvent | CommentEvent | Diagnostic | FactEvent;

export interface ParseOptions {
  /** Forces the format. Otherwise taken from contentType, else detected (`# EOF` means OpenMetrics), else text. */
  readonly format?: Format;
  /** An HTTP Content-Type header value. */
  readonly contentType?: string;
  /** Track series identities to report duplicate-series facts (memory grows with distinct series). Default true. */
  readonly trackDuplicates?: boolean;
  /**
   * The input's size in bytes, when known (a file's size, a Content-Length). The duplicate-series table is then
   * allocated at once for the series such a body may hold instead of growing as they arrive. A hint: a wrong one
   * costs memory (bounded) or growth, never a wrong result.
   */
  readonly sizeHint?: number;
  /**
   * Longest line kept in memory, in characters (default 4 Mi). A longer line is reported as `line-too-long` and
   * skipped, so memory stays bounded whatever the input.
   */
  readonly maxLineLength?: number;
}

export interface ParseSummary {
  readonly format: Format;
  readonly lines: number;
  readonly samples: number;
  readonly families: number;
  readonly timestampedSamples: number;
  readonly errors: number;
  /** Characters read. */
  readonly length: number;
  /** Facts reported (duplicate-series, split-family). */
  readonly facts?: number;
  /** How the format was chosen. */
  readonly formatSource?: 'content-type' | 'option' | 'detected' | 'default';
}

/** What the renderer takes. */
export interface SampleModel {
  /** Defaults to the family name. */
  readonly name?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly value: number;
  readonly timestampMs?: number;
  readonly exemplar?: {
    readonly labels: Readonly<Record<string, string>>;
    readonly value: number;
    readonly timestampMs?: number;
  };
}

export interface FamilyModel {
  readonly name: string;
  readonly type: MetricType;
  readonly help?: string;
  readonly unit?: string;
  readonly samples: readonly SampleModel[];
}
