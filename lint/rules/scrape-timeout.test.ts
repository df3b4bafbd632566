import { testRule } from '../rule-tester.js';
import rule from './scrape-timeout.js';

testRule(rule, {
  valid: [
    'scrape_configs:\n  - job_name: a\n    scrape_interval: 30s\n    scrape_timeout: 30s\n',
    'global:\n  scrape_interval: 15s\nscrape_configs:\n  - job_name: a\n',
    {
      name: 'global timeout above the job interval is clamped by Prometheus',
      code: 'global:\n  scrape_timeout: 20s\nscrape_configs:\n  - job_name: a\n    scrape_interval: 5s\n',
    },
    'scrape_configs:\n  - job_name: a\n    scrape_interval: 1m30s\n    scrape_timeout: 1m\n',
    {
      name: 'operator timeout without interval is not compared',
      code: 'apiVersion: monitoring.coreos.com/v1\nkind: PodMonitor\nmetadata: {name: p}\nspec:\n  podMetricsEndpoints:\n    - port: m\n      scrapeTimeout: 45s\n',
    },
    {
      name: 'a Prometheus resource within its interval',
      code: 'apiVersion: monitoring.coreos.com/v1\nkind: Prometheus\nmetadata: {name: k8s}\nspec:\n  scrapeInterval: 1m\n  scrapeTimeout: 20s\n',
    },
    {
      name: 'a longer lookback',
      code: 'scrape_configs:\n  - job_name: a\n    scrape_interval: 10m\n',
      options: { lookback: '15m' },
    },
  ],
  invalid: [
    {
      name: 'a Prometheus resource whose timeout exceeds its interval (and one with only a timeout over the 30s default)',
      code: 'apiVersion: monitoring.coreos.com/v1\nkind: Prometheus\nmetadata: {name: k8s}\nspec:\n  scrapeInterval: 15s\n  scrapeTimeout: 20s\n---\napiVersion: monitoring.coreos.com/v1\nkind: Prometheus\nmetadata: {name: other}\nspec:\n  scrapeTimeout: 45s\n',
      errors: [
        {
          messageId: 'resourceTimeoutGreater',
          line: 6,
          column: 18,
          endLine: 6,
          endColumn: 21,
          messageIncludes:
            'spec.scrapeTimeout 20s of Prometheus "k8s" is greater than its spec.scrapeInterval 15s',
        },
        {
          messageId: 'resourceTimeoutGreater',
          line: 12,
          column: 18,
          endLine: 12,
          endColumn: 21,
          messageIncludes: '30s (the operator default)',
        },
      ],
    },
    {
      name: 'a Prometheus resource with an invalid interval',
      code: 'apiVersion: monitoring.coreos.com/v1\nkind: Prometheus\nmetadata: {name: k8s}\nspec:\n  scrapeInterval: 15 seconds\n  scrapeTimeout: 20s\n',
      errors: [{ messageId: 'invalidDuration', line: 5, column: 19, endLine: 5, endColumn: 29 }],
    },
    {
      name: 'job timeout greater than its interval',
      code: 'scrape_configs:\n  - job_name: a\n    scrape_interval: 10s\n    scrape_timeout: 15s\n',
      errors: [
        {
          messageId: 'timeoutGreater',
          line: 4,
          column: 21,
          endLine: 4,
          endColumn: 24,
          severity: 'error',
          messageIncludes: 'refuses',
        },
      ],
    },
    {
      name: 'job timeout greater than the inherited global interval',
      code: 'global:\n  scrape_interval: 10s\nscrape_configs:\n  - job_name: a\n    scrape_timeout: 11s\n',
      errors: [
        {
          messageId: 'timeoutGreater',
          line: 5,
          column: 21,
          endLine: 5,
          endColumn: 24,
          messageIncludes: '10s (inherited)',
        },
      ],
    },
    {
      name: 'global timeout greater than global interval',
      code: 'global:\n  scrape_interval: 10s\n  scrape_timeout: 1m\n',
      errors: [{ messageId: 'globalTimeoutGreater', line: 3, column: 19, endLine: 3, endColumn: 21 }],
    },
    {
      name: 'invalid durations',
      code: 'global:\n  scrape_interval: 1.5m\nscrape_configs:\n  - job_name: a\n    scrape_interval: 30\n    scrape_timeout: 1s1m\n',
      errors: [
        { messageId: 'invalidDuration', line: 2, column: 20, endLine: 2, endColumn: 24 },
        { messageId: 'invalidDuration', line: 5, column: 22, endLine: 5, endColumn: 24 },
        { messageId: 'invalidDuration', line: 6, column: 21, endLine: 6, endColumn: 25 },
      ],
    },
    {
      name: 'interval longer than the lookback is a warning',
      code: 'scrape_configs:\n  - job_name: slow\n    scrape_interval: 10m\n    scrape_timeout: 30s\n',
      errors: [
        {
          messageId: 'intervalOverLookback',
          line: 3,
          column: 22,
          endLine: 3,
          endColumn: 25,
          severity: 'warn',
        },
      ],
    },
    {
      name: 'operator endpoint with both set',
      code: 'apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: s}\nspec:\n  endpoints:\n    - port: m\n      interval: 10s\n      scrapeTimeout: 20s\n',
      errors: [{ messageId: 'timeoutGreater', line: 8, column: 22, endLine: 8, endColumn: 25 }],
    },
  ],
});
