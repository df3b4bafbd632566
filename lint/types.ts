/**
 * The rule contract of scrapelint (the ESLint model: one rule = one file lint/rules/<id>.ts exporting a `Rule`).
 * Sources turn files into models with character offsets; rules visit the models and report ranges; reporters
 * turn offsets into 1-based line:column at the edge.
 */
import type { z } from 'zod';
import type { Document, LineCounter } from 'yaml';
import type {
  Diagnostic,
  FactEvent,
  Format,
  LinePosition,
  MetadataEvent,
  ParseEvent,
  ParseSummary,
  Range,
  SampleEvent,
} from '../exposition/types.js';

export type Severity = 'off' | 'warn' | 'error';
export type SourceKind = 'config' | 'exposition' | 'docs';

/** Where a scrape job came from. */
export type JobOrigin = 'prometheus' | 'ServiceMonitor' | 'PodMonitor' | 'ScrapeConfig';

/** A value read from YAML with the range of its node (or of its key when the value is absent: see `keyRange`). */
export interface Located<T> {
  readonly value: T;
  readonly range: Range;
}

/** One scrape job, normalised from a Prometheus `scrape_configs` entry or a Prometheus-Operator endpoint. */
export interface ScrapeJob {
  readonly origin: JobOrigin;
  /** job_name, or `<kind>/<namespace>/<name>` (+ `/<endpoint index>`) for operator resources. */
  readonly name: Located<string>;
  /** The range of the whole job (the mapping node): where a finding about a missing field points. */
  readonly range: Range;
  readonly honorLabels?: Located<boolean>;
  readonly honorTimestamps?: Located<boolean>;
  readonly trackTimestampsStaleness?: Located<boolean>;
  readonly sampleLimit?: Located<number>;
  readonly bodySizeLimit?: Located<string | number>;
  readonly scrapeInterval?: Located<string>;
  /**
   * The interval the job takes when it sets none, where that is not the file's `global` one: a job in a
   * kube-prometheus-stack values file's `additionalScrapeConfigs` takes the global scrape_interval the operator
   * writes, `prometheusSpec.scrapeInterval` (its range), or the operator's 30s default (the `prometheusSpec` key).
   */
  readonly inheritedScrapeInterval?: Located<string> & { readonly operatorDefault: boolean };
  readonly scrapeTimeout?: Located<string>;
  readonly metricsPath?: Located<string>;
  /** `params` of the job, e.g. `match[]` of a federation job. */
  readonly params?: Located<Readonly<Record<string, readonly Located<string>[]>>>;
  /** Static targets (`static_configs[].targets[]`); operator resources have none. */
  readonly staticTargets: readonly Located<string>[];
  /** Whether the job discovers targets dynamically (any `*_sd_configs`, or an operator selector). */
  readonly discovers: boolean;
  /** Port names or numbers (operator endpoints' `port`/`targetPort`), for gateway-port detection. */
  readonly ports: readonly Located<string>[];
}

/** The Prometheus `global` block (or the defaults when absent). */
export interface GlobalConfig {
  readonly scrapeInterval?: Located<string>;
  readonly scrapeTimeout?: Located<string>;
  readonly range?: Range;
  /** `global.sample_limit` / `global.body_size_limit` (Prometheus 2.45+): inherited by every job. */
  readonly sampleLimit?: Located<number>;
  readonly bodySizeLimit?: Located<string | number>;
  /**
   * Set when the file is one of another configuration's `scrape_config_files`: these values are that file's
   * `global`, which Prometheus gives the jobs here; their ranges point into that file, so rules use the values
   * only (the other file's own findings are reported there). Names the file for messages.
   */
  readonly inheritedFrom?: string;
}

/** Something in a source that is not what it must be: a YAML error, an alias bomb, a field of the wrong type. */
export interface SourceProblem {
  readonly message: string;
  readonly range: Range;
}

/**
 * What a Prometheus-Operator `Prometheus` resource (monitoring.coreos.com/v1, `spec`) sets for the jobs the operator
 * generates from ServiceMonitors, PodMonitors and ScrapeConfigs: defaults (`scrapeInterval`, `scrapeTimeout`) and
 * enforcements that override the monitors' own fields. Plain values: the resource may stand in another file of the
 * run, so findings never point into it; `source` names it for messages.
 */
export interface OperatorDefaults {
  /** `Prometheus <namespace>/<name> (<file>)`, or `<n> Prometheus resources` when several agree. */
  readonly source: string;
  /** Default interval of jobs without their own (the operator's default is 30s). */
  readonly scrapeInterval?: string;
  readonly scrapeTimeout?: string;
  /** A sample limit every generated job gets (a monitor's lower one wins); 0 or absent: none. */
  readonly enforcedSampleLimit?: number;
  /** Likewise for the body size, e.g. `10MB`. */
  readonly enforcedBodySizeLimit?: string;
  /**
   * `spec.sampleLimit`: the operator writes it to the generated `global.sample_limit` (Prometheus >= 2.45), the
   * limit of every job that sets none (or 0) of its own. 0 or absent: none.
   */
  readonly sampleLimit?: number;
  /** `spec.bodySizeLimit`, likewise written to `global.body_size_limit`. */
  readonly bodySizeLimit?: string;
  /** true: every generated job gets honor_timestamps: false. */
  readonly overrideHonorTimestamps?: boolean;
  /** true: every generated job gets honor_labels: false. */
  readonly overrideHonorLabels?: boolean;
}

/** A `Prometheus` resource of this file, with the ranges of the fields scrapelint checks in it. */
export interface PrometheusResource {
  /** `metadata.name` (or the `kind` value when unnamed): where findings about the resource as a whole point. */
  readonly name: Located<string>;
  readonly scrapeInterval?: Located<string>;
  readonly scrapeTimeout?: Located<string>;
  /** What it gives operator jobs (merged over the run by lint/operator-defaults.ts). */
  readonly defaults: OperatorDefaults;
}

export interface ConfigModel {
  readonly kind: 'config';
  readonly filePath: string;
  readonly text: string;
  readonly documents: readonly Document[];
  readonly lineCounter: LineCounter;
  readonly global: GlobalConfig;
  readonly jobs: readonly ScrapeJob[];
  /** Problems found while reading the file; the engine hands each to the rules' `sourceError` visitor. */
  readonly problems?: readonly SourceProblem[];
  /**
   * The `Prometheus` resource(s) linted in the same run (this file's or others'): operator jobs (origin other than
   * `prometheus`) take their defaults and enforcements from it. Absent: none in view.
   */
  readonly operatorDefaults?: OperatorDefaults;
  /** The `Prometheus` resources of this file. */
  readonly prometheusResources?: readonly PrometheusResource[];
}

/** A mermaid flowchart found in a Markdown document. */
export interface FlowchartNode {
  readonly id: string;
  readonly label: string;
  readonly range: Range;
}
export interface FlowchartEdge {
  readonly from: string;
  readonly to: string;
  readonly label?: string;
  readonly range: Range;
}
/** A mermaid `subgraph ... end` block: its id, label and the ids of the nodes declared inside it. */
export interface FlowchartSubgraph {
  readonly id: string;
  readonly label: string;
  readonly range: Range;
  readonly members: readonly string[];
}
export interface Flowchart {
  readonly range: Range;
  readonly nodes: readonly FlowchartNode[];
  readonly edges: readonly FlowchartEdge[];
  readonly subgraphs?: readonly FlowchartSubgraph[];
}
export interface DocsModel {
  readonly kind: 'docs';
  readonly filePath: string;
  readonly text: string;
  readonly flowcharts: readonly Flowchart[];
}

/**
 * What a rule may visit. Exposition input is streamed: rules see events one by one and `expositionEnd` once,
 * and must keep bounded state (counters, the first few ranges), never every sample.
 */
export interface RuleVisitor {
  config?(model: ConfigModel): void;
  sample?(event: SampleEvent): void;
  metadata?(event: MetadataEvent): void;
  fact?(event: FactEvent): void;
  diagnostic?(event: Diagnostic): void;
  expositionEnd?(summary: ParseSummary): void;
  docs?(model: DocsModel): void;
  /** A YAML or Markdown file that could not be read as such. */
  sourceError?(error: { readonly message: string; readonly range: Range }): void;
}

export interface ReportDescriptor {
  readonly messageId: string;
  readonly data?: Readonly<Record<string, string | number>>;
  readonly range: Range;
  /** Overrides the configured severity for this finding (e.g. a threshold rule's warn vs error level). */
  readonly severity?: Exclude<Severity, 'off'>;
  /**
   * For streamed input (expositions), whose text is not kept: the line of `range` (both ends on it), taken from
   * the event. Reporters compute columns as `offset - lineStart + 1`.
   */
  readonly at?: LinePosition;
}

export interface RuleContext<Options> {
  readonly options: Options;
  readonly filePath: string;
  /** The input kind being linted. */
  readonly sourceKind: SourceKind;
  report(descriptor: ReportDescriptor): void;
  /**
   * Whether a `# scrapelint disable...` comment silences this rule at a place: the `range` and `at` a report of it
   * would carry. For rules that list the first few places of a kind and summarise the rest (lint/listing.ts): a
   * silenced place is listed and counted apart, so it never takes the room of one that is shown. A streamed
   * exposition answers from the comments seen so far (a `disable-next-line` always precedes its line; a whole-file
   * `disable` further down still silences everything once the stream has ended). Costs a lookup: ask once per
   * place that would be reported or counted, never per ordinary sample.
   */
  isSuppressed(range: Range, at?: LinePosition): boolean;
}

export interface RuleMeta<Schema extends z.ZodType> {
  /** Public contract: never renamed. */
  readonly id: string;
  readonly description: string;
  readonly defaultSeverity: Severity;
  readonly appliesTo: readonly SourceKind[];
  /** Message templates keyed by messageId, with `{{placeholder}}`s filled from `data`. */
  readonly messages: Readonly<Record<string, string>>;
  /** Options with defaults: `schema.parse({})` gives the default options. */
  readonly schema: Schema;
}

export interface Rule<Schema extends z.ZodType = z.ZodType> {
  readonly meta: RuleMeta<Schema>;
  create(context: RuleContext<z.infer<Schema>>): RuleVisitor;
}

/** A finding with offsets; reporters add line:column. */
export interface Finding {
  readonly ruleId: string;
  readonly messageId: string;
  readonly severity: Exclude<Severity, 'off'>;
  readonly message: string;
  readonly filePath: string;
  readonly range: Range;
  readonly at?: LinePosition;
}

/** A finding placed at 1-based line:column (end exclusive, as in ESLint), ready for a reporter. */
export interface LintMessage {
  readonly ruleId: string;
  readonly messageId: string;
  readonly severity: Exclude<Severity, 'off'>;
  readonly message: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  /** For findings silenced by a `# scrapelint disable...` comment: its reason (after `--`), if any. */
  readonly suppressedBy?: { readonly justification: string };
}

/** Everything scrapelint found in one input. */
export interface FileResult {
  readonly filePath: string;
  readonly kind: SourceKind;
  readonly messages: readonly LintMessage[];
  readonly suppressedMessages: readonly LintMessage[];
  readonly errorCount: number;
  readonly warningCount: number;
}

/**
 * The streaming entry between the engine and an exposition source: the engine builds one sink per input from the
 * enabled rules' visitors; the source (lint/sources/exposition.ts) parses the input and feeds the sink every
 * `ParseEvent`, then `end(summary)` exactly once.
 */
export interface ExpositionSink {
  event(event: ParseEvent): void;
  end(summary: ParseSummary): void;
}

/** What `lintExposition(stream, options)` in lint/sources/exposition.ts takes. */
export interface ExpositionLintOptions {
  /** Shown in findings: a path, a URL or `<stdin>`. */
  readonly filePath: string;
  readonly sink: ExpositionSink;
  /** Forces the format (else from contentType, else detected). */
  readonly format?: Format;
  /** The HTTP Content-Type of a fetched body. */
  readonly contentType?: string;
  /** Whether the parser tracks series identities for duplicate-series facts (memory grows with series). */
  readonly trackDuplicates?: boolean;
}
