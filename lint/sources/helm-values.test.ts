/**
 * kube-prometheus-stack values files (lint/sources/config.ts `readHelmValues`): detection, additionalScrapeConfigs
 * linted as jobs at their place in the values file, prometheusSpec read as the Prometheus resource the chart
 * renders, the chart's additional monitors, and bad shapes.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { lintCommand } from '../commands/lint.js';
import { lintConfigText } from '../config-engine.js';
import type { FileResult } from '../types.js';
import { detectKind } from './detect.js';

/** `line:column ruleId "covered text"` of each finding (single-line findings). */
function shown(text: string, result: FileResult): string[] {
  const lines = text.split('\n');
  return result.messages.map((m) => {
    const covered =
      m.line === m.endLine ? ` "${(lines[m.line - 1] ?? '').slice(m.column - 1, m.endColumn - 1)}"` : '';
    return `${m.line}:${m.column} ${m.ruleId}${covered}`;
  });
}

const values = (spec: string, extra = ''): string =>
  `grafana:\n  enabled: false\nprometheus:\n  enabled: true\n  prometheusSpec:\n${spec}${extra}`;

const pushgatewayJobs = [
  '    additionalScrapeConfigs:',
  '      - job_name: kubernetes-pods',
  '        kubernetes_sd_configs: [{ role: pod }]',
  '      - job_name: batch',
  '        honor_labels: true',
  '        static_configs:',
  "          - targets: ['pushgateway.monitoring:9091']",
  '',
].join('\n');

const GATEWAY_RULES = [
  'honor-timestamps',
  'missing-sample-limit',
  'missing-up-series',
  'single-massive-target',
];

describe('kube-prometheus-stack values: detection', () => {
  it('is a config when prometheus.prometheusSpec holds a field scrapelint reads', () => {
    expect(detectKind('values.yaml', values(pushgatewayJobs))).toBe('config');
    expect(detectKind('values.yaml', values('    sampleLimit: 10000\n'))).toBe('config');
    expect(detectKind('values.yaml', values('    retention: 30d\n', '  additionalPodMonitors: []\n'))).toBe(
      'config',
    );
  });
  it('is skipped when it holds nothing scrape-related, like other YAML', () => {
    expect(detectKind('values.yaml', values('    retention: 30d\n'))).toBeUndefined();
    expect(detectKind('values.yaml', 'prometheus:\n  enabled: true\n')).toBeUndefined();
    // The key nested deeper (another chart's prometheus section) is not the values file's.
    expect(
      detectKind('values.yaml', 'other:\n  prometheus:\n    prometheusSpec:\n      sampleLimit: 1\n'),
    ).toBe(undefined);
  });
  it('a values file with a top-level global: (the chart has one, for rbac) is read as values, not as a Prometheus config', () => {
    const text = `global:\n  rbac:\n    create: true\n${values(pushgatewayJobs)}`;
    const { model } = lintConfigText(text, 'values.yaml');
    expect(model.jobs.map((j) => j.name.value)).toEqual(['kubernetes-pods', 'batch']);
    expect(model.prometheusResources.map((p) => p.name.value)).toEqual(['prometheus.prometheusSpec']);
  });
});

describe('kube-prometheus-stack values: additionalScrapeConfigs', () => {
  it('a Pushgateway job gets the gateway findings at its job_name in the values file', () => {
    const text = values(pushgatewayJobs);
    const result = lintConfigText(text, 'values.yaml');
    expect(shown(text, result)).toEqual(GATEWAY_RULES.map((rule) => `9:19 ${rule} "batch"`));
    expect(result.model.jobs.map((j) => [j.name.value, j.origin])).toEqual([
      ['kubernetes-pods', 'prometheus'],
      ['batch', 'prometheus'],
    ]);
  });

  it('suppression comments of the values file apply to its jobs', () => {
    const text = values(
      pushgatewayJobs.replace(
        '      - job_name: batch',
        '      # scrapelint disable-next-line single-massive-target -- batch jobs, by design\n      - job_name: batch',
      ),
    );
    const result = lintConfigText(text, 'values.yaml');
    expect(result.messages.map((m) => m.ruleId)).toEqual(
      GATEWAY_RULES.filter((r) => r !== 'single-massive-target'),
    );
    expect(result.suppressedMessages.map((m) => `${m.line}:${m.column} ${m.ruleId}`)).toEqual([
      '10:19 single-massive-target',
    ]);
  });

  it('prometheusSpec.sampleLimit (or bodySizeLimit) becomes the global limit and satisfies missing-sample-limit', () => {
    for (const limit of ['    sampleLimit: 50000\n', '    bodySizeLimit: 10MB\n']) {
      const text = values(limit + pushgatewayJobs);
      const rules = lintConfigText(text, 'values.yaml').messages.map((m) => m.ruleId);
      expect(rules).not.toContain('missing-sample-limit');
      expect(rules).toContain('single-massive-target');
    }
  });

  it('not for a Prometheus older than 2.45 (spec.version), whose operator drops global limits', () => {
    const text = values(`    version: v2.44.0\n    sampleLimit: 50000\n${pushgatewayJobs}`);
    expect(lintConfigText(text, 'values.yaml').messages.map((m) => m.ruleId)).toContain(
      'missing-sample-limit',
    );
  });

  it('the chart\'s own defaults (sampleLimit: false, scrapeInterval: "") are unset, not errors', () => {
    const text = values(
      `    scrapeInterval: ""\n    scrapeTimeout: ""\n    sampleLimit: false\n    enforcedSampleLimit: false\n    overrideHonorTimestamps: false\n${pushgatewayJobs}`,
    );
    const result = lintConfigText(text, 'values.yaml');
    expect(result.messages.map((m) => m.ruleId)).toEqual(GATEWAY_RULES);
    expect(result.model.prometheusResources[0]?.defaults).toEqual({
      source: 'kube-prometheus-stack values prometheus.prometheusSpec (values.yaml)',
    });
  });

  it('enforcedSampleLimit and overrideHonorTimestamps do not reach additionalScrapeConfigs (the operator appends them as written)', () => {
    const text = values(
      `    enforcedSampleLimit: 1000\n    overrideHonorTimestamps: true\n${pushgatewayJobs}`,
    );
    expect(lintConfigText(text, 'values.yaml').messages.map((m) => m.ruleId)).toEqual(GATEWAY_RULES);
  });

  it('scrape-timeout checks the spec as it checks a Prometheus resource', () => {
    const text = values('    scrapeInterval: 15s\n    scrapeTimeout: 20s\n');
    expect(shown(text, lintConfigText(text, 'values.yaml'))).toEqual(['7:20 scrape-timeout "20s"']);
  });
});

describe('kube-prometheus-stack values: additional monitors and the Prometheus spec', () => {
  const monitors = [
    '  additionalServiceMonitors:',
    '    - name: pushgateway',
    '      selector: { matchLabels: { app: pushgateway } }',
    '      endpoints:',
    '        - port: "9091"',
    '          honorLabels: true',
    '  additionalPodMonitors:',
    '    - name: app',
    '      podMetricsEndpoints: [{ port: http }]',
    '',
  ].join('\n');

  it('are read as operator monitors and get the gateway findings', () => {
    const text = values('    retention: 30d\n', monitors);
    const result = lintConfigText(text, 'values.yaml');
    expect(result.model.jobs.map((j) => [j.name.value, j.origin])).toEqual([
      ['ServiceMonitor/pushgateway/0', 'ServiceMonitor'],
      ['PodMonitor/app/0', 'PodMonitor'],
    ]);
    // At the monitor's name, as for a ServiceMonitor resource.
    expect(shown(text, result)).toEqual(GATEWAY_RULES.map((r) => `8:13 ${r} "pushgateway"`));
  });

  it("take prometheusSpec's enforced limit and overrides, as monitors take a Prometheus resource's", () => {
    const text = values('    enforcedSampleLimit: 5000\n    overrideHonorTimestamps: true\n', monitors);
    const rules = lintConfigText(text, 'values.yaml').messages.map((m) => m.ruleId);
    expect(rules).not.toContain('missing-sample-limit');
    expect(rules).not.toContain('honor-timestamps');
    const labels = values('    overrideHonorLabels: true\n', monitors);
    // honorLabels turned off: only the port says Pushgateway; the rules keyed to it still speak.
    expect(
      lintConfigText(labels, 'values.yaml').model.prometheusResources[0]?.defaults.overrideHonorLabels,
    ).toBe(true);
  });

  describe('across the files of a run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scrapelint-values-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'values.yaml'), values('    enforcedSampleLimit: 5000\n'));
    writeFileSync(
      join(dir, 'monitor.yaml'),
      [
        'apiVersion: monitoring.coreos.com/v1',
        'kind: ServiceMonitor',
        'metadata: { name: pushgateway, namespace: monitoring }',
        'spec:',
        '  endpoints:',
        '    - port: "9091"',
        '      honorLabels: true',
        '',
      ].join('\n'),
    );
    writeFileSync(join(dir, 'nothing.yaml'), values('    retention: 30d\n'));

    it("a ServiceMonitor in another file takes the values file's enforcedSampleLimit", async () => {
      const run = await lintCommand({ paths: ['.'], cwd: dir, format: 'json', color: false, noConfig: true });
      const monitor = run.results.find((r) => r.filePath.endsWith('monitor.yaml'));
      expect(monitor?.messages.map((m) => m.ruleId)).not.toContain('missing-sample-limit');
      expect(monitor?.messages.map((m) => m.ruleId)).toContain('missing-up-series');
      // The values file without scrape settings is skipped in the walk, as other YAML is.
      expect(run.results.map((r) => r.filePath.replace(/.*[\\/]/, '')).sort()).toEqual([
        'monitor.yaml',
        'values.yaml',
      ]);
    });

    it('a values file without scrape settings, named under config, is a parse-error saying so', async () => {
      const run = await lintCommand({
        paths: ['nothing.yaml'],
        only: 'config',
        cwd: dir,
        format: 'json',
        color: false,
        noConfig: true,
      });
      expect(run.exitCode).toBe(1);
      expect(run.results[0]?.messages).toMatchObject([
        {
          ruleId: 'parse-error',
          line: 3,
          column: 1,
          message: expect.stringContaining(
            'kube-prometheus-stack values file with nothing to scrape-check',
          ) as string,
        },
      ]);
    });
  });
});

describe('kube-prometheus-stack values: bad shapes are parse-errors with positions, never crashes', () => {
  const cases: [string, string, string[]][] = [
    [
      'additionalScrapeConfigs not a list',
      values('    additionalScrapeConfigs: { job_name: x }\n'),
      ['6:30 prometheus.prometheusSpec.additionalScrapeConfigs must be a list of scrape configs'],
    ],
    [
      'additionalScrapeConfigs a (templated) string',
      values('    additionalScrapeConfigs: "- job_name: x"\n'),
      [
        '6:30 prometheus.prometheusSpec.additionalScrapeConfigs is a string (the chart passes it through tpl)',
      ],
    ],
    [
      'a job that is not a mapping',
      values('    additionalScrapeConfigs:\n      - pushgateway:9091\n      - job_name: ok\n'),
      ['7:9 prometheus.prometheusSpec.additionalScrapeConfigs entry 1 must be a mapping'],
    ],
    [
      'a job without job_name',
      values('    additionalScrapeConfigs:\n      - static_configs: []\n'),
      ['7:9 scrape config 1 has no job_name'],
    ],
    [
      'prometheusSpec a scalar',
      values('    7\n').replace('prometheusSpec:\n    7', 'prometheusSpec: 7'),
      ['5:19 prometheus.prometheusSpec must be a mapping', '5:19 not a single value'],
    ],
    [
      'prometheusSpec a list',
      values('    - sampleLimit: 1\n'),
      ['6:5 prometheus.prometheusSpec must be a mapping'],
    ],
    [
      'a limit that is not a number',
      values('    sampleLimit: lots\n'),
      ["6:18 'sampleLimit' must be a non-negative integer"],
    ],
    [
      'a monitor that is not a mapping',
      values('    retention: 1d\n', '  additionalServiceMonitors:\n    - pushgateway\n'),
      ['8:7 prometheus.additionalServiceMonitors entry 1 must be a mapping'],
    ],
  ];
  for (const [what, text, expected] of cases) {
    it(what, () => {
      const result = lintConfigText(text, 'values.yaml', {}, undefined, { requireConfig: true });
      const errors = result.messages.filter((m) => m.ruleId === 'parse-error');
      for (const want of expected) {
        const [at, ...words] = want.split(' ');
        expect(
          errors.some((m) => `${m.line}:${m.column}` === at && m.message.includes(words.join(' '))),
          `${want} in ${JSON.stringify(errors.map((m) => `${m.line}:${m.column} ${m.message}`))}`,
        ).toBe(true);
      }
    });
  }
});

describe("a values file in the shape of kube-prometheus-stack's own (fixtures/real-world)", () => {
  const path = fileURLToPath(
    new URL('../../fixtures/real-world/configs/kube-prometheus-stack-values.yaml', import.meta.url),
  );
  const text = readFileSync(path, 'utf8');

  it('is read as a values file whose defaults set nothing, without errors', () => {
    const { model, messages } = lintConfigText(text, 'values.yaml', {}, undefined, { requireConfig: true });
    expect(messages).toEqual([]);
    expect(model.jobs).toEqual([]);
    expect(model.global).toEqual({});
    expect(model.prometheusResources.map((p) => [p.name.value, p.defaults])).toEqual([
      [
        'prometheus.prometheusSpec',
        { source: 'kube-prometheus-stack values prometheus.prometheusSpec (values.yaml)' },
      ],
    ]);
  });

  it('with a Pushgateway job added under additionalScrapeConfigs, that job is reported at its line', () => {
    const edited = text.replace(
      '    additionalScrapeConfigs: []\n',
      "    additionalScrapeConfigs:\n      - job_name: pushgateway\n        honor_labels: true\n        static_configs: [{ targets: ['pushgateway:9091'] }]\n",
    );
    const line = edited.split('\n').indexOf('      - job_name: pushgateway') + 1;
    expect(line).toBeGreaterThan(0);
    expect(shown(edited, lintConfigText(edited, 'values.yaml'))).toEqual(
      GATEWAY_RULES.map((rule) => `${line}:19 ${rule} "pushgateway"`),
    );
  });
});

describe('kube-prometheus-stack values: any value in any place', () => {
  it('never throws, and every finding has a position inside the file', () => {
    const anyValue = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.array(
        fc.record({ job_name: fc.jsonValue({ maxDepth: 1 }), honor_labels: fc.jsonValue({ maxDepth: 1 }) }),
        {
          maxLength: 3,
        },
      ),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(
          'prometheusSpec',
          'additionalScrapeConfigs',
          'sampleLimit',
          'scrapeInterval',
          'monitors',
        ),
        anyValue,
        (where, value) => {
          const doc =
            where === 'prometheusSpec'
              ? { prometheus: { prometheusSpec: value } }
              : where === 'monitors'
                ? {
                    prometheus: {
                      prometheusSpec: {},
                      additionalServiceMonitors: value,
                      additionalPodMonitors: value,
                    },
                  }
                : { prometheus: { prometheusSpec: { [where]: value } } };
          const text = stringify(doc);
          const lines = text.split('\n').length;
          const result = lintConfigText(text, 'values.yaml', {}, undefined, { requireConfig: true });
          for (const m of result.messages) {
            expect(m.line).toBeGreaterThanOrEqual(1);
            expect(m.line).toBeLessThanOrEqual(lines);
            expect(m.column).toBeGreaterThanOrEqual(1);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('kube-prometheus-stack values: the interval additionalScrapeConfigs jobs inherit', () => {
  const job = (fields: string): string =>
    [
      '    additionalScrapeConfigs:',
      '      - job_name: slow',
      '        kubernetes_sd_configs: [{ role: pod }]',
      fields,
      '',
    ].join('\n');
  const timeouts = (text: string): string[] =>
    lintConfigText(text, 'values.yaml')
      .messages.filter((m) => m.ruleId === 'scrape-timeout')
      .map((m) => `${m.line}:${m.column} ${m.message}`);

  it("is the operator's 30s default, not Prometheus' 1m: a 45s timeout is greater", () => {
    const text = values(job('        scrape_timeout: 45s'));
    expect(timeouts(text)).toEqual([
      '9:25 Scrape timeout 45s is greater than the scrape interval 30s (the operator default, as no prometheusSpec.scrapeInterval is set) of job "slow": Prometheus refuses the file ("scrape timeout greater than scrape interval").',
    ]);
  });

  it('is prometheusSpec.scrapeInterval when it is set', () => {
    expect(timeouts(values(`    scrapeInterval: 1m\n${job('        scrape_timeout: 45s')}`))).toEqual([]);
    expect(timeouts(values(`    scrapeInterval: 20s\n${job('        scrape_timeout: 25s')}`))).toEqual([
      expect.stringContaining('the scrape interval 20s (from prometheusSpec.scrapeInterval) of job "slow"'),
    ]);
  });

  it("does not replace the job's own scrape_interval", () => {
    expect(timeouts(values(job('        scrape_interval: 1m\n        scrape_timeout: 45s')))).toEqual([]);
  });
});
