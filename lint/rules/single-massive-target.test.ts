import { describe, expect, it } from 'vitest';
import { testRule } from '../rule-tester.js';
import rule from './single-massive-target.js';

const lines = (count: number, make: (i: number) => string): string =>
  Array.from({ length: count }, (_, i) => make(i)).join('');

testRule(rule, {
  valid: [
    'scrape_configs:\n  - job_name: node\n    static_configs: [{targets: [a:9100, b:9100]}]\n',
    {
      name: 'honor_labels with service discovery',
      code: 'scrape_configs:\n  - job_name: apps\n    honor_labels: true\n    kubernetes_sd_configs: [{role: pod}]\n',
    },
    { name: 'a small exposition', kind: 'exposition', code: '# TYPE up gauge\nup 1\nup{instance="b"} 1\n' },
    {
      name: 'under a raised threshold',
      kind: 'exposition',
      options: { warnSamples: 20, errorSamples: 30 },
      code: lines(19, (i) => `m{i="${i}"} 1\n`),
    },
  ],
  invalid: [
    {
      name: 'pushgateway job',
      code: 'scrape_configs:\n  - job_name: pushgateway\n    honor_labels: true\n    static_configs: [{targets: [pg:9091]}]\n',
      errors: [
        {
          messageId: 'gatewayJob',
          line: 2,
          column: 15,
          endLine: 2,
          endColumn: 26,
          messageIncludes: "port 9091, the Pushgateway's",
        },
      ],
    },
    {
      name: 'ServiceMonitor of an exposer',
      code: 'apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata:\n  name: kafka-exposer\nspec:\n  endpoints:\n    - port: http\n',
      errors: [
        {
          messageId: 'gatewayJob',
          line: 4,
          column: 9,
          endLine: 4,
          endColumn: 22,
          messageIncludes: 'ServiceMonitor/default/kafka-exposer/0',
        },
      ],
    },
    {
      name: 'sample count at the warning threshold, pointing at the sample that crossed it',
      kind: 'exposition',
      options: { warnSamples: 3, errorSamples: 5 },
      code: '# TYPE m gauge\nm{i="0"} 1\nm{i="1"} 1\nm{i="2"} 1\n',
      errors: [
        {
          messageId: 'tooManySamples',
          line: 4,
          column: 1,
          endLine: 4,
          endColumn: 2,
          severity: 'warn',
          messageIncludes: '3 samples behind one target',
        },
      ],
    },
    {
      name: 'sample count at the error threshold',
      kind: 'exposition',
      options: { warnSamples: 2, errorSamples: 4 },
      code: lines(5, (i) => `m{i="${i}"} 1\n`),
      errors: [
        {
          messageId: 'tooManySamples',
          line: 4,
          column: 1,
          endLine: 4,
          endColumn: 2,
          severity: 'error',
          messageIncludes: 'threshold 4',
        },
      ],
    },
    {
      name: 'body size',
      kind: 'exposition',
      options: { warnBytes: 10, errorBytes: 1000 },
      code: 'a_metric_with_a_long_name 1\n',
      errors: [
        {
          messageId: 'largeBody',
          line: 1,
          column: 1,
          endLine: 1,
          endColumn: 1,
          messageIncludes: '28 characters',
        },
      ],
    },
  ],
});

describe('single-massive-target options', () => {
  it('refuses an error threshold below the warning threshold', () => {
    expect(rule.meta.schema.safeParse({ warnSamples: 10, errorSamples: 5 }).success).toBe(false);
    expect(rule.meta.schema.safeParse({ warnSamples: 0 }).success).toBe(false);
    expect(rule.meta.schema.safeParse({ typo: 1 }).success).toBe(false);
    expect(rule.meta.schema.parse({})).toEqual({
      warnSamples: 10_000,
      errorSamples: 100_000,
      warnBytes: 5_000_000,
      errorBytes: 50_000_000,
    });
  });
});
