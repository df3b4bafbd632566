import { testRule } from '../rule-tester.js';
import rule from './missing-sample-limit.js';

const gw = (extra: string, global = ''): string =>
  `${global}scrape_configs:\n  - job_name: exposer\n${extra}    static_configs: [{targets: [exposer:8080]}]\n`;

testRule(rule, {
  valid: [
    gw('    sample_limit: 50000\n'),
    gw('    body_size_limit: 20MB\n'),
    gw('', 'global:\n  sample_limit: 10000\n'),
    gw('', 'global:\n  body_size_limit: 50MB\n'),
    {
      name: "a job's 0 is unset: it inherits the global limit",
      code: gw('    sample_limit: 0\n', 'global:\n  sample_limit: 10000\n'),
    },
    {
      name: 'a job without a sample limit inherits the global one beside its own zero body size',
      code: gw('    body_size_limit: 0\n', 'global:\n  sample_limit: 10000\n'),
    },
    { name: 'not gateway-like', code: 'scrape_configs:\n  - job_name: node\n' },
    {
      name: 'operator sampleLimit',
      code: 'apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: exposer}\nspec:\n  sampleLimit: 1000\n  endpoints: [{port: web}]\n',
    },
  ],
  invalid: [
    { code: gw(''), errors: [{ messageId: 'noLimit', line: 2, column: 15, endLine: 2, endColumn: 22 }] },
    {
      name: 'zero limits mean no limit',
      code: gw('    sample_limit: 0\n    body_size_limit: 0MB\n'),
      errors: [{ messageId: 'noLimit', line: 3, column: 19, endLine: 3, endColumn: 20 }],
    },
    {
      name: 'zero everywhere: no limit',
      code: gw('    sample_limit: 0\n', 'global:\n  sample_limit: 0\n  body_size_limit: 0B\n'),
      errors: [{ messageId: 'noLimit', line: 6, column: 19, endLine: 6, endColumn: 20 }],
    },
    {
      name: 'operator resource',
      code: 'apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: exposer}\nspec:\n  endpoints: [{port: web}]\n',
      errors: [
        {
          messageId: 'noLimit',
          line: 3,
          column: 18,
          endLine: 3,
          endColumn: 25,
          messageIncludes: 'sampleLimit or bodySizeLimit',
        },
      ],
    },
  ],
});
