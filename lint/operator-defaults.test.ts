import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lintCommand } from './commands/lint.js';
import { lintConfigText } from './config-engine.js';
import { limitsEveryJob, mergeOperatorDefaults } from './operator-defaults.js';
import { supportsGlobalLimits } from './sources/config.js';
import { detectKind } from './sources/detect.js';
import type { FileResult, OperatorDefaults } from './types.js';

const prometheus = (spec: string): string =>
  `apiVersion: monitoring.coreos.com/v1\nkind: Prometheus\nmetadata:\n  name: k8s\n  namespace: monitoring\nspec:\n${spec}`;

/** A ServiceMonitor of an exposer (gateway-like by name and honorLabels), without limits or timestamp settings. */
const exposerMonitor = (endpoint = ''): string =>
  `apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata:\n  name: exposer\n  namespace: queuefront\nspec:\n  endpoints:\n    - port: http\n      honorLabels: true\n${endpoint}`;

const scrapeConfig =
  'apiVersion: monitoring.coreos.com/v1alpha1\nkind: ScrapeConfig\nmetadata:\n  name: batch\nspec:\n  honorLabels: true\n  staticConfigs:\n    - targets: [batch-sink:8080]\n';

const ruleIds = (result: FileResult): string[] => result.messages.map((m) => `${m.line} ${m.ruleId}`);

describe('Prometheus resource defaults in one file', () => {
  it('without a Prometheus resource, a gateway-like ServiceMonitor lacks a limit and keeps timestamps', () => {
    expect(ruleIds(lintConfigText(exposerMonitor(), 'sm.yaml'))).toEqual([
      '4 honor-timestamps',
      '4 missing-sample-limit',
      '4 missing-up-series',
      '4 single-massive-target',
    ]);
  });

  it('enforcedSampleLimit and enforcedBodySizeLimit satisfy missing-sample-limit', () => {
    for (const spec of ['  enforcedSampleLimit: 50000\n', '  enforcedBodySizeLimit: 10MB\n']) {
      const text = `${prometheus(spec)}---\n${exposerMonitor()}`;
      const result = lintConfigText(text, 'stack.yaml');
      expect(
        ruleIds(result).filter((r) => r.endsWith('missing-sample-limit')),
        spec,
      ).toEqual([]);
      expect(ruleIds(result)).toContain('12 honor-timestamps');
    }
    const off = `${prometheus('  enforcedSampleLimit: 0\n  enforcedBodySizeLimit: 0MB\n')}---\n${exposerMonitor()}`;
    expect(ruleIds(lintConfigText(off, 'stack.yaml'))).toContain('13 missing-sample-limit');
  });

  it('overrideHonorTimestamps defeats honor-timestamps; overrideHonorLabels removes the honor_labels reason', () => {
    const text = `${prometheus('  overrideHonorTimestamps: true\n  overrideHonorLabels: true\n')}---\n${exposerMonitor()}---\n${scrapeConfig}`;
    const result = lintConfigText(text, 'stack.yaml');
    expect(ruleIds(result).filter((r) => r.endsWith('honor-timestamps'))).toEqual([]);
    // The exposer stays gateway-like by its name; the ScrapeConfig was gateway-like only through honorLabels.
    expect(result.messages.filter((m) => m.ruleId === 'single-massive-target').map((m) => m.message)).toEqual(
      [expect.stringContaining('ServiceMonitor/queuefront/exposer/0')],
    );
    const without = lintConfigText(`${exposerMonitor()}---\n${scrapeConfig}`, 'stack.yaml');
    expect(without.messages.filter((m) => m.ruleId === 'single-massive-target')).toHaveLength(2);
  });

  it('overrides reach operator jobs only, not a plain Prometheus configuration', () => {
    const config =
      'scrape_configs:\n  - job_name: pushgateway\n    honor_labels: true\n    static_configs: [{targets: [pg:9091]}]\n';
    const defaults: OperatorDefaults = {
      source: 'Prometheus monitoring/k8s (p.yaml)',
      overrideHonorTimestamps: true,
      enforcedSampleLimit: 1000,
    };
    const result = lintConfigText(config, 'prometheus.yml', {}, undefined, { operatorDefaults: defaults });
    expect(ruleIds(result)).toContain('2 honor-timestamps');
    expect(ruleIds(result)).toContain('2 missing-sample-limit');
  });

  it('spec.scrapeInterval (default 30s) is the interval an endpoint timeout is compared with', () => {
    const monitor = exposerMonitor('      scrapeTimeout: 45s\n');
    expect(ruleIds(lintConfigText(monitor, 'sm.yaml'))).not.toContain('11 scrape-timeout');
    const operatorDefault = lintConfigText(`${prometheus('  replicas: 1\n')}---\n${monitor}`, 's.yaml');
    const finding = operatorDefault.messages.find((m) => m.ruleId === 'scrape-timeout');
    expect(finding && `${finding.line}:${finding.column}`).toBe('18:22');
    expect(finding?.message).toContain('30s (from Prometheus monitoring/k8s (s.yaml), the operator default)');
    const longer = lintConfigText(`${prometheus('  scrapeInterval: 1m\n')}---\n${monitor}`, 's.yaml');
    expect(longer.messages.filter((m) => m.ruleId === 'scrape-timeout')).toEqual([]);
    const shorter = lintConfigText(`${prometheus('  scrapeInterval: 15s\n')}---\n${monitor}`, 's.yaml');
    expect(shorter.messages.find((m) => m.ruleId === 'scrape-timeout')?.message).toContain(
      '15s (from Prometheus monitoring/k8s (s.yaml))',
    );
    const own = lintConfigText(
      `${prometheus('  scrapeInterval: 15s\n')}---\n${exposerMonitor('      interval: 1m\n      scrapeTimeout: 45s\n')}`,
      's.yaml',
    );
    expect(own.messages.filter((m) => m.ruleId === 'scrape-timeout')).toEqual([]);
  });

  it('fields of the wrong type are parse errors at the field, and are ignored', () => {
    const text = `${prometheus('  enforcedSampleLimit: many\n  overrideHonorTimestamps: "yes"\n')}---\n${exposerMonitor()}`;
    const result = lintConfigText(text, 'stack.yaml');
    expect(
      result.messages.filter((m) => m.ruleId === 'parse-error').map((m) => `${m.line}:${m.column}`),
    ).toEqual(['7:24', '8:28']);
    expect(ruleIds(result)).toContain('13 missing-sample-limit');
    expect(ruleIds(result)).toContain('13 honor-timestamps');
  });

  it('a file with only a Prometheus resource is a config (and reports nothing)', () => {
    const text = prometheus('  enforcedSampleLimit: 1000\n');
    expect(detectKind('prometheus.yaml', text)).toBe('config');
    const result = lintConfigText(text, 'prometheus.yaml');
    expect(result.messages).toEqual([]);
    expect(result.model.recognized).toBe(true);
  });
});

describe('global limits and enforcement exclusions of a Prometheus resource', () => {
  const limitFindings = (spec: string, monitor = exposerMonitor()): string[] =>
    ruleIds(lintConfigText(`${prometheus(spec)}---\n${monitor}`, 'stack.yaml')).filter((r) =>
      r.endsWith('missing-sample-limit'),
    );

  it('spec.sampleLimit and spec.bodySizeLimit (global limits every job inherits) satisfy missing-sample-limit', () => {
    expect(limitFindings('  sampleLimit: 50000\n')).toEqual([]);
    expect(limitFindings('  bodySizeLimit: 20MB\n')).toEqual([]);
    expect(limitFindings('  sampleLimit: 0\n  bodySizeLimit: 0B\n')).toEqual(['13 missing-sample-limit']);
    // A monitor's sampleLimit 0 is unset: Prometheus gives the job the global limit.
    expect(
      limitFindings(
        '  sampleLimit: 50000\n',
        exposerMonitor().replace('spec:\n', 'spec:\n  sampleLimit: 0\n'),
      ),
    ).toEqual([]);
  });

  it('a spec.version older than 2.45 has no global limits: the operator drops them', () => {
    expect(limitFindings('  version: v2.44.0\n  sampleLimit: 50000\n')).toEqual(['13 missing-sample-limit']);
    expect(limitFindings('  version: v2.45.0\n  sampleLimit: 50000\n')).toEqual([]);
    expect(limitFindings('  version: 3.1.0\n  bodySizeLimit: 20MB\n')).toEqual([]);
    // The enforced limits are older than the global ones (Prometheus 2.28 for the body size) and still count.
    expect(limitFindings('  version: v2.44.0\n  enforcedSampleLimit: 50000\n')).toEqual([]);
  });

  it('supportsGlobalLimits reads versions as the operator does (v prefix, no version: its recent default)', () => {
    expect(supportsGlobalLimits('v2.44.0')).toBe(false);
    expect(supportsGlobalLimits('2.9.1')).toBe(false);
    expect(supportsGlobalLimits('v2.45.0')).toBe(true);
    expect(supportsGlobalLimits('2.53.1')).toBe(true);
    expect(supportsGlobalLimits('v3.0.0-rc.0')).toBe(true);
    expect(supportsGlobalLimits(undefined)).toBe(true);
    expect(supportsGlobalLimits('latest')).toBe(true);
  });

  it('a wrong type for the global limits is a parse error at the field, and is ignored', () => {
    const result = lintConfigText(`${prometheus('  sampleLimit: lots\n')}---\n${exposerMonitor()}`, 's.yaml');
    expect(
      result.messages.filter((m) => m.ruleId === 'parse-error').map((m) => `${m.line}:${m.column}`),
    ).toEqual(['7:16']);
    expect(ruleIds(result)).toContain('12 missing-sample-limit');
    const old = lintConfigText(
      `${prometheus('  version: v2.40.0\n  bodySizeLimit: [1]\n')}---\n${exposerMonitor()}`,
      's.yaml',
    );
    expect(
      old.messages.filter((m) => m.ruleId === 'parse-error').map((m) => `${m.line}:${m.column}`),
    ).toEqual(['8:18']);
  });

  it('excludedFromEnforcement exempts a monitor from the namespace label only, not from the enforced limits', () => {
    const spec =
      '  enforcedNamespaceLabel: namespace\n  enforcedSampleLimit: 50000\n  excludedFromEnforcement:\n' +
      '    - group: monitoring.coreos.com\n      resource: servicemonitors\n      namespace: queuefront\n      name: exposer\n';
    expect(limitFindings(spec)).toEqual([]);
  });

  it('global limits of a Prometheus resource do not reach a plain Prometheus configuration', () => {
    const config =
      'scrape_configs:\n  - job_name: pushgateway\n    honor_labels: true\n    static_configs: [{targets: [pg:9091]}]\n';
    const defaults: OperatorDefaults = { source: 'Prometheus monitoring/k8s (p.yaml)', sampleLimit: 1000 };
    const result = lintConfigText(config, 'prometheus.yml', {}, undefined, { operatorDefaults: defaults });
    expect(ruleIds(result)).toContain('2 missing-sample-limit');
  });

  it('limitsEveryJob: an enforced or a global limit, non-zero', () => {
    expect(limitsEveryJob(undefined)).toBe(false);
    expect(limitsEveryJob({ source: 'a' })).toBe(false);
    expect(limitsEveryJob({ source: 'a', sampleLimit: 0, bodySizeLimit: '0MB' })).toBe(false);
    expect(limitsEveryJob({ source: 'a', sampleLimit: 1 })).toBe(true);
    expect(limitsEveryJob({ source: 'a', bodySizeLimit: '1KB' })).toBe(true);
    expect(limitsEveryJob({ source: 'a', enforcedBodySizeLimit: '1KB' })).toBe(true);
  });
});

describe('mergeOperatorDefaults', () => {
  const a: OperatorDefaults = {
    source: 'a',
    scrapeInterval: '15s',
    enforcedSampleLimit: 1000,
    overrideHonorTimestamps: true,
    overrideHonorLabels: true,
    enforcedBodySizeLimit: '10MB',
  };
  it('none: undefined; one: itself', () => {
    expect(mergeOperatorDefaults([])).toBeUndefined();
    expect(mergeOperatorDefaults([a])).toBe(a);
  });
  it('several: only what they all agree on, the largest enforced limit', () => {
    expect(mergeOperatorDefaults([a, { ...a, source: 'b', enforcedSampleLimit: 5000 }])).toEqual({
      ...a,
      source: '2 Prometheus resources',
      enforcedSampleLimit: 5000,
    });
    expect(mergeOperatorDefaults([a, { source: 'b' }])).toEqual({ source: '2 Prometheus resources' });
    expect(
      mergeOperatorDefaults([
        { source: 'a', sampleLimit: 1000, bodySizeLimit: '10MB' },
        { source: 'b', sampleLimit: 5000, bodySizeLimit: '20MB' },
      ]),
    ).toEqual({
      source: '2 Prometheus resources',
      scrapeInterval: '30s',
      sampleLimit: 5000,
      bodySizeLimit: '10MB',
    });
    expect(mergeOperatorDefaults([{ source: 'a', sampleLimit: 1000 }, { source: 'b' }])).toEqual({
      source: '2 Prometheus resources',
      scrapeInterval: '30s',
    });
    expect(mergeOperatorDefaults([{ source: 'a' }, { source: 'b', scrapeInterval: '30s' }])).toEqual({
      source: '2 Prometheus resources',
      scrapeInterval: '30s',
    });
  });
});

describe('Prometheus resources across the files of one run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scrapelint-operator-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'a-monitor.yaml'), exposerMonitor());
  writeFileSync(
    join(dir, 'z-prometheus.yaml'),
    prometheus('  enforcedSampleLimit: 50000\n  overrideHonorTimestamps: true\n'),
  );

  const run = async (paths: string[]): Promise<string[]> => {
    const result = await lintCommand({ paths, cwd: dir, format: 'json', color: false, noConfig: true });
    return result.results.flatMap((r) =>
      r.messages.map((m) => `${r.filePath.replace(`${dir}/`, '')} ${m.ruleId}`),
    );
  };

  it('a Prometheus resource in a later file applies to a monitor read earlier', async () => {
    expect(await run(['a-monitor.yaml', 'z-prometheus.yaml'])).toEqual([
      'a-monitor.yaml missing-up-series',
      'a-monitor.yaml single-massive-target',
    ]);
    expect(await run(['.'])).toEqual([
      'a-monitor.yaml missing-up-series',
      'a-monitor.yaml single-massive-target',
    ]);
  });

  it('linted alone, the monitor gets no defaults', async () => {
    expect(await run(['a-monitor.yaml'])).toEqual([
      'a-monitor.yaml honor-timestamps',
      'a-monitor.yaml missing-sample-limit',
      'a-monitor.yaml missing-up-series',
      'a-monitor.yaml single-massive-target',
    ]);
  });
});
