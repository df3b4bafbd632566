import { testRule } from '../rule-tester.js';
import rule from './parse-error.js';

testRule(rule, {
  valid: [
    'scrape_configs:\n  - job_name: a\n',
    '',
    'unrelated: yaml\n',
    { kind: 'exposition', code: '# TYPE up gauge\nup 1\n' },
  ],
  invalid: [
    {
      name: "exposition: lines promtool reads but Prometheus' scraper refuses, failing the whole scrape",
      kind: 'exposition',
      code: '# TYPE a_total COUNTER\na_total 1\n# TYPE h histogram\nh_bucket{le="1",le="2"} 1\nh_bucket{le="+Inf"} 1\n',
      errors: [
        {
          messageId: 'scraper',
          line: 1,
          column: 16,
          endLine: 1,
          endColumn: 23,
          messageIncludes: 'invalid metric type',
        },
        {
          messageId: 'scraper',
          line: 4,
          column: 17,
          endLine: 4,
          endColumn: 19,
          messageIncludes: 'label name "le" is not unique',
        },
      ],
    },
    {
      name: 'exposition: a value that is not a number',
      kind: 'exposition',
      code: 'http_requests_total{code="200"} lots\n',
      errors: [
        {
          messageId: 'exposition',
          line: 1,
          column: 33,
          endLine: 1,
          endColumn: 37,
          messageIncludes: '(invalid-value)',
        },
      ],
    },
    {
      name: 'exposition: errors on several lines, each at its place',
      kind: 'exposition',
      code: 'ok 1\nbad{a=1} 2\n# TYPE a counter\na_total 1\n# EOF\nmore 1\n',
      errors: [
        {
          messageId: 'exposition',
          line: 2,
          column: 7,
          endLine: 2,
          endColumn: 8,
          messageIncludes: 'invalid-label-value',
        },
        {
          messageId: 'exposition',
          line: 6,
          column: 1,
          endLine: 6,
          endColumn: 7,
          messageIncludes: 'content-after-eof',
        },
      ],
    },
    {
      name: 'unclosed flow sequence',
      code: 'scrape_configs:\n  - job_name: a\n    static_configs: [{targets: [x\n',
      errors: [
        {
          messageId: 'source',
          line: 4,
          column: 1,
          endLine: 4,
          endColumn: 1,
          messageIncludes: 'YAML: Flow sequence',
        },
        {
          messageId: 'source',
          line: 4,
          column: 1,
          endLine: 4,
          endColumn: 1,
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
        // Named, with the line of the first one, over the whole key (the library says only "Map keys must be unique").
        {
          messageId: 'source',
          line: 3,
          column: 5,
          endLine: 3,
          endColumn: 13,
          messageIncludes:
            'duplicate key "job_name" (first at line 2): a mapping holds each key once (Prometheus refuses the file: "field job_name already set")',
        },
      ],
    },
  ],
});
