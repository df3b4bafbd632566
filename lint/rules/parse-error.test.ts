import { testRule } from '../rule-tester.js';
import rule from './parse-error.js';

testRule(rule, {
  valid: ['scrape_configs:\n  - job_name: a\n', '', 'unrelated: yaml\n'],
  invalid: [
    {
      name: 'unclosed flow sequence',
      code: 'scrape_configs:\n  - job_name: a\n    static_configs: [{targets: [x\n',
      errors: [
        {
          messageId: 'source',
          line: 4,
          column: 1,
          endLine: 4,
          endColumn: 2,
          messageIncludes: 'YAML: Flow sequence',
        },
        {
          messageId: 'source',
          line: 4,
          column: 1,
          endLine: 4,
          endColumn: 2,
          messageIncludes: 'YAML: Flow map',
        },
      ],
    },
    {
      name: 'wrong field type',
      code: 'scrape_configs:\n  - job_name: a\n    honor_labels: maybe\n',
      errors: [
        {
          messageId: 'source',
          line: 3,
          column: 19,
          endLine: 3,
          endColumn: 24,
          messageIncludes: 'must be true or false',
        },
      ],
    },
    {
      name: 'duplicate keys',
      code: 'scrape_configs:\n  - job_name: a\n    job_name: b\n',
      errors: [
        { messageId: 'source', line: 3, column: 5, endLine: 3, endColumn: 6, messageIncludes: 'unique' },
      ],
    },
  ],
});
