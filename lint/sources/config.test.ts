import { describe, expect, it } from 'vitest';
import { LineIndex } from '../positions.js';
import { parseConfig } from './config.js';

const at = (text: string, offset: number): string => {
  const p = new LineIndex(text).position(offset);
  return `${p.line}:${p.column}`;
};

describe('parseConfig: Prometheus configuration', () => {
  const text = `global:
  scrape_interval: 30s
  scrape_timeout: 5s
scrape_configs:
  - job_name: exposer
    honor_labels: true
    honor_timestamps: false
    track_timestamps_staleness: true
    sample_limit: 5000
    body_size_limit: 10MB
    scrape_interval: 15s
    scrape_timeout: 10s
    metrics_path: /metrics
    params:
      'match[]': ['{job="x"}', up]
    static_configs:
      - targets: ['exposer:9100', other:80]
  - job_name: nodes
    kubernetes_sd_configs:
      - role: node
`;
  const model = parseConfig(text, 'prometheus.yml');

  it('reads global and every job field with the position of its value', () => {
    expect(model.recognized).toBe(true);
    expect(model.problems).toEqual([]);
    expect(model.global.scrapeInterval?.value).toBe('30s');
    expect(at(text, model.global.scrapeInterval!.range.start)).toBe('2:20');
    const [exposer, nodes] = model.jobs;
    expect(exposer?.name.value).toBe('exposer');
    expect(at(text, exposer!.name.range.start)).toBe('5:15');
    expect(exposer?.honorLabels?.value).toBe(true);
    expect(exposer?.honorTimestamps?.value).toBe(false);
    expect(exposer?.trackTimestampsStaleness?.value).toBe(true);
    expect(exposer?.sampleLimit?.value).toBe(5000);
    expect(exposer?.bodySizeLimit?.value).toBe('10MB');
    expect(exposer?.scrapeInterval?.value).toBe('15s');
    expect(exposer?.scrapeTimeout?.value).toBe('10s');
    expect(exposer?.metricsPath?.value).toBe('/metrics');
    expect(exposer?.params?.value['match[]']?.map((m) => m.value)).toEqual(['{job="x"}', 'up']);
    expect(exposer?.staticTargets.map((t) => t.value)).toEqual(['exposer:9100', 'other:80']);
    expect(at(text, exposer!.staticTargets[1]!.range.start)).toBe('17:35');
    expect(exposer?.discovers).toBe(false);
    expect(nodes?.discovers).toBe(true);
    expect(nodes?.staticTargets).toEqual([]);
  });

  it('follows aliases and merge keys', () => {
    const aliased = parseConfig(
      `defaults: &d\n  honor_labels: true\nscrape_configs:\n  - <<: *d\n    job_name: a\n    static_configs: [{targets: [x:1]}]\n`,
      'p.yml',
    );
    expect(aliased.jobs[0]?.honorLabels?.value).toBe(true);
  });
});

describe('parseConfig: Prometheus-Operator resources', () => {
  const text = `apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: exposer
  namespace: metrics
spec:
  sampleLimit: 100
  endpoints:
    - port: web
      honorLabels: true
      interval: 30s
      scrapeTimeout: 10s
    - targetPort: 9091
      path: /federate
---
apiVersion: monitoring.coreos.com/v1
kind: PodMonitor
metadata: { name: pods }
spec:
  podMetricsEndpoints:
    - port: metrics
      honorTimestamps: true
      trackTimestampsStaleness: false
---
apiVersion: monitoring.coreos.com/v1alpha1
kind: ScrapeConfig
metadata: { name: gw, namespace: ops }
spec:
  honorLabels: true
  scrapeInterval: 1m
  bodySizeLimit: 1MB
  staticConfigs:
    - targets: [pushgateway:9091]
---
apiVersion: v1
kind: Service
metadata: { name: ignored }
`;
  const model = parseConfig(text, 'monitors.yaml');

  it('normalises each endpoint into a job named kind/namespace/name/index', () => {
    expect(model.problems).toEqual([]);
    expect(model.jobs.map((j) => j.name.value)).toEqual([
      'ServiceMonitor/metrics/exposer/0',
      'ServiceMonitor/metrics/exposer/1',
      'PodMonitor/default/pods/0',
      'ScrapeConfig/ops/gw',
    ]);
    const [first, second, pod, sc] = model.jobs;
    expect(first?.origin).toBe('ServiceMonitor');
    expect(first?.honorLabels?.value).toBe(true);
    expect(first?.sampleLimit?.value).toBe(100);
    expect(first?.scrapeInterval?.value).toBe('30s');
    expect(first?.ports.map((p) => p.value)).toEqual(['web']);
    expect(second?.ports.map((p) => p.value)).toEqual(['9091']);
    expect(second?.metricsPath?.value).toBe('/federate');
    expect(at(text, first!.name.range.start)).toBe('4:9');
    expect(pod?.honorTimestamps?.value).toBe(true);
    expect(pod?.trackTimestampsStaleness?.value).toBe(false);
    expect(sc?.staticTargets.map((t) => t.value)).toEqual(['pushgateway:9091']);
    expect(sc?.bodySizeLimit?.value).toBe('1MB');
    expect(sc?.discovers).toBe(false);
  });

  it('reads operator resources inside a kind: List', () => {
    const list = parseConfig(
      `apiVersion: v1\nkind: List\nitems:\n  - apiVersion: monitoring.coreos.com/v1\n    kind: PodMonitor\n    metadata: {name: a}\n    spec:\n      podMetricsEndpoints: [{port: m}]\n`,
      'list.yaml',
    );
    expect(list.jobs.map((j) => j.name.value)).toEqual(['PodMonitor/default/a/0']);
  });

  it('does not recognise unrelated YAML', () => {
    const other = parseConfig('apiVersion: v1\nkind: Service\nmetadata: {name: x}\n', 'svc.yaml');
    expect(other.recognized).toBe(false);
    expect(other.jobs).toEqual([]);
  });
});

describe("parseConfig: the operator's additionalScrapeConfigs (a bare list of scrape configs)", () => {
  it('reads each entry as a Prometheus job with its positions', () => {
    const text = `- job_name: "prometheus"\n  static_configs:\n  - targets: ["localhost:9090"]\n- job_name: pushgateway\n  honor_labels: true\n  static_configs:\n  - targets: ['pushgateway:9091']\n`;
    const model = parseConfig(text, 'prometheus-additional.yaml');
    expect(model.recognized).toBe(true);
    expect(model.problems).toEqual([]);
    expect(model.jobs.map((j) => [j.name.value, j.origin, at(text, j.name.range.start)])).toEqual([
      ['prometheus', 'prometheus', '1:13'],
      ['pushgateway', 'prometheus', '4:13'],
    ]);
    expect(model.jobs[1]?.honorLabels?.value).toBe(true);
    expect(model.jobs[1]?.staticTargets.map((t) => t.value)).toEqual(['pushgateway:9091']);
  });

  it('reports an entry that is not a mapping, where it stands, and keeps the others', () => {
    const text = '- job_name: a\n- 3\n';
    const model = parseConfig(text, 'additional.yaml');
    expect(model.jobs.map((j) => j.name.value)).toEqual(['a']);
    expect((model.problems ?? []).map((p) => [p.message, at(text, p.range.start)])).toEqual([
      ['scrape config entry 2 must be a mapping with job_name', '2:3'],
    ]);
  });

  it('leaves other lists alone (a list is a scrape config list only when its first entry has job_name)', () => {
    const other = parseConfig('- name: a\n- name: b\n', 'list.yaml');
    expect(other.recognized).toBe(false);
    expect(other.jobs).toEqual([]);
  });
});

describe('parseConfig: Grafana Agent static mode', () => {
  const text = `server:
  log_level: info
metrics:
  global:
    scrape_interval: 5s
  configs:
    - name: default
      scrape_configs:
      - job_name: cortex
        static_configs:
          - targets: ['localhost:9009']
    - name: other
      scrape_configs:
      - job_name: pushgateway
        honor_labels: true
logs:
  configs:
  - name: default
    scrape_configs:
    - job_name: system
`;

  it("reads every instance's scrape_configs and the global block, not the logs section's", () => {
    const model = parseConfig(text, 'agent.yaml');
    expect(model.recognized).toBe(true);
    expect(model.problems).toEqual([]);
    expect(model.global.scrapeInterval?.value).toBe('5s');
    expect(model.jobs.map((j) => [j.name.value, at(text, j.name.range.start)])).toEqual([
      ['cortex', '9:19'],
      ['pushgateway', '14:19'],
    ]);
  });

  it('reads the pre-v0.20 prometheus: section name, and leaves a prometheus: key without configs alone', () => {
    const old = parseConfig(text.replace('metrics:', 'prometheus:'), 'agent.yaml');
    expect(old.jobs.map((j) => j.name.value)).toEqual(['cortex', 'pushgateway']);
    const values = parseConfig('prometheus:\n  prometheusSpec:\n    retention: 10d\n', 'values.yaml');
    expect(values.recognized).toBe(false);
  });
});

describe('parseConfig: bad input never throws', () => {
  it('reports YAML syntax errors with their position', () => {
    const text = 'scrape_configs:\n  - job_name: [unclosed\n';
    const model = parseConfig(text, 'bad.yml');
    expect(model.problems?.length).toBeGreaterThan(0);
    expect(model.problems?.[0]?.message).toMatch(/^YAML: /);
  });

  it('refuses an alias bomb with a message that says so', () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const next = String.fromCharCode(97 + i);
      lines.push(`${next}: &${next} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    lines.push('scrape_configs: []');
    const model = parseConfig(lines.join('\n'), 'bomb.yml');
    expect(model.problems?.map((p) => p.message).join()).toMatch(/refused to expand aliases.*billion laughs/);
    expect(model.jobs).toEqual([]);
  });

  it('reports fields of the wrong type and keeps going', () => {
    const text = `scrape_configs:
  - job_name: a
    honor_labels: "yes"
    sample_limit: -3
    static_configs: nope
  - 42
  - honor_labels: true
`;
    const model = parseConfig(text, 'types.yml');
    expect(model.problems?.map((p) => `${at(text, p.range.start)} ${p.message}`)).toEqual([
      `3:19 'honor_labels' must be true or false, not "yes"`,
      `4:19 'sample_limit' must be a non-negative integer, not -3`,
      `5:21 'static_configs' must be a list`,
      '6:5 scrape_configs entry 2 must be a mapping',
      '7:5 scrape config 3 has no job_name',
    ]);
    expect(model.jobs.map((j) => j.name.value)).toEqual(['a', 'scrape_configs[2]']);
  });

  it('reads an empty file and a file of comments as nothing', () => {
    expect(parseConfig('', 'empty.yml').jobs).toEqual([]);
    expect(parseConfig('# just a comment\n', 'c.yml').problems).toEqual([]);
  });

  it('reports an operator resource without spec', () => {
    const model = parseConfig(
      'apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: a}\n',
      'x',
    );
    expect(model.problems?.map((p) => p.message)).toEqual(['ServiceMonitor has no spec']);
  });
});
