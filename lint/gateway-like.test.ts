import { describe, expect, it } from 'vitest';
import { parseConfig } from './sources/config.js';
import { gatewayReasons, isGatewayLike } from './gateway-like.js';

const jobs = (yaml: string) => parseConfig(yaml, 'p.yml').jobs;
const kinds = (yaml: string) => jobs(yaml).map((j) => gatewayReasons(j).map((r) => r.kind));

describe('gatewayReasons', () => {
  it('honor_labels with one or a few static targets', () => {
    expect(
      kinds(
        'scrape_configs:\n  - job_name: a\n    honor_labels: true\n    static_configs: [{targets: [x:80]}]\n',
      ),
    ).toEqual([['honor-labels-few-targets']]);
  });
  it('honor_labels with many targets or with discovery is not gateway-like', () => {
    expect(
      kinds(
        'scrape_configs:\n  - job_name: a\n    honor_labels: true\n    static_configs: [{targets: [a:1, b:1, c:1, d:1]}]\n',
      ),
    ).toEqual([[]]);
    expect(
      kinds(
        'scrape_configs:\n  - job_name: a\n    honor_labels: true\n    static_configs: [{targets: [a:1]}]\n    dns_sd_configs: [{names: [x]}]\n',
      ),
    ).toEqual([[]]);
  });
  it("the Pushgateway's port, on a target or an operator port", () => {
    expect(
      kinds('scrape_configs:\n  - job_name: a\n    static_configs: [{targets: ["http://x:9091"]}]\n'),
    ).toEqual([['pushgateway-port']]);
    expect(
      kinds(
        'apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: s}\nspec:\n  endpoints: [{targetPort: 9091}]\n',
      ),
    ).toEqual([['pushgateway-port']]);
  });
  it('names that say pushgateway, exposer, metrics gateway or aggregation gateway', () => {
    for (const name of ['pushgateway', 'kafka-exposer', 'metrics-gateway', 'prom-aggregation-gateway']) {
      expect(kinds(`scrape_configs:\n  - job_name: ${name}\n`)).toEqual([['gateway-name']]);
    }
    expect(
      kinds('scrape_configs:\n  - job_name: a\n    static_configs: [{targets: [push-gateway.ops:80]}]\n'),
    ).toEqual([['gateway-name']]);
  });
  it('gateway or aggregat… alone only on a job that honours the labels it serves', () => {
    // Alone, the words name API gateways, ingress gateways and log aggregators: apps scraped like any other.
    for (const job of [
      'job_name: api-gateway\n    kubernetes_sd_configs: [{role: pod}]',
      "job_name: 'Api Gateway'\n    metrics_path: '/actuator/prometheus'\n    static_configs: [{targets: ['api-gateway:8080']}]",
      'job_name: istio-ingressgateway\n    static_configs: [{targets: [a:15020, b:15020]}]',
      'job_name: aggregator',
      'job_name: a\n    metrics_path: /aggregated/metrics',
      'job_name: node\n    static_configs: [{targets: [nat-gateway.internal:9100]}]',
    ]) {
      expect(kinds(`scrape_configs:\n  - ${job}\n`)).toEqual([[]]);
    }
    expect(
      kinds(
        'scrape_configs:\n  - job_name: aggregator\n    honor_labels: true\n    kubernetes_sd_configs: [{role: pod}]\n',
      ),
    ).toEqual([['gateway-name']]);
    expect(
      kinds(
        'scrape_configs:\n  - job_name: a\n    honor_labels: true\n    metrics_path: /aggregated/metrics\n    kubernetes_sd_configs: [{role: pod}]\n',
      ),
    ).toEqual([['gateway-name']]);
  });
  it('honor_labels on a per-target exporter that Prometheus documents with it is not gateway-like', () => {
    for (const job of [
      'job_name: kube-state-metrics\n    honor_labels: true\n    static_configs: [{targets: [ksm.kube-system.svc:8080]}]',
      'job_name: k8s\n    honor_labels: true\n    static_configs: [{targets: [kube-state-metrics:8080]}]',
      'job_name: kubelet\n    honor_labels: true\n    scheme: https\n    static_configs: [{targets: [n1:10250, n2:10250]}]',
      'job_name: nodes\n    honor_labels: true\n    metrics_path: /metrics/cadvisor\n    static_configs: [{targets: [n1:10250]}]',
      'job_name: node_exporter\n    honor_labels: true\n    static_configs: [{targets: [host:9100]}]',
    ]) {
      expect(kinds(`scrape_configs:\n  - ${job}\n`)).toEqual([[]]);
    }
    // The Pushgateway's port or name still tells, whatever else the job says.
    expect(
      kinds(
        'scrape_configs:\n  - job_name: kubelet\n    honor_labels: true\n    static_configs: [{targets: [pushgateway:9091]}]\n',
      ),
    ).toEqual([['pushgateway-port', 'gateway-name']]);
  });
  it('federation jobs and ordinary jobs are not gateway-like', () => {
    const [fed, node] = jobs(
      'scrape_configs:\n  - job_name: fed-gateway\n    honor_labels: true\n    metrics_path: /federate\n    static_configs: [{targets: [a:9090]}]\n  - job_name: node\n    static_configs: [{targets: [a:9100, b:9100]}]\n',
    );
    expect(isGatewayLike(fed!)).toBe(false);
    expect(isGatewayLike(node!)).toBe(false);
  });
});
