/**
 * "Is this scrape job a gateway in front of many apps?" One answer for every config-side rule
 * (single-massive-target, missing-up-series, honor-timestamps, missing-sample-limit).
 * A job is gateway-like when any of these holds:
 * - honor_labels: true with one or a few static targets and no service discovery (the Pushgateway recipe), unless
 *   the job scrapes a per-target exporter that is documented with honor_labels (kubelet, cAdvisor,
 *   kube-state-metrics, node exporter: their own labels describe the node, pod or object, not apps behind them);
 * - a target or port on 9091, the Pushgateway's port;
 * - its job name, a target host, its metrics path or a port name says pushgateway, exposer, metrics gateway or
 *   aggregation gateway; or says gateway or aggregat(e/or/ion) alone on a job with honor_labels: true (alone, the
 *   words also name API gateways, ingress gateways and log aggregators, which are apps scraped like any other).
 * Federation jobs (metrics_path /federate) are left to federation-scrape-all.
 */
import type { Range } from '../exposition/types.js';
import type { ConfigModel, Located, OperatorDefaults, ReportDescriptor, ScrapeJob } from './types.js';

export const PUSHGATEWAY_PORT = '9091';
/** At most this many static targets with honor_labels still look like a gateway. */
export const FEW_TARGETS = 3;
/** Words that name a metrics gateway whatever else the job says. */
const GATEWAY_WORDS = /push-?gateway|exposer|metrics?[-_]?gateway|aggregation[-_]?gateway/i;
/** Words that name a metrics gateway only on a job that keeps the labels of what it serves (honor_labels). */
const MAYBE_GATEWAY_WORDS = /gateway|aggregat/i;
/**
 * Exporters scraped one per node or cluster that Prometheus' and kube-prometheus' own configurations scrape with
 * honor_labels (prometheus-kubernetes.yml, kubernetesControlPlane-serviceMonitorKubelet.yaml,
 * kubeStateMetrics-serviceMonitor.yaml): honor_labels there keeps the labels they put on the objects they describe.
 */
const PER_TARGET_EXPORTERS = /kubelet|cadvisor|kube-state-metrics|node[-_]?exporter/i;

export type GatewayReasonKind = 'honor-labels-few-targets' | 'pushgateway-port' | 'gateway-name';

export interface GatewayReason {
  readonly kind: GatewayReasonKind;
  /** Human words for messages, e.g. `honor_labels with 1 static target`. */
  readonly text: string;
  readonly range: Range;
}

export function isFederation(job: ScrapeJob): boolean {
  return job.metricsPath !== undefined && /\/federate\/?$/.test(job.metricsPath.value);
}

function portOf(target: string): string | undefined {
  const withoutScheme = target.replace(/^[a-z]+:\/\//i, '');
  const match = /:(\d+)(?:\/|$)/.exec(withoutScheme);
  return match?.[1];
}

function hostOf(target: string): string {
  return target.replace(/^[a-z]+:\/\//i, '').replace(/:\d+.*$/, '');
}

/**
 * Why a job is gateway-like (empty: it is not). The first reason is the strongest. `defaults`: the run's
 * `Prometheus` resource, whose `overrideHonorLabels` turns an operator job's honorLabels off.
 */
export function gatewayReasons(job: ScrapeJob, defaults?: OperatorDefaults): GatewayReason[] {
  if (isFederation(job)) return [];
  const reasons: GatewayReason[] = [];
  const targets = job.staticTargets;
  const labelsOverridden = job.origin !== 'prometheus' && defaults?.overrideHonorLabels === true;
  const honorsLabels = job.honorLabels?.value === true && !labelsOverridden;
  const perTargetExporter = [
    job.name.value,
    job.metricsPath?.value ?? '',
    ...targets.map((t) => hostOf(t.value)),
  ].some((text) => PER_TARGET_EXPORTERS.test(text));
  if (
    honorsLabels &&
    job.honorLabels !== undefined &&
    !perTargetExporter &&
    !job.discovers &&
    targets.length > 0 &&
    targets.length <= FEW_TARGETS
  ) {
    reasons.push({
      kind: 'honor-labels-few-targets',
      text: `honor_labels with ${targets.length} static target${targets.length === 1 ? '' : 's'}`,
      range: job.honorLabels.range,
    });
  }
  const onPort = [
    ...targets.filter((t) => portOf(t.value) === PUSHGATEWAY_PORT),
    ...job.ports.filter((p) => p.value === PUSHGATEWAY_PORT),
  ];
  const first = onPort[0];
  if (first !== undefined) {
    reasons.push({
      kind: 'pushgateway-port',
      text: `port ${PUSHGATEWAY_PORT}, the Pushgateway's`,
      range: first.range,
    });
  }
  const named: [string, Located<string> | undefined][] = [
    ['job name', job.name],
    ['metrics path', job.metricsPath],
    ...targets.map((t): [string, Located<string>] => ['target', { value: hostOf(t.value), range: t.range }]),
    ...job.ports.map((p): [string, Located<string>] => ['port name', p]),
  ];
  for (const [what, located] of named) {
    const word =
      located === undefined
        ? null
        : (GATEWAY_WORDS.exec(located.value) ??
          (honorsLabels ? MAYBE_GATEWAY_WORDS.exec(located.value) : null));
    if (located !== undefined && word !== null) {
      reasons.push({
        kind: 'gateway-name',
        text: `${what} "${located.value}" says ${word[0].toLowerCase()}`,
        range: located.range,
      });
      break;
    }
  }
  return reasons;
}

export function isGatewayLike(job: ScrapeJob, defaults?: OperatorDefaults): boolean {
  return gatewayReasons(job, defaults).length > 0;
}

/** The reasons as one phrase for a message. */
export function describeReasons(reasons: readonly GatewayReason[]): string {
  return reasons.map((r) => r.text).join('; ');
}

/** Reports each gateway-like job of a config with messageId `gatewayJob` (the rules that judge such jobs share it). */
export function reportGatewayJobs(model: ConfigModel, report: (descriptor: ReportDescriptor) => void): void {
  for (const job of model.jobs) {
    const reasons = gatewayReasons(job, model.operatorDefaults);
    if (reasons.length === 0) continue;
    report({
      messageId: 'gatewayJob',
      data: { job: job.name.value, reasons: describeReasons(reasons) },
      range: job.name.range,
    });
  }
}
