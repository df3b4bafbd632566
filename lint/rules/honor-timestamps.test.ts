import { testRule } from '../rule-tester.js';
import rule from './honor-timestamps.js';

const gw = (extra: string): string =>
  `scrape_configs:\n  - job_name: pushgateway\n    honor_labels: true\n${extra}    static_configs: [{targets: [pg:9091]}]\n`;

testRule(rule, {
  valid: [
    gw('    honor_timestamps: false\n'),
    gw('    track_timestamps_staleness: true\n'),
    {
      name: 'not gateway-like',
      code: 'scrape_configs:\n  - job_name: node\n    static_configs: [{targets: [a:9100]}]\n',
    },
  ],
  invalid: [
    {
      name: 'default honor_timestamps',
      code: gw(''),
      errors: [
        {
          messageId: 'keepsTimestamps',
          line: 2,
          column: 15,
          endLine: 2,
          endColumn: 26,
          messageIncludes: 'true (the default)',
        },
      ],
    },
    {
      name: 'explicit honor_timestamps: true',
      code: gw('    honor_timestamps: true\n    track_timestamps_staleness: false\n'),
      errors: [{ messageId: 'keepsTimestamps', line: 4, column: 23, endLine: 4, endColumn: 27 }],
    },
    {
      name: 'operator names',
      code: 'apiVersion: monitoring.coreos.com/v1\nkind: PodMonitor\nmetadata: {name: exposer}\nspec:\n  podMetricsEndpoints: [{port: web}]\n',
      errors: [
        {
          messageId: 'keepsTimestamps',
          line: 3,
          column: 18,
          endLine: 3,
          endColumn: 25,
          messageIncludes: 'trackTimestampsStaleness',
        },
      ],
    },
  ],
});
