/**
 * What the Prometheus-Operator makes of a ServiceMonitor, PodMonitor or ScrapeConfig under a `Prometheus` resource
 * (prometheus-operator `pkg/prometheus/promcfg.go`): `spec.scrapeInterval` (default 30s) and `spec.scrapeTimeout` for
 * jobs without their own; `enforcedSampleLimit` / `enforcedBodySizeLimit` cap every generated job (a monitor's lower
 * limit wins); `sampleLimit` / `bodySizeLimit` (operators since prometheus-operator PR #5646, for Prometheus
 * >= 2.45; dropped with a warning for an older `spec.version`) go to the generated `global:` section, which every job without a limit of its own inherits
 * (Prometheus treats a job's 0 as unset, `config/config.go` ScrapeConfig.Validate); `overrideHonorTimestamps` /
 * `overrideHonorLabels` force `honor_timestamps` / `honor_labels` to false.
 *
 * Not read, because they change nothing the rules check: `enforcedNamespaceLabel` adds a namespace label to the
 * generated relabelings, and `excludedFromEnforcement` exempts the monitors it lists from that label only, not from
 * the enforced limits: the operator applies `enforcedSampleLimit` / `enforcedBodySizeLimit` to every generated job
 * (`AddLimitsToYAML` in pkg/prometheus/promcfg.go takes no exclusion list; the namespace labeler is the one that
 * reads `ExcludedFromEnforcement`; the API reference describes the field as the objects excluded from enforcing a
 * namespace label of origin, applicable only with `spec.enforcedNamespaceLabel`).
 *
 * Which Prometheus selects which monitor depends on label selectors scrapelint does not evaluate. With one
 * `Prometheus` resource in the run, it applies to every operator job; with several, only what they all agree on
 * (an enforcement or global limit all of them set, the largest such sample limit, an interval they share), so that no
 * finding is waived by a Prometheus that may not be the one scraping the monitor.
 */
import type { OperatorDefaults, ScrapeJob } from './types.js';

/** The operator's default `spec.scrapeInterval`. */
export const OPERATOR_DEFAULT_INTERVAL = '30s';

/**
 * Quick test for a file that may hold a `Prometheus` resource (the command reads those first): a `kind: Prometheus`
 * or a kube-prometheus-stack values file's `prometheusSpec:`, which the chart renders into one.
 */
export const PROMETHEUS_RESOURCE =
  /^\s*(?:-\s+)?kind\s*:\s*["']?Prometheus["']?\s*(?:#.*)?$|^[ \t]+prometheusSpec[ \t]*:/m;

/** 0, `0`, `0B`, `0MB`, `0MiB`: no limit. */
export function isZeroLimit(limit: string | number | undefined): boolean {
  if (limit === undefined) return true;
  return typeof limit === 'number' ? limit === 0 : /^0+(?:\.0*)?\s*(?:[KMGTPE]i?)?B?$/i.test(limit.trim());
}

function agreed<T>(values: readonly (T | undefined)[]): T | undefined {
  const first = values[0];
  return first !== undefined && values.every((v) => v === first) ? first : undefined;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** The settings all `resources` agree on (see the module comment); undefined when there are none. */
export function mergeOperatorDefaults(resources: readonly OperatorDefaults[]): OperatorDefaults | undefined {
  const [only] = resources;
  if (only === undefined) return undefined;
  if (resources.length === 1) return only;
  const limits = resources.map((r) => r.enforcedSampleLimit ?? 0);
  const bodies = resources.map((r) => r.enforcedBodySizeLimit);
  const globalLimits = resources.map((r) => r.sampleLimit ?? 0);
  const globalBodies = resources.map((r) => r.bodySizeLimit);
  return {
    source: `${resources.length} Prometheus resources`,
    ...optional(
      'scrapeInterval',
      agreed(resources.map((r) => r.scrapeInterval ?? OPERATOR_DEFAULT_INTERVAL)),
    ),
    ...optional('scrapeTimeout', agreed(resources.map((r) => r.scrapeTimeout))),
    ...optional('enforcedSampleLimit', limits.every((l) => l > 0) ? Math.max(...limits) : undefined),
    ...optional('enforcedBodySizeLimit', bodies.every((b) => !isZeroLimit(b)) ? bodies[0] : undefined),
    ...optional('sampleLimit', globalLimits.every((l) => l > 0) ? Math.max(...globalLimits) : undefined),
    ...optional('bodySizeLimit', globalBodies.every((b) => !isZeroLimit(b)) ? globalBodies[0] : undefined),
    ...optional(
      'overrideHonorTimestamps',
      resources.every((r) => r.overrideHonorTimestamps === true) || undefined,
    ),
    ...optional('overrideHonorLabels', resources.every((r) => r.overrideHonorLabels === true) || undefined),
  };
}

/** The defaults that apply to `job`: only operator-generated jobs inherit from a `Prometheus` resource. */
export function defaultsFor(
  job: ScrapeJob,
  defaults: OperatorDefaults | undefined,
): OperatorDefaults | undefined {
  return job.origin === 'prometheus' ? undefined : defaults;
}

/** Whether the Prometheus resource caps the job's samples or body whatever the monitor says. */
export function enforcesLimit(defaults: OperatorDefaults | undefined): boolean {
  return (
    defaults !== undefined &&
    ((defaults.enforcedSampleLimit ?? 0) > 0 || !isZeroLimit(defaults.enforcedBodySizeLimit))
  );
}

/**
 * Whether the Prometheus resource gives every operator job a limit: an enforced one, or a global one
 * (`spec.sampleLimit` / `spec.bodySizeLimit`), which a monitor without a limit of its own (or with 0) inherits.
 */
export function limitsEveryJob(defaults: OperatorDefaults | undefined): boolean {
  return (
    enforcesLimit(defaults) ||
    (defaults !== undefined && ((defaults.sampleLimit ?? 0) > 0 || !isZeroLimit(defaults.bodySizeLimit)))
  );
}
