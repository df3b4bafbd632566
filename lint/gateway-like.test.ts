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
  it('names that say pushgateway, exposer, gateway or aggregation', () => {
    for (const name of ['pushgateway', 'kafka-exposer', 'metrics-gateway', 'aggregator']) {
      expect(kinds(`scrape_configs:\n  - job_name: ${name}\n`)).toEqual([['gateway-name']]);
    }
    expect(kinds('scrape_configs:\n  - job_name: a\n    metrics_path: /aggregated/metrics\n')).toEqual([
      ['gateway-name'],
    ]);
    expect(
      kinds('scrape_configs:\n  - job_name: a\n    static_configs: [{targets: [push-gateway.ops:80]}]\n'),
    ).toEqual([['gateway-name']]);
  });
  it('federation jobs and ordinary jobs are not gateway-like', () => {
    const [fed, node] = jobs(
      'scrape_configs:\n  - job_name: fed-gateway\n    honor_labels: true\n    metrics_path: /federate\n    static_configs: [{targets: [a:9090]}]\n  - job_name: node\n    static_configs: [{targets: [a:9100, b:9100]}]\n',
    );
    expect(isGatewayLike(fed!)).toBe(false);
    expect(isGatewayLike(node!)).toBe(false);
  });
});
