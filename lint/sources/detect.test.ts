import { describe, expect, it } from 'vitest';
import { detectKind, goTemplateAction, isConfigText, isExpositionText } from './detect.js';

describe('detectKind', () => {
  it('Prometheus configs and operator resources by content', () => {
    expect(detectKind('deploy/prom.yml', 'global:\n  scrape_interval: 15s\n')).toBe('config');
    expect(detectKind('x.yaml', '# c\nscrape_configs: []\n')).toBe('config');
    expect(detectKind('sm.yaml', 'apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\n')).toBe(
      'config',
    );
    expect(
      detectKind('list.yaml', 'items:\n  - apiVersion: monitoring.coreos.com/v1\n    kind: PodMonitor\n'),
    ).toBe('config');
    expect(detectKind('prometheus-additional.yaml', '- job_name: "prometheus"\n  static_configs: []\n')).toBe(
      'config',
    );
    expect(detectKind('tasks.yml', '- name: install\n  apt: {name: x}\n')).toBeUndefined();
    expect(
      detectKind(
        'agent.yaml',
        'metrics:\n  configs:\n    - name: a\n      scrape_configs:\n      - job_name: x\n',
      ),
    ).toBe('config');
    expect(detectKind('values.yaml', 'prometheus:\n  enabled: true\n')).toBeUndefined();
    expect(detectKind('ci.yml', 'jobs:\n  build: {}\n')).toBeUndefined();
    expect(detectKind('svc.yaml', 'apiVersion: v1\nkind: Service\n')).toBeUndefined();
    expect(detectKind('ci.yml', 'jobs: {}\n', 'config')).toBe('config');
    // Saved with a byte order mark (Prometheus reads it): still a configuration, in a walk too.
    expect(detectKind('prom.yml', '\uFEFFscrape_configs:\n  - job_name: a\n')).toBe('config');
    expect(detectKind('stdin', '\uFEFFglobal:\n  scrape_interval: 15s\n')).toBe('config');
  });
  it('expositions by extension or content', () => {
    expect(detectKind('a.prom', '')).toBe('exposition');
    expect(detectKind('metrics.txt', '# HELP up Whether.\n# TYPE up gauge\nup 1\n')).toBe('exposition');
    expect(detectKind('<stdin>', 'http_requests_total{code="200"} 3 1700000000000\n')).toBe('exposition');
    expect(detectKind('notes.txt', 'hello world\n')).toBeUndefined();
    // OpenMetrics as client_golang writes it: float-second timestamps and exemplars on the first samples.
    expect(detectKind('om.txt', 'foo_total 1 1.7268398142239082e+09\n# EOF\n')).toBe('exposition');
    expect(
      detectKind(
        'om.txt',
        '# TYPE rpc histogram\nrpc_bucket{le="-0.00029"} 3 # {dummyID="17783"} -0.00038 1.7268398142239082e+09\nrpc_bucket{le="+Inf"} 15\n# EOF\n',
      ),
    ).toBe('exposition');
    expect(detectKind('notes.txt', 'total 3 # {not an exemplar\n')).toBeUndefined();
    // Written on Windows: a byte order mark and CRLF line ends; the parser then says what is wrong with them.
    expect(detectKind('win.txt', '\uFEFF# HELP app_up Whether.\r\n# TYPE app_up gauge\r\napp_up 1\r\n')).toBe(
      'exposition',
    );
    expect(detectKind('notes.txt', '\uFEFFhello world\r\n')).toBeUndefined();
    expect(detectKind('a.prom', '', 'config')).toBeUndefined();
  });
  it('Markdown', () => {
    expect(detectKind('docs/arch.md', '# Title\n')).toBe('docs');
    expect(detectKind('a.md', '', 'exposition')).toBeUndefined();
  });
  it('helpers', () => {
    expect(isConfigText('scrape_configs:\n')).toBe(true);
    expect(isExpositionText('')).toBe(false);
    expect(isExpositionText('# just a comment\n')).toBe(false);
    expect(isExpositionText('up 1\nup{a="b"} NaN\n')).toBe(true);
  });
});

describe('goTemplateAction', () => {
  it("finds a Helm chart's actions where YAML structure stands", () => {
    expect(goTemplateAction('{{- if .Values.sm.enabled }}\nkind: ServiceMonitor\n')).toEqual({
      start: 0,
      end: 28,
      action: '{{- if .Values.sm.enabled }}',
    });
    expect(goTemplateAction('metadata:\n  name: {{ .Release.Name }}-sm\n')?.start).toBe(18);
    expect(goTemplateAction('spec:\n  - {{ toYaml .Values.endpoints }}\n')?.action).toBe(
      '{{ toYaml .Values.endpoints }}',
    );
  });
  it('leaves alone template text inside strings, comments, $variables and flow mappings', () => {
    for (const text of [
      'annotations:\n  summary: "{{ $labels.instance }} is down"\n',
      'data:\n  rules.yml: |\n    summary: down since {{ .StartsAt }}\n',
      'x:\n  y: {{ $value }}\n',
      '# {{ .Values.note }}\nscrape_configs: []\n',
      "scrape_configs:\n  - job_name: f\n    params: {'match[]': ['{job=\"x\"}']}\n",
      'x: {a: {b: 1}}\n',
    ]) {
      expect(goTemplateAction(text)).toBeUndefined();
    }
  });
});
