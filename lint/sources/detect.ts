/**
 * Which linter a file is for, from its name and its content: Prometheus configuration, operator resources or a
 * Grafana Alloy file (all `config`), exposition output or Markdown. `undefined`: none (the file is skipped when
 * found in a directory walk).
 */
import type { SourceKind } from '../types.js';

const YAML_NAME = /\.ya?ml$/i;
const MARKDOWN_NAME = /\.(md|markdown)$/i;
const EXPOSITION_NAME = /\.(prom|metrics|om|openmetrics)$/i;
const TEXT_NAME = /\.txt$/i;
/** Grafana Alloy (`.river`: Grafana Agent flow mode, its predecessor), read by lint/sources/alloy.ts. */
const ALLOY_NAME = /\.(alloy|river)$/i;
/** An Alloy file without its extension: it declares a prometheus.scrape component. */
const ALLOY_SCRAPE = /^[ \t]*prometheus\.scrape[ \t]+"[^"\n]*"[ \t]*\{/m;

/**
 * Whether a configuration is written in the Alloy syntax rather than YAML: its name says so, or (a name that says
 * nothing, stdin) it declares a prometheus.scrape component.
 */
export function isAlloy(path: string, text: string): boolean {
  if (ALLOY_NAME.test(path)) return true;
  return !YAML_NAME.test(path) && ALLOY_SCRAPE.test(text);
}

const PROMETHEUS_CONFIG =
  /^(global|scrape_configs|scrape_config_files|rule_files|alerting|remote_write|remote_read)\s*:/m;
/** The operator's additionalScrapeConfigs: a bare top-level list of scrape configs (`- job_name: ...`). */
const SCRAPE_CONFIG_LIST = /^-[ \t]+job_name[ \t]*:/m;
/** Grafana Agent static mode: a top-level `metrics:` (or `prometheus:`) section with instances' `scrape_configs`. */
const AGENT_SECTION = /^(?:metrics|prometheus)[ \t]*:[ \t]*(?:#.*)?$/m;
const NESTED_SCRAPE_CONFIGS = /^[ \t]+(?:-[ \t]+)?scrape_configs[ \t]*:/m;
/**
 * kube-prometheus-stack values: a top-level `prometheus:` with an indented `prometheusSpec:` and a field scrapelint
 * reads (in prometheusSpec, or the chart's additional monitors). A values file without one is left alone.
 */
const VALUES_SECTION = /^prometheus[ \t]*:[ \t]*(?:#.*)?$/m;
const VALUES_SPEC = /^[ \t]+prometheusSpec[ \t]*:/m;
const VALUES_SCRAPE_KEY =
  /^[ \t]+(?:additionalScrapeConfigs|scrapeInterval|scrapeTimeout|sampleLimit|enforcedSampleLimit|bodySizeLimit|enforcedBodySizeLimit|overrideHonorTimestamps|overrideHonorLabels|additionalServiceMonitors|additionalPodMonitors)[ \t]*:/m;
const OPERATOR_RESOURCE =
  /^\s*(?:-\s+)?kind\s*:\s*["']?(ServiceMonitor|PodMonitor|ScrapeConfig|Prometheus)["']?\s*$/m;
const OPERATOR_API = /apiVersion\s*:\s*["']?monitoring\.coreos\.com\//;
/** A ConfigMap whose data holds a Prometheus configuration (an indented `global:` or `scrape_configs:`). */
const CONFIG_MAP = /^\s*(?:-\s+)?kind\s*:\s*["']?ConfigMap["']?\s*$/m;
/** A Secret with a `*.yml`/`*.yaml` key (its value base64: judged when read, lint/sources/configmap.ts). */
const SECRET = /^\s*(?:-\s+)?kind\s*:\s*["']?Secret["']?\s*$/m;
const CONFIG_MAP_KEY = /^\s+["']?[^\s:#"']+\.ya?ml["']?\s*:/m;
const EMBEDDED_CONFIG =
  /^[ \t]+(?:global|scrape_configs)\s*:|(?:\\n|["'])(?:global|scrape_configs)\s*:|^[ \t]+-[ \t]+job_name[ \t]*:/m;
/**
 * A metadata line, or a sample: name, labels, value, then an optional timestamp (text 0.0.4: integer milliseconds;
 * OpenMetrics: float seconds such as 1.7268398142239082e+09) and an optional OpenMetrics exemplar
 * (` # {trace_id="..."} 0.5 1.7e+09`).
 */
const EXPOSITION_LINE =
  /^(?:# (?:HELP|TYPE|UNIT) [a-zA-Z_:][a-zA-Z0-9_:]* |[a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^\n]*\})?[ \t]+(?:[-+]?[0-9.][0-9.eE+-]*|[-+]?[Ii]nf|[Nn]a[Nn])(?:[ \t]+[-+]?[0-9.][0-9.eE+-]*)?(?:[ \t]+#[ \t]+\{[^\n]*\}[^\n]*)?[ \t]*$)/m;

/**
 * Whether YAML text holds a Prometheus configuration, a bare list of scrape configs (the operator's
 * additionalScrapeConfigs), a Grafana Agent static-mode file, a kube-prometheus-stack values file with scrape
 * settings, a Prometheus-Operator resource, or a ConfigMap with a
 * `*.yml`/`*.yaml` key whose text is a Prometheus configuration.
 */
export function isConfigText(withBom: string): boolean {
  // A byte order mark (editors on Windows) hides the first line from `^`; YAML readers (go-yaml, yaml) skip it.
  const text = withBom.startsWith('\uFEFF') ? withBom.slice(1) : withBom;
  return (
    PROMETHEUS_CONFIG.test(text) ||
    SCRAPE_CONFIG_LIST.test(text) ||
    (AGENT_SECTION.test(text) && NESTED_SCRAPE_CONFIGS.test(text)) ||
    (VALUES_SECTION.test(text) && VALUES_SPEC.test(text) && VALUES_SCRAPE_KEY.test(text)) ||
    (OPERATOR_API.test(text) && OPERATOR_RESOURCE.test(text)) ||
    (CONFIG_MAP.test(text) && CONFIG_MAP_KEY.test(text) && EMBEDDED_CONFIG.test(text)) ||
    (SECRET.test(text) && CONFIG_MAP_KEY.test(text))
  );
}

/** Whether text looks like Prometheus text format or OpenMetrics (judged on its first non-empty lines). */
export function isExpositionText(text: string): boolean {
  // A byte order mark and CRLF line ends (files written on Windows, e.g. for windows_exporter's textfile
  // collector) do not change what the file is: judged without them, so that the parser reports them.
  const head = text.slice(0, 4096).replace(/^\uFEFF/, '');
  const lines = head
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '')
    .slice(0, 5);
  if (lines.length === 0) return false;
  return (
    lines.every((line) => line.startsWith('#') || EXPOSITION_LINE.test(line)) &&
    lines.some((l) => EXPOSITION_LINE.test(l))
  );
}

/** Whether a file's name says nothing of its kind (`.txt`, no or another extension): only its content can. */
export function judgedByContent(path: string): boolean {
  return (
    !YAML_NAME.test(path) &&
    !MARKDOWN_NAME.test(path) &&
    !EXPOSITION_NAME.test(path) &&
    !ALLOY_NAME.test(path)
  );
}

/**
 * The kind of a file. `only` narrows to one kind (the `config`, `metrics` and `docs` commands): a YAML file is
 * then a config whatever its content, and a file of another kind is not linted.
 */
export function detectKind(path: string, text: string, only?: SourceKind): SourceKind | undefined {
  if (MARKDOWN_NAME.test(path)) return only === undefined || only === 'docs' ? 'docs' : undefined;
  if (YAML_NAME.test(path)) {
    if (only === 'config') return 'config';
    return only === undefined && isConfigText(text) ? 'config' : undefined;
  }
  if (EXPOSITION_NAME.test(path))
    return only === undefined || only === 'exposition' ? 'exposition' : undefined;
  if (ALLOY_NAME.test(path)) return only === undefined || only === 'config' ? 'config' : undefined;
  // Anything else (.txt, no extension, stdin): judge the content.
  if (only === 'exposition') return 'exposition';
  if (only === 'config') return 'config';
  if (only === 'docs') return 'docs';
  if (isConfigText(text) || ALLOY_SCRAPE.test(text)) return 'config';
  if (isExpositionText(text)) return 'exposition';
  if (TEXT_NAME.test(path)) return undefined;
  return /^```mermaid/m.test(text) ? 'docs' : undefined;
}

/**
 * A Go template action where YAML structure stands, as Helm charts' templates have them: a line that is only an
 * action (`{{- if .Values.x }}`, `{{ end }}`, `{{- include "x" . | nindent 4 }}`) or a value that starts with one
 * (`name: {{ .Release.Name }}`). Actions inside quoted or block strings (alert annotations' `{{ $labels.x }}`) do not
 * count. Where the first stands, or undefined.
 */
const TEMPLATE_ACTION =
  /^[ \t]*(?:-[ \t]+)?(?:[^\s#"'][^:#\n]*:[ \t]+)?(\{\{-?[ \t]*[-.a-zA-Z(/][^\n]*?\}\})/m;

export function goTemplateAction(text: string): { start: number; end: number; action: string } | undefined {
  const match = TEMPLATE_ACTION.exec(text);
  const action = match?.[1];
  if (match === null || action === undefined) return undefined;
  const start = match.index + match[0].length - action.length;
  return { start, end: start + action.length, action };
}
