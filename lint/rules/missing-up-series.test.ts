import { testRule } from '../rule-tester.js';
import rule from './missing-up-series.js';

testRule(rule, {
  valid: [
    'scrape_configs:\n  - job_name: node\n    static_configs: [{targets: [a:9100]}]\n',
    {
      name: 'an API gateway is an app like any other: its own up tells whether it answers',
      code: 'scrape_configs:\n  - job_name: api-gateway\n    kubernetes_sd_configs: [{role: pod}]\n',
    },
    { kind: 'exposition', code: 'up 1\nhttp_requests_total{code="200"} 3\n' },
    {
      name: 'one source named in every sample',
      kind: 'exposition',
      code: 'a{job="x",instance="i"} 1\nb{job="x",instance="i"} 2\n',
    },
    {
      name: 'custom source labels',
      kind: 'exposition',
      options: { sourceLabels: ['app'] },
      code: 'a{job="x"} 1\nb{job="y"} 2\n',
    },
  ],
  invalid: [
    {
      code: 'scrape_configs:\n  - job_name: aggregation-gateway\n    static_configs: [{targets: [agg:80]}]\n',
      errors: [
        {
          messageId: 'gatewayJob',
          line: 2,
          column: 15,
          endLine: 2,
          endColumn: 34,
          messageIncludes: 'no `up` of their own',
        },
      ],
    },
    {
      name: 'two jobs behind one target',
      kind: 'exposition',
      code: '# TYPE a gauge\na{job="checkout",instance="c1"} 1\na{job="billing",instance="b1"} 1\na{job="checkout",instance="c1"} 2\n',
      errors: [
        {
          messageId: 'manySources',
          line: 3,
          column: 3,
          endLine: 3,
          endColumn: 16,
          messageIncludes: 'from 2 sources',
        },
      ],
    },
    {
      name: 'examples show only the labels a sample has',
      kind: 'exposition',
      code: 'a{instance="x"} 1\nb{instance="y",job="j"} 1\n',
      errors: [
        {
          messageId: 'manySources',
          line: 2,
          column: 16,
          endLine: 2,
          endColumn: 23,
          messageIncludes: 'e.g. {instance="x"} and {job="j",instance="y"}',
        },
      ],
    },
    {
      name: 'a sample without source labels between two of one source does not make a source of empty values',
      kind: 'exposition',
      code: 'a{job="",instance=""} 1\nb 1\nc{job="",instance=""} 1\nd{job="j"} 1\n',
      errors: [
        {
          messageId: 'manySources',
          line: 4,
          column: 3,
          endLine: 4,
          endColumn: 10,
          messageIncludes: '2 sources',
        },
      ],
    },
    {
      name: 'consecutive samples of one source count once, a return to an earlier source adds nothing',
      kind: 'exposition',
      options: { minSources: 3 },
      code: 'a{job="x"} 1\nb{job="x"} 1\nc{job="y"} 1\nd{job="x"} 1\n',
      errors: [],
    },
    {
      name: 'counting stops at the cap',
      kind: 'exposition',
      options: { maxTracked: 3 },
      code: 'a{instance="1"} 1\na{instance="2"} 1\na{instance="3"} 1\na{instance="4"} 1\n',
      errors: [
        {
          messageId: 'manySources',
          line: 2,
          column: 3,
          endLine: 2,
          endColumn: 15,
          messageIncludes: 'at least 3',
        },
      ],
    },
  ],
});
