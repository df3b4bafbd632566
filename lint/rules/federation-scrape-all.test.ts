import { describe, expect, it } from 'vitest';
import { testRule } from '../rule-tester.js';
import rule, { selectsEverything } from './federation-scrape-all.js';

const federate = (match: string): string =>
  `scrape_configs:\n  - job_name: federate\n    honor_labels: true\n    metrics_path: /federate\n    params:\n      'match[]':\n        - '${match}'\n    static_configs:\n      - targets: [source:9090]\n`;

testRule(rule, {
  valid: [
    federate('{__name__=~"job:.+"}'),
    federate('{job="node"}'),
    federate('up'),
    {
      name: 'not a federation job',
      code: "scrape_configs:\n  - job_name: a\n    params:\n      'match[]': ['{__name__=~\".+\"}']\n",
    },
  ],
  invalid: [
    {
      code: federate('{__name__=~".+"}'),
      errors: [{ messageId: 'selectsAll', line: 7, column: 11, endLine: 7, endColumn: 29 }],
    },
    {
      code: federate('{job=~".*"}'),
      errors: [{ messageId: 'selectsAll', line: 7, column: 11, endLine: 7, endColumn: 24 }],
    },
    {
      name: 'operator ScrapeConfig',
      code: 'apiVersion: monitoring.coreos.com/v1alpha1\nkind: ScrapeConfig\nmetadata: {name: f}\nspec:\n  metricsPath: /federate\n  params:\n    match[]: [\'{__name__!=""}\']\n',
      errors: [{ messageId: 'selectsAll', line: 7, column: 15, endLine: 7, endColumn: 31 }],
    },
  ],
});

describe('selectsEverything', () => {
  it.each([
    '{__name__=~".+"}',
    '{__name__=~".*"}',
    '{job=~".+"}',
    "{job=~'.*'}",
    '{__name__!=""}',
    '{}',
    '{ __name__ =~ ".+" , job=~".*" }',
    '{job!~""}',
  ])('%s selects everything', (s) => expect(selectsEverything(s)).toBe(true));
  it.each([
    'up',
    '{job="a"}',
    '{__name__=~"job:.+"}',
    '{__name__=~".+", job="a"}',
    '{job!="a"}',
    'up{job=~".+"}',
    '{job=~"("}',
    '{job=~".+"',
    'garbage',
  ])('%s restricts', (s) => expect(selectsEverything(s)).toBe(false));
});
