/**
 * Prometheus configuration files and Prometheus-Operator resources (ServiceMonitor, PodMonitor, ScrapeConfig, in
 * multi-document YAML or a `kind: List`), the operator's additionalScrapeConfigs (a bare list of scrape configs)
 * and Grafana Agent static-mode files (`metrics.configs[].scrape_configs`) -> ConfigModel, every value with the range
 * of its YAML node.
 */
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseAllDocuments, visit } from 'yaml';
import type { Document, Node, ParsedNode, YAMLMap, YAMLSeq } from 'yaml';
import type { Range } from '../../exposition/types.js';
import type {
  ConfigModel,
  GlobalConfig,
  JobOrigin,
  Located,
  PrometheusResource,
  ScrapeJob,
  SourceProblem,
} from '../types.js';
import { OPERATOR_DEFAULT_INTERVAL } from '../operator-defaults.js';
import { embeddedConfigs } from './configmap.js';
import { firstUnprintable } from './unprintable.js';
import type { EmbeddedConfig } from './configmap.js';

/** Aliases a document may expand; more is taken as a "billion laughs" attack and refused. */
export const MAX_ALIAS_COUNT = 100;

const OPERATOR_GROUP = 'monitoring.coreos.com/';
const OPERATOR_KINDS = new Set(['ServiceMonitor', 'PodMonitor', 'ScrapeConfig']);
const PROMETHEUS_KEYS = new Set([
  'global',
  'scrape_configs',
  'scrape_config_files',
  'rule_files',
  'alerting',
  'remote_write',
  'remote_read',
  'storage',
  'tracing',
  'runtime',
  'otlp',
]);

type AnyNode = Node | ParsedNode | null | undefined;

/** A scalar's value as written text: strings as they are, numbers and booleans spelled out. */
function scalarText(value: unknown): string {
  return typeof value === 'string'
    ? value
    : typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : (JSON.stringify(value) ?? '');
}

function rangeOf(node: AnyNode, fallback: Range): Range {
  const r = node?.range;
  return r ? { start: r[0], end: r[1] } : fallback;
}

/** The scalar key of a mapping pair that starts at `offset` (where the yaml library places a duplicate key error). */
function keyAt(doc: Document, offset: number): { name: string; range: Range; first?: number } | undefined {
  let found: { name: string; range: Range; first?: number } | undefined;
  visit(doc, {
    Pair(_, pair, path) {
      const key = pair.key as AnyNode;
      if (isScalar(key) && key.range?.[0] === offset) {
        const parent = path[path.length - 1];
        const earlier = isMap(parent)
          ? parent.items.find((p) => isScalar(p.key) && p.key.value === key.value && p !== pair)
          : undefined;
        const first = isScalar(earlier?.key) ? earlier.key.range?.[0] : undefined;
        found = {
          name: scalarText(key.value),
          range: { start: key.range[0], end: key.range[1] },
          ...optional('first', first),
        };
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/** A range cut at the end of its first line (a finding about a whole document points at where it starts). */
function firstLineOf(text: string, range: Range): Range {
  const newline = text.indexOf('\n', range.start);
  return { start: range.start, end: newline === -1 ? range.end : Math.min(range.end, newline) };
}

class Reader {
  readonly problems: SourceProblem[] = [];
  constructor(
    readonly doc: Document,
    readonly docRange: Range,
    /**
     * A Helm chart's values: `false` and `""` mean "not set", as the chart's templates test them
     * (`{{- if .Values.prometheus.prometheusSpec.sampleLimit }}`): kube-prometheus-stack's own defaults are
     * `sampleLimit: false` and `scrapeInterval: ""`.
     */
    readonly blankIsUnset = false,
  ) {}

  deref(node: AnyNode): AnyNode {
    let current = node;
    for (let hops = 0; isAlias(current) && hops < 8; hops++) current = current.resolve(this.doc);
    return current;
  }

  /** The value node of `key` in a mapping (following `<<` merge keys), with the key's node. */
  entry(map: YAMLMap | undefined, key: string, depth = 0): { key: AnyNode; value: AnyNode } | undefined {
    if (map === undefined || depth > 8) return undefined;
    for (const pair of map.items) {
      const k = pair.key as AnyNode;
      if (isScalar(k) && k.value === key) return { key: k, value: pair.value as AnyNode };
    }
    for (const pair of map.items) {
      const k = pair.key as AnyNode;
      if (isScalar(k) && (k.source === '<<' || k.value === '<<')) {
        const merged = this.deref(pair.value as AnyNode);
        const sources = isSeq(merged) ? merged.items.map((i) => this.deref(i as AnyNode)) : [merged];
        for (const source of sources) {
          if (isMap(source)) {
            const found = this.entry(source, key, depth + 1);
            if (found) return found;
          }
        }
      }
    }
    return undefined;
  }

  map(parent: YAMLMap | undefined, key: string): YAMLMap | undefined {
    const found = this.entry(parent, key);
    const node = this.deref(found?.value);
    if (isMap(node)) return node;
    if (found && node != null && !(isScalar(node) && node.value === null)) {
      this.problem(found.value, `'${key}' must be a mapping`);
    }
    return undefined;
  }

  seq(parent: YAMLMap | undefined, key: string): AnyNode[] {
    const found = this.entry(parent, key);
    const node = this.deref(found?.value);
    if (isSeq(node)) return node.items.map((item) => this.deref(item as AnyNode));
    if (found && node != null && !(isScalar(node) && node.value === null)) {
      this.problem(found.value, `'${key}' must be a list`);
    }
    return [];
  }

  scalar(parent: YAMLMap | undefined, key: string): { value: unknown; range: Range } | undefined {
    const found = this.entry(parent, key);
    if (!found) return undefined;
    const node = this.deref(found.value);
    // An alias is reported where it is used, not where its anchor stands.
    const range = rangeOf(found.value ?? found.key, this.docRange);
    if (isScalar(node)) {
      const unset = node.value === null || (this.blankIsUnset && (node.value === false || node.value === ''));
      return unset ? undefined : { value: node.value, range };
    }
    if (node != null) this.problem(found.value, `'${key}' must be a single value`);
    return undefined;
  }

  string(parent: YAMLMap | undefined, key: string): Located<string> | undefined {
    const s = this.scalar(parent, key);
    if (s === undefined) return undefined;
    if (typeof s.value === 'string' || typeof s.value === 'number')
      return { value: String(s.value), range: s.range };
    this.problems.push({ message: `'${key}' must be a string, not ${typeof s.value}`, range: s.range });
    return undefined;
  }

  boolean(parent: YAMLMap | undefined, key: string): Located<boolean> | undefined {
    const s = this.scalar(parent, key);
    if (s === undefined) return undefined;
    if (typeof s.value === 'boolean') return { value: s.value, range: s.range };
    this.problems.push({
      message: `'${key}' must be true or false, not ${JSON.stringify(s.value)}`,
      range: s.range,
    });
    return undefined;
  }

  integer(parent: YAMLMap | undefined, key: string): Located<number> | undefined {
    const s = this.scalar(parent, key);
    if (s === undefined) return undefined;
    if (typeof s.value === 'number' && Number.isInteger(s.value) && s.value >= 0)
      return { value: s.value, range: s.range };
    this.problems.push({
      message: `'${key}' must be a non-negative integer, not ${JSON.stringify(s.value)}`,
      range: s.range,
    });
    return undefined;
  }

  sizeOrNumber(parent: YAMLMap | undefined, key: string): Located<string | number> | undefined {
    const s = this.scalar(parent, key);
    if (s === undefined) return undefined;
    if (typeof s.value === 'string' || typeof s.value === 'number') return { value: s.value, range: s.range };
    this.problems.push({ message: `'${key}' must be a size such as 10MB`, range: s.range });
    return undefined;
  }

  params(parent: YAMLMap | undefined, key: string): ScrapeJob['params'] {
    const found = this.entry(parent, key);
    const node = this.map(parent, key);
    if (!found || !node) return undefined;
    const params: Record<string, Located<string>[]> = {};
    for (const pair of node.items) {
      const k = this.deref(pair.key as AnyNode);
      if (!isScalar(k)) continue;
      const value = this.deref(pair.value as AnyNode);
      const items = isSeq(value) ? value.items.map((i) => this.deref(i as AnyNode)) : [value];
      params[String(k.value)] = items.flatMap((item) =>
        isScalar(item) && item.value !== null
          ? [{ value: scalarText(item.value), range: rangeOf(item, this.docRange) }]
          : [],
      );
    }
    return { value: params, range: rangeOf(found.value, this.docRange) };
  }

  problem(node: AnyNode, message: string): void {
    this.problems.push({ message, range: rangeOf(node, this.docRange) });
  }
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function prometheusJob(r: Reader, node: YAMLMap, index: number): ScrapeJob {
  const range = rangeOf(node, r.docRange);
  const name = r.string(node, 'job_name') ?? { value: `scrape_configs[${index}]`, range };
  if (!r.entry(node, 'job_name')) r.problem(node, `scrape config ${index + 1} has no job_name`);
  const staticTargets: Located<string>[] = [];
  for (const sc of r.seq(node, 'static_configs')) {
    if (!isMap(sc)) continue;
    for (const t of r.seq(sc, 'targets')) {
      if (isScalar(t) && t.value !== null)
        staticTargets.push({ value: scalarText(t.value), range: rangeOf(t, range) });
    }
  }
  const discovers = node.items.some((pair) => {
    const k = pair.key as AnyNode;
    const v = r.deref(pair.value as AnyNode);
    return (
      isScalar(k) &&
      typeof k.value === 'string' &&
      k.value.endsWith('_sd_configs') &&
      isSeq(v) &&
      v.items.length > 0
    );
  });
  return {
    origin: 'prometheus',
    name,
    range,
    ...optional('honorLabels', r.boolean(node, 'honor_labels')),
    ...optional('honorTimestamps', r.boolean(node, 'honor_timestamps')),
    ...optional('trackTimestampsStaleness', r.boolean(node, 'track_timestamps_staleness')),
    ...optional('sampleLimit', r.integer(node, 'sample_limit')),
    ...optional('bodySizeLimit', r.sizeOrNumber(node, 'body_size_limit')),
    ...optional('scrapeInterval', r.string(node, 'scrape_interval')),
    ...optional('scrapeTimeout', r.string(node, 'scrape_timeout')),
    ...optional('metricsPath', r.string(node, 'metrics_path')),
    ...optional('params', r.params(node, 'params')),
    staticTargets,
    discovers,
    ports: [],
  };
}

function readPrometheus(
  r: Reader,
  root: YAMLMap,
): { global: GlobalConfig; jobs: ScrapeJob[]; scrapeConfigFiles: Located<string>[] } {
  const globalEntry = r.entry(root, 'global');
  const g = r.map(root, 'global');
  const global: GlobalConfig = {
    ...optional('scrapeInterval', r.string(g, 'scrape_interval')),
    ...optional('scrapeTimeout', r.string(g, 'scrape_timeout')),
    ...optional('sampleLimit', r.integer(g, 'sample_limit')),
    ...optional('bodySizeLimit', r.sizeOrNumber(g, 'body_size_limit')),
    ...optional('range', globalEntry ? rangeOf(globalEntry.key, r.docRange) : undefined),
  };
  const jobs: ScrapeJob[] = [];
  r.seq(root, 'scrape_configs').forEach((node, index) => {
    if (isMap(node)) jobs.push(prometheusJob(r, node, index));
    else r.problem(node, `scrape_configs entry ${index + 1} must be a mapping`);
  });
  // Prometheus refuses a second job of the same name (config.go: "found multiple scrape configs with job name").
  const named = new Set<string>();
  for (const job of jobs) {
    if (job.name.range === job.range) continue; // no job_name: reported as such
    if (named.has(job.name.value)) {
      r.problems.push({
        message: `job_name "${job.name.value}" is used by an earlier scrape config too: Prometheus refuses the file ("found multiple scrape configs with job name")`,
        range: job.name.range,
      });
    }
    named.add(job.name.value);
  }
  const scrapeConfigFiles: Located<string>[] = [];
  for (const node of r.seq(root, 'scrape_config_files')) {
    if (isScalar(node) && typeof node.value === 'string' && node.value !== '')
      scrapeConfigFiles.push({ value: node.value, range: rangeOf(node, r.docRange) });
    else if (node != null) r.problem(node, "'scrape_config_files' entries must be file paths or globs");
  }
  return { global, jobs, scrapeConfigFiles };
}

/**
 * Grafana Agent static mode: `metrics:` (`prometheus:` before v0.20) with a `global` block and `configs`, a list of
 * instances each holding Prometheus `scrape_configs`. Undefined when the mapping is not one. (Its `logs:`/`loki:`
 * section also has `scrape_configs`, Promtail's: those are not Prometheus jobs and are not read.)
 */
function readAgent(r: Reader, root: YAMLMap): { global: GlobalConfig; jobs: ScrapeJob[] } | undefined {
  for (const key of ['metrics', 'prometheus']) {
    const section = r.deref(r.entry(root, key)?.value);
    if (!isMap(section) || r.entry(section, 'configs') === undefined) continue;
    const { global } = readPrometheus(r, section);
    const jobs: ScrapeJob[] = [];
    for (const instance of r.seq(section, 'configs')) {
      if (isMap(instance)) jobs.push(...readPrometheus(r, instance).jobs);
      else r.problem(instance, `${key}.configs entries must be mappings with scrape_configs`);
    }
    return { global, jobs };
  }
  return undefined;
}

/** The prometheusSpec fields scrapelint reads; a values file that sets none (nor additional monitors) is not read. */
const VALUES_SPEC_KEYS = [
  'additionalScrapeConfigs',
  'scrapeInterval',
  'scrapeTimeout',
  'sampleLimit',
  'enforcedSampleLimit',
  'bodySizeLimit',
  'enforcedBodySizeLimit',
  'overrideHonorTimestamps',
  'overrideHonorLabels',
];
const VALUES_MONITOR_KEYS: [string, JobOrigin][] = [
  ['additionalServiceMonitors', 'ServiceMonitor'],
  ['additionalPodMonitors', 'PodMonitor'],
];
const SPEC_PATH = 'prometheus.prometheusSpec';

interface HelmValues {
  /** Whether it holds anything scrapelint reads (else it is left alone as other YAML is). */
  readonly scrapeRelated: boolean;
  /** The top-level `prometheus:` key, where a finding about the file as a whole points. */
  readonly keyRange: Range;
  readonly global: GlobalConfig;
  readonly jobs: ScrapeJob[];
  readonly resource?: PrometheusResource;
}

/**
 * A kube-prometheus-stack values file: a top-level `prometheus:` mapping with a `prometheusSpec:` key. The chart
 * renders `prometheusSpec` into a `Prometheus` resource, so its scrapeInterval, limits and overrides are read as
 * that resource's spec (lint/operator-defaults.ts) and, as the operator does, its sampleLimit / bodySizeLimit become
 * the generated `global:` limits; `additionalScrapeConfigs` (plain scrape configs the operator appends as written)
 * are read as jobs, `prometheus.additionalServiceMonitors` / `additionalPodMonitors` (monitor specs with a `name`) as
 * operator monitors. Undefined when the mapping is not one.
 */
function readHelmValues(r: Reader, root: YAMLMap, filePath: string): HelmValues | undefined {
  const sectionEntry = r.entry(root, 'prometheus');
  const section = r.deref(sectionEntry?.value);
  if (!isMap(section)) return undefined;
  const specEntry = r.entry(section, 'prometheusSpec');
  if (specEntry === undefined) return undefined;
  const keyRange = rangeOf(sectionEntry?.key, r.docRange);
  const specNode = r.deref(specEntry.value);
  const jobs: ScrapeJob[] = [];
  let scrapeRelated = false;
  let spec: YAMLMap | undefined;
  if (isMap(specNode)) spec = specNode;
  else if (specNode != null && !(isScalar(specNode) && specNode.value === null)) {
    r.problem(
      specEntry.value,
      `${SPEC_PATH} must be a mapping (the chart renders it into the Prometheus resource's spec), not ${isSeq(specNode) ? 'a list' : 'a single value'}`,
    );
  }
  // The chart's templates test these fields with `if`: false and "" mean unset (its defaults are so written).
  const chart = new Reader(r.doc, r.docRange, true);
  const { resource, globalSamples, globalBody } = prometheusSpec(
    chart,
    spec,
    { value: SPEC_PATH, range: rangeOf(specEntry.key, keyRange) },
    `kube-prometheus-stack values ${SPEC_PATH} (${filePath})`,
  );
  r.problems.push(...chart.problems);
  if (spec !== undefined) {
    scrapeRelated = VALUES_SPEC_KEYS.some((key) => r.entry(spec, key) !== undefined);
    const listEntry = r.entry(spec, 'additionalScrapeConfigs');
    const list = r.deref(listEntry?.value);
    // The operator writes the generated configuration's global scrape_interval from spec.scrapeInterval (default
    // 30s): these jobs take it, not Prometheus' 1m default.
    const inheritedScrapeInterval =
      resource.scrapeInterval === undefined
        ? { value: OPERATOR_DEFAULT_INTERVAL, range: rangeOf(specEntry.key, keyRange), operatorDefault: true }
        : { ...resource.scrapeInterval, operatorDefault: false };
    if (isSeq(list)) {
      const listed = scrapeConfigList(
        r,
        list,
        (n) =>
          `${SPEC_PATH}.additionalScrapeConfigs entry ${n} must be a mapping (a scrape config with job_name)`,
      );
      jobs.push(...listed.map((job) => ({ ...job, inheritedScrapeInterval })));
    } else if (listEntry !== undefined && list != null && !(isScalar(list) && list.value === null)) {
      const templated = isScalar(list) && typeof list.value === 'string';
      r.problem(
        listEntry.value,
        templated
          ? `${SPEC_PATH}.additionalScrapeConfigs is a string (the chart passes it through tpl): what it configures is known only once rendered; lint the rendered output (helm template CHART -f VALUES | scrapelint config -)`
          : `${SPEC_PATH}.additionalScrapeConfigs must be a list of scrape configs (- job_name: ...)`,
      );
    }
  }
  for (const [key, kind] of VALUES_MONITOR_KEYS) {
    if (r.entry(section, key) === undefined) continue;
    scrapeRelated = true;
    r.seq(section, key).forEach((item, index) => {
      if (!isMap(item)) {
        r.problem(
          item,
          `prometheus.${key} entry ${index + 1} must be a mapping (a ${kind} spec with a name)`,
        );
        return;
      }
      const itemRange = rangeOf(item, keyRange);
      const name = r.string(item, 'name') ?? { value: `${index}`, range: itemRange };
      jobs.push(
        ...monitorJobs(r, item, kind, { value: `${kind}/${name.value}`, range: name.range }, itemRange),
      );
    });
  }
  return {
    scrapeRelated,
    keyRange,
    global: {
      ...optional('sampleLimit', globalSamples),
      ...optional('bodySizeLimit', globalBody),
    },
    jobs,
    ...optional('resource', spec === undefined ? undefined : resource),
  };
}

function operatorJobs(r: Reader, root: YAMLMap, kind: JobOrigin): ScrapeJob[] {
  const metadata = r.map(root, 'metadata');
  const nameNode = r.string(metadata, 'name');
  const namespace = r.string(metadata, 'namespace')?.value ?? 'default';
  const rootRange = rangeOf(root, r.docRange);
  const base = `${kind}/${namespace}/${nameNode?.value ?? '<unnamed>'}`;
  const nameRange = nameNode?.range ?? rangeOf(r.entry(root, 'kind')?.value, rootRange);
  const spec = r.map(root, 'spec');
  if (!spec) {
    r.problem(root, `${kind} has no spec`);
    return [];
  }
  return monitorJobs(r, spec, kind, { value: base, range: nameRange }, rootRange);
}

/**
 * The jobs the operator generates from a monitor's `spec` (a ServiceMonitor's endpoints, a PodMonitor's
 * podMetricsEndpoints, a ScrapeConfig), named `base` (endpoints get `/<index>`).
 */
function monitorJobs(
  r: Reader,
  spec: YAMLMap,
  kind: JobOrigin,
  baseName: Located<string>,
  rootRange: Range,
): ScrapeJob[] {
  const base = baseName.value;
  const nameRange = baseName.range;
  const shared = {
    origin: kind,
    ...optional('sampleLimit', r.integer(spec, 'sampleLimit')),
    ...optional('bodySizeLimit', r.sizeOrNumber(spec, 'bodySizeLimit')),
  };
  if (kind === 'ScrapeConfig') {
    const staticTargets: Located<string>[] = [];
    for (const sc of r.seq(spec, 'staticConfigs')) {
      if (!isMap(sc)) continue;
      for (const t of r.seq(sc, 'targets')) {
        if (isScalar(t) && t.value !== null)
          staticTargets.push({ value: scalarText(t.value), range: rangeOf(t, rootRange) });
      }
    }
    const discovers = spec.items.some((pair) => {
      const k = pair.key as AnyNode;
      return isScalar(k) && typeof k.value === 'string' && k.value.endsWith('SDConfigs');
    });
    return [
      {
        ...shared,
        name: { value: base, range: nameRange },
        range: rangeOf(spec, rootRange),
        ...optional('honorLabels', r.boolean(spec, 'honorLabels')),
        ...optional('honorTimestamps', r.boolean(spec, 'honorTimestamps')),
        ...optional('trackTimestampsStaleness', r.boolean(spec, 'trackTimestampsStaleness')),
        ...optional('scrapeInterval', r.string(spec, 'scrapeInterval')),
        ...optional('scrapeTimeout', r.string(spec, 'scrapeTimeout')),
        ...optional('metricsPath', r.string(spec, 'metricsPath')),
        ...optional('params', r.params(spec, 'params')),
        staticTargets,
        discovers,
        ports: [],
      },
    ];
  }
  const key = kind === 'ServiceMonitor' ? 'endpoints' : 'podMetricsEndpoints';
  const jobs: ScrapeJob[] = [];
  r.seq(spec, key).forEach((endpoint, index) => {
    if (!isMap(endpoint)) {
      r.problem(endpoint, `${key} entry ${index + 1} must be a mapping`);
      return;
    }
    const ports = [
      r.string(endpoint, 'port'),
      r.string(endpoint, 'targetPort'),
      r.string(endpoint, 'portNumber'),
    ];
    jobs.push({
      ...shared,
      name: { value: `${base}/${index}`, range: nameRange },
      range: rangeOf(endpoint, rootRange),
      ...optional('honorLabels', r.boolean(endpoint, 'honorLabels')),
      ...optional('honorTimestamps', r.boolean(endpoint, 'honorTimestamps')),
      ...optional('trackTimestampsStaleness', r.boolean(endpoint, 'trackTimestampsStaleness')),
      ...optional('scrapeInterval', r.string(endpoint, 'interval')),
      ...optional('scrapeTimeout', r.string(endpoint, 'scrapeTimeout')),
      ...optional('metricsPath', r.string(endpoint, 'path')),
      ...optional('params', r.params(endpoint, 'params')),
      staticTargets: [],
      discovers: true,
      ports: ports.filter((p): p is Located<string> => p !== undefined),
    });
  });
  return jobs;
}

/** A `Prometheus` resource's spec fields that operator-generated jobs inherit or are forced to. */
function prometheusResource(r: Reader, root: YAMLMap, filePath: string): PrometheusResource {
  const metadata = r.map(root, 'metadata');
  const nameNode = r.string(metadata, 'name');
  const name = nameNode?.value ?? '<unnamed>';
  const namespace = r.string(metadata, 'namespace')?.value ?? 'default';
  const spec = r.map(root, 'spec');
  const rootRange = rangeOf(root, r.docRange);
  return prometheusSpec(
    r,
    spec,
    nameNode ?? { value: name, range: rangeOf(r.entry(root, 'kind')?.value, rootRange) },
    `Prometheus ${namespace}/${name} (${filePath})`,
  ).resource;
}

/**
 * What a `Prometheus` spec gives the jobs of its configuration: the resource's defaults for operator jobs, and the
 * generated `global:` limits (spec.sampleLimit / spec.bodySizeLimit, Prometheus >= 2.45), which every job inherits.
 */
function prometheusSpec(
  r: Reader,
  spec: YAMLMap | undefined,
  name: Located<string>,
  source: string,
): { resource: PrometheusResource; globalSamples?: Located<number>; globalBody?: Located<string | number> } {
  const value = <T>(located: Located<T> | undefined): T | undefined => located?.value;
  const bodySize = r.sizeOrNumber(spec, 'enforcedBodySizeLimit');
  // spec.sampleLimit / spec.bodySizeLimit become global limits; the operator drops them (with a warning) for a
  // Prometheus older than 2.45, which has no global limits.
  const globalLimits = supportsGlobalLimits(r.string(spec, 'version')?.value);
  const sampleLimit = r.integer(spec, 'sampleLimit');
  const bodySizeLimit = r.sizeOrNumber(spec, 'bodySizeLimit');
  const globalSamples = globalLimits ? sampleLimit : undefined;
  const globalBody = globalLimits ? bodySizeLimit : undefined;
  const scrapeInterval = r.string(spec, 'scrapeInterval');
  const scrapeTimeout = r.string(spec, 'scrapeTimeout');
  const resource: PrometheusResource = {
    name,
    ...optional('scrapeInterval', scrapeInterval),
    ...optional('scrapeTimeout', scrapeTimeout),
    defaults: {
      source,
      ...optional('scrapeInterval', value(scrapeInterval)),
      ...optional('scrapeTimeout', value(scrapeTimeout)),
      ...optional('enforcedSampleLimit', value(r.integer(spec, 'enforcedSampleLimit'))),
      ...optional('enforcedBodySizeLimit', bodySize === undefined ? undefined : String(bodySize.value)),
      ...optional('sampleLimit', value(globalSamples)),
      ...optional('bodySizeLimit', globalBody === undefined ? undefined : String(globalBody.value)),
      ...optional('overrideHonorTimestamps', value(r.boolean(spec, 'overrideHonorTimestamps'))),
      ...optional('overrideHonorLabels', value(r.boolean(spec, 'overrideHonorLabels'))),
    },
  };
  return {
    resource,
    ...optional('globalSamples', globalSamples),
    ...optional('globalBody', globalBody),
  };
}

/**
 * Whether a `Prometheus` resource's `spec.version` (absent: the operator's default, recent enough) supports the
 * global scrape limits, which Prometheus 2.45 introduced. An unreadable version is given the benefit of the doubt.
 */
export function supportsGlobalLimits(version: string | undefined): boolean {
  const match = version === undefined ? null : /^\s*v?(\d+)\.(\d+)/.exec(version);
  if (match === null) return true;
  const major = Number(match[1]);
  const minor = Number(match[2]);
  return major > 2 || (major === 2 && minor >= 45);
}

function isPrometheusResource(r: Reader, map: YAMLMap): boolean {
  const apiVersion = scalarValue(r, map, 'apiVersion');
  return (
    scalarValue(r, map, 'kind') === 'Prometheus' &&
    typeof apiVersion === 'string' &&
    apiVersion.startsWith(OPERATOR_GROUP)
  );
}

/**
 * Whether a document's top level is a bare list of scrape configs, as the Prometheus Operator reads from
 * `additionalScrapeConfigs` (a Secret key holding `- job_name: ...` entries): a list whose first entry is a
 * mapping with `job_name`.
 */
function isScrapeConfigList(r: Reader, root: AnyNode): root is YAMLSeq {
  if (!isSeq(root)) return false;
  const first = r.deref(root.items[0] as AnyNode);
  return isMap(first) && r.entry(first, 'job_name') !== undefined;
}

/**
 * The jobs of a list of scrape configs (a bare additionalScrapeConfigs list, or a values file's); an entry that is
 * not a mapping is a problem, `notMapping(its 1-based number)`.
 */
function scrapeConfigList(r: Reader, list: YAMLSeq, notMapping: (n: number) => string): ScrapeJob[] {
  const jobs: ScrapeJob[] = [];
  list.items.forEach((item, index) => {
    const node = r.deref(item as AnyNode);
    if (isMap(node)) jobs.push(prometheusJob(r, node, index));
    else r.problem(node ?? list, notMapping(index + 1));
  });
  return jobs;
}

/** What a top-level YAML mapping is. */
export function classifyDocument(value: unknown): 'prometheus' | JobOrigin | 'list' | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  const apiVersion = record['apiVersion'];
  const kind = record['kind'];
  if (typeof apiVersion === 'string' && typeof kind === 'string') {
    if (apiVersion.startsWith(OPERATOR_GROUP) && OPERATOR_KINDS.has(kind)) return kind as JobOrigin;
    if (kind === 'List' || kind.endsWith('List')) return 'list';
    return undefined;
  }
  return Object.keys(record).some((k) => PROMETHEUS_KEYS.has(k)) ? 'prometheus' : undefined;
}

function scalarValue(r: Reader, map: YAMLMap, key: string): unknown {
  const node = r.deref(r.entry(map, key)?.value);
  return isScalar(node) ? node.value : undefined;
}

function kindOf(r: Reader, map: YAMLMap): ReturnType<typeof classifyDocument> {
  const apiVersion = scalarValue(r, map, 'apiVersion');
  const kind = scalarValue(r, map, 'kind');
  if (apiVersion !== undefined || kind !== undefined) return classifyDocument({ apiVersion, kind });
  const keys: Record<string, true> = {};
  for (const pair of map.items) if (isScalar(pair.key)) keys[String(pair.key.value)] = true;
  return classifyDocument(keys);
}

export interface ParsedConfig extends ConfigModel {
  /** Whether any document was a Prometheus configuration, an operator resource or a ConfigMap holding one. */
  readonly recognized: boolean;
  /** Prometheus configurations embedded in ConfigMaps (lint/sources/configmap.ts): linted by the engine. */
  readonly embedded: readonly EmbeddedConfig[];
  /** Prometheus-Operator `Prometheus` resources of the file (the engine merges those of a run: operator-defaults.ts). */
  readonly prometheusResources: readonly PrometheusResource[];
  /**
   * `scrape_config_files` of a Prometheus configuration, as written (paths or globs, relative to the file's
   * directory): Prometheus reads their `scrape_configs` as jobs of this configuration, with its `global`.
   */
  readonly scrapeConfigFiles: readonly Located<string>[];
}

export interface ParseConfigOptions {
  /** Look into ConfigMaps for embedded configurations (default true; false for an embedded text itself). */
  readonly unpackConfigMaps?: boolean;
  /**
   * The file was named under `scrapelint config`: YAML that is none of the kinds read here (a scalar, a list, a
   * mapping without `scrape_configs`, `global`, ... or an operator `kind`) is a problem, as `promtool check config`
   * refuses it. A file found by walking a directory is linted for what it holds and otherwise left alone.
   */
  readonly requireConfig?: boolean;
  /** The file is one of another configuration's `scrape_config_files`: it may hold `scrape_configs` only. */
  readonly scrapeConfigFile?: boolean;
}

/** Reads one YAML file (any number of documents). Never throws on bad input: problems land in `problems`. */
export function parseConfig(
  text: string,
  filePath: string,
  { unpackConfigMaps = true, requireConfig = false, scrapeConfigFile = false }: ParseConfigOptions = {},
): ParsedConfig {
  const lineCounter = new LineCounter();
  const unprintable = firstUnprintable(text);
  if (unprintable !== -1) {
    const code = text.charCodeAt(unprintable).toString(16).toUpperCase().padStart(4, '0');
    return {
      kind: 'config',
      filePath,
      text,
      documents: [],
      lineCounter,
      global: {},
      jobs: [],
      problems: [
        {
          message: `YAML: control character U+${code} is not allowed (a binary file?); the file is not read further`,
          range: { start: unprintable, end: unprintable + 1 },
        },
      ],
      recognized: false,
      embedded: [],
      prometheusResources: [],
      scrapeConfigFiles: [],
    };
  }
  const documents = parseAllDocuments(text, {
    lineCounter,
    prettyErrors: false,
    merge: true,
    uniqueKeys: true,
  });
  const docs: Document[] = Array.isArray(documents) ? documents : [];
  const problems: SourceProblem[] = [];
  const jobs: ScrapeJob[] = [];
  let global: GlobalConfig = {};
  let recognized = false;
  const embedded: EmbeddedConfig[] = [];
  const prometheusResources: PrometheusResource[] = [];
  const scrapeConfigFiles: Located<string>[] = [];
  let valuesWithoutScrape: Range | undefined;

  for (const doc of docs) {
    const docRange = rangeOf(doc.contents, { start: 0, end: 0 });
    for (const error of doc.errors) {
      // The yaml library may place an error at end of input one past the text (`{`): keep ranges inside it.
      const start = Math.min(error.pos[0], text.length);
      const key = error.code === 'DUPLICATE_KEY' ? keyAt(doc, error.pos[0]) : undefined;
      problems.push(
        key === undefined
          ? {
              message: `YAML: ${error.message}`,
              range: { start, end: Math.min(Math.max(error.pos[1], start), text.length) },
            }
          : {
              // The library says only "Map keys must be unique"; Prometheus (go-yaml) says which field was set twice.
              message: `YAML: duplicate key "${key.name}"${key.first === undefined ? '' : ` (first at line ${lineCounter.linePos(key.first).line})`}: a mapping holds each key once (Prometheus refuses the file: "field ${key.name} already set")`,
              range: key.range,
            },
      );
    }
    if (doc.errors.length > 0) continue;
    try {
      doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (error) {
      problems.push({
        message: `YAML: refused to expand aliases (more than ${MAX_ALIAS_COUNT}, as in a "billion laughs" attack): ${(error as Error).message}`,
        range: docRange,
      });
      continue;
    }
    const r = new Reader(doc, docRange);
    const root = r.deref(doc.contents);
    if (isScrapeConfigList(r, root)) {
      // The Prometheus Operator's additionalScrapeConfigs: a bare list of scrape_config entries, no top-level key.
      recognized = true;
      jobs.push(
        ...scrapeConfigList(r, root, (n) => `scrape config entry ${n} must be a mapping with job_name`),
      );
      problems.push(...r.problems);
      continue;
    }
    if (!isMap(root)) continue;
    const kind = kindOf(r, root);
    if (unpackConfigMaps && kind !== 'prometheus') {
      const found = embeddedConfigs(root, text, lineCounter);
      if (found.length > 0) recognized = true;
      embedded.push(...found);
    }
    // A values file may have a top-level `global:` (the chart's own has one, for rbac and image settings).
    const values =
      kind === undefined || kind === 'prometheus' ? readHelmValues(r, root, filePath) : undefined;
    const agent = kind === undefined && values === undefined ? readAgent(r, root) : undefined;
    if (values !== undefined) {
      if (values.scrapeRelated) recognized = true;
      else valuesWithoutScrape ??= values.keyRange;
      global = values.global;
      jobs.push(...values.jobs);
      if (values.resource !== undefined && values.scrapeRelated) prometheusResources.push(values.resource);
    } else if (agent !== undefined) {
      recognized = true;
      global = agent.global;
      jobs.push(...agent.jobs);
    } else if (kind === 'prometheus') {
      recognized = true;
      const read = readPrometheus(r, root);
      global = read.global;
      jobs.push(...read.jobs);
      scrapeConfigFiles.push(...read.scrapeConfigFiles);
      if (scrapeConfigFile) {
        // Prometheus reads such a file strictly into a list of scrape configs: any other key fails the load.
        for (const pair of root.items) {
          const key = pair.key as AnyNode;
          if (isScalar(key) && key.value !== 'scrape_configs')
            r.problem(
              key,
              `'${String(key.value)}' is not allowed here: a file of scrape_config_files holds scrape_configs only (Prometheus refuses it; ${String(key.value)} belongs in the main configuration)`,
            );
        }
      }
    } else if (isPrometheusResource(r, root)) {
      recognized = true;
      prometheusResources.push(prometheusResource(r, root, filePath));
    } else if (kind === 'list') {
      for (const item of r.seq(root, 'items')) {
        if (!isMap(item)) continue;
        if (isPrometheusResource(r, item)) {
          recognized = true;
          prometheusResources.push(prometheusResource(r, item, filePath));
        }
        const itemKind = kindOf(r, item);
        if (itemKind === 'ServiceMonitor' || itemKind === 'PodMonitor' || itemKind === 'ScrapeConfig') {
          recognized = true;
          jobs.push(...operatorJobs(r, item, itemKind));
        }
      }
    } else if (kind !== undefined) {
      recognized = true;
      jobs.push(...operatorJobs(r, root, kind));
    }
    problems.push(...r.problems);
  }
  const first = docs.find((doc) => doc.contents !== null);
  if (requireConfig && !recognized && problems.length === 0 && valuesWithoutScrape !== undefined) {
    problems.push({
      message: `a kube-prometheus-stack values file with nothing to scrape-check: ${SPEC_PATH} sets none of ${VALUES_SPEC_KEYS.join(', ')}, and prometheus has no additionalServiceMonitors or additionalPodMonitors`,
      range: firstLineOf(text, valuesWithoutScrape),
    });
  } else if (requireConfig && !recognized && problems.length === 0 && first !== undefined) {
    const root = first.contents;
    const what = isMap(root) ? 'a mapping' : isSeq(root) ? 'a list' : 'a scalar';
    problems.push({
      message: `not a Prometheus configuration or operator resource: the top level is ${what}, not a mapping with scrape_configs or global, nor a resource of a kind scrapelint reads`,
      range: firstLineOf(text, rangeOf(root, { start: 0, end: Math.min(text.length, 1) })),
    });
  }
  const unique = new Map(problems.map((p) => [`${p.range.start}:${p.range.end}:${p.message}`, p]));
  const sorted = [...unique.values()].sort((a, b) => a.range.start - b.range.start);
  return {
    kind: 'config',
    filePath,
    text,
    documents: docs,
    lineCounter,
    global,
    jobs,
    problems: sorted,
    recognized,
    embedded,
    prometheusResources,
    scrapeConfigFiles,
  };
}
