import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alloyDuration, MAX_ALLOY_DEPTH, parseAlloy, readAlloy } from './alloy.js';
import { isAlloy } from './detect.js';
import type { Range } from '../../exposition/types.js';

const GATEWAY = `// Apps push to the Pushgateway; Alloy scrapes it.
prometheus.scrape "pushgateway" {
  targets = [
    {"__address__" = "pushgateway.monitoring:9091", "team" = "platform"},
  ]
  honor_labels     = true
  honor_timestamps = false
  sample_limit     = 50000
  body_size_limit  = "10MB"
  scrape_interval  = "1.5m"
  scrape_timeout   = "500ms"
  metrics_path     = "/metrics"
  params           = { "match[]" = ["{job=~\\".+\\"}"] }
  forward_to       = [prometheus.remote_write.default.receiver]
}
`;

function at(text: string, range: Range): string {
  return text.slice(range.start, range.end);
}

describe('parseAlloy', () => {
  it('reads a prometheus.scrape block into a scrape job, each field with the range of its value', () => {
    const model = parseAlloy(GATEWAY, 'config.alloy');
    expect(model.problems).toEqual([]);
    expect(model.recognized).toBe(true);
    expect(model.jobs).toHaveLength(1);
    const job = model.jobs[0]!;
    expect(job.name.value).toBe('prometheus.scrape.pushgateway');
    expect(at(GATEWAY, job.name.range)).toBe('"pushgateway"');
    expect(at(GATEWAY, job.range).startsWith('prometheus.scrape "pushgateway" {')).toBe(true);
    expect(at(GATEWAY, job.range).endsWith('}')).toBe(true);
    expect(job.staticTargets.map((t) => [t.value, at(GATEWAY, t.range)])).toEqual([
      ['pushgateway.monitoring:9091', '"pushgateway.monitoring:9091"'],
    ]);
    expect(job.discovers).toBe(false);
    expect(job.honorLabels?.value).toBe(true);
    expect(at(GATEWAY, job.honorLabels!.range)).toBe('true');
    expect(job.honorTimestamps?.value).toBe(false);
    expect(job.sampleLimit?.value).toBe(50000);
    expect(job.bodySizeLimit?.value).toBe('10MB');
    // Go durations are read in Prometheus' spelling, at the place they were written.
    expect(job.scrapeInterval?.value).toBe('1m30s');
    expect(at(GATEWAY, job.scrapeInterval!.range)).toBe('"1.5m"');
    expect(job.scrapeTimeout?.value).toBe('500ms');
    expect(job.metricsPath?.value).toBe('/metrics');
    expect(job.params?.value['match[]']?.map((p) => p.value)).toEqual(['{job=~".+"}']);
  });

  it('takes job_name over the component name, and discovered targets as discovery', () => {
    const text = `discovery.kubernetes "pods" {
  role = "pod"
}
prometheus.scrape "pods" {
  targets    = discovery.kubernetes.pods.targets
  job_name   = "kubernetes-pods"
  forward_to = [prometheus.remote_write.default.receiver]
}
prometheus.scrape "mixed" {
  targets    = array.concat(discovery.kubernetes.pods.targets, [{"__address__" = "a:9100"}])
  forward_to = []
}
prometheus.scrape "listed" {
  targets    = [{"__address__" = "a:9100"}, discovery.kubernetes.pods.targets[0], {"job" = "x"}]
  forward_to = []
}
`;
    const model = parseAlloy(text, 'x.alloy');
    expect(model.problems).toEqual([]);
    expect(model.jobs.map((j) => [j.name.value, j.discovers, j.staticTargets.map((t) => t.value)])).toEqual([
      ['kubernetes-pods', true, []],
      ['prometheus.scrape.mixed', true, []],
      ['prometheus.scrape.listed', true, ['a:9100']],
    ]);
    expect(at(text, model.jobs[0]!.name.range)).toBe('"kubernetes-pods"');
  });

  it('finds scrape components inside declare blocks, and reads comments, raw strings and escapes', () => {
    const text = `/* a custom component
   with a scrape inside */
declare "exposer" {
  argument "address" { optional = false }
  prometheus.scrape "exposer" { // the exposer's one endpoint
    targets    = [{"__address__" = \`exposer:9400\`, "note" = "tab\\there \\u00e9 \\x41 \\101"}]
    forward_to = argument.forward_to.value
    honor_labels = !false
  }
}
`;
    const model = parseAlloy(text, 'x.alloy');
    expect(model.problems).toEqual([]);
    expect(model.jobs.map((j) => j.name.value)).toEqual(['prometheus.scrape.exposer']);
    expect(model.jobs[0]!.staticTargets[0]?.value).toBe('exposer:9400');
    // `!false` is an expression, not a literal: not read (no finding can rest on a value computed at run time).
    expect(model.jobs[0]!.honorLabels).toBeUndefined();
    const { blocks } = readAlloy(text);
    const inner = blocks[0]?.blocks.find((b) => b.name === 'prometheus.scrape');
    const note = inner?.attributes.find((a) => a.key === 'targets')?.value;
    expect(
      note?.kind === 'array' && note.items[0]?.kind === 'object' ? note.items[0].fields[1]?.value : undefined,
    ).toMatchObject({
      kind: 'string',
      value: 'tab\there é A A',
    });
  });

  it('reports a field of the wrong type, with its place, and leaves it out', () => {
    const text = `prometheus.scrape "a" {
  targets      = [{"__address__" = "a:1"}]
  honor_labels = "true"
  sample_limit = 1.5
  scrape_interval = "1d"
  scrape_timeout = 10
  forward_to   = []
}
`;
    const model = parseAlloy(text, 'x.alloy');
    expect(model.problems.map((p) => [p.message, at(text, p.range)])).toEqual([
      ['prometheus.scrape "a": honor_labels must be a bool (true or false), got the string "true"', '"true"'],
      ['prometheus.scrape "a": sample_limit must be a whole number, got 1.5', '1.5'],
      ['prometheus.scrape "a": scrape_interval "1d" is not a duration (e.g. 30s, 1m, 1m30s)', '"1d"'],
      ['prometheus.scrape "a": scrape_timeout must be a string, got the number 10', '10'],
    ]);
    const job = model.jobs[0]!;
    expect([job.honorLabels, job.sampleLimit, job.scrapeInterval, job.scrapeTimeout]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('reports a component without a label, one declared twice and one without targets', () => {
    const text = `prometheus.scrape "a" {
  targets = []
  forward_to = []
}
prometheus.scrape "a" {
  targets = []
  forward_to = []
}
prometheus.scrape {
  forward_to = []
}
`;
    const problems = parseAlloy(text, 'x.alloy').problems.map((p) => [p.message, at(text, p.range)]);
    expect(problems).toEqual([
      ['prometheus.scrape "a" is declared twice (Alloy refuses the file)', '"a"'],
      ['a prometheus.scrape block needs a label: prometheus.scrape "name" { ... }', 'prometheus.scrape'],
      ['prometheus.scrape has no targets (Alloy refuses it: targets is required)', 'prometheus.scrape'],
    ]);
  });

  it.each([
    [
      'an unclosed block',
      'prometheus.scrape "a" {\n  targets = []\n',
      'expected a closing "}", found the end of the file',
      '',
    ],
    [
      'an unclosed string',
      'prometheus.scrape "a" {\n  job_name = "x\n}\n',
      'a "string" is not closed on its line',
      '"x',
    ],
    ['an unclosed comment', 'a = 1\n/* never\n', 'a /* comment is never closed', '/*'],
    ['an unclosed raw string', 'a = `x\n', 'a `raw string` is never closed', '`'],
    ['a stray character', 'a = 1\n@\n', 'unexpected character "@"', '@'],
    ['a control character', 'a = 1\u0001\n', 'unexpected character U+0001', '\u0001'],
    ['a bad escape', 'a = "\\q"\n', 'invalid escape \\q in a string', '\\q'],
    ['a truncated unicode escape', 'a = "\\u12"\n', 'invalid escape \\u in a string', '\\u'],
    ['YAML', 'scrape_configs:\n  - job_name: x\n', 'unexpected character ":"', ':'],
    ['a missing value', 'a = \n', 'expected a value, found the end of the file', ''],
    [
      'an object key that is no name',
      'a = { 1 = 2 }\n',
      'expected a key (a name or a "string"), found "1"',
      '1',
    ],
  ])('reports %s as one syntax problem at its place, without throwing', (_what, text, message, shown) => {
    const model = parseAlloy(text, 'x.alloy');
    expect(model.problems.map((p) => [p.message, at(text, p.range)])).toEqual([
      [`Alloy syntax: ${message}`, shown],
    ]);
  });

  it('keeps the jobs read before a syntax error', () => {
    const text =
      'prometheus.scrape "a" {\n  targets = [{"__address__" = "a:1"}]\n  forward_to = []\n}\nprometheus.scrape "b" {\n';
    const model = parseAlloy(text, 'x.alloy');
    expect(model.jobs.map((j) => j.name.value)).toEqual(['prometheus.scrape.a']);
    expect(model.problems).toHaveLength(1);
  });

  it(`refuses nesting deeper than ${MAX_ALLOY_DEPTH} levels instead of exhausting the stack`, () => {
    for (const text of [
      'a = ' + '['.repeat(10_000),
      'a = ' + '{x = '.repeat(5_000),
      'b {'.repeat(5_000),
      'a = ' + '('.repeat(10_000),
      'a = f' + '('.repeat(10_000),
    ]) {
      const model = parseAlloy(text, 'x.alloy');
      expect(model.problems.map((p) => p.message)).toEqual([
        `Alloy syntax: nested deeper than ${MAX_ALLOY_DEPTH} levels; not read further`,
      ]);
    }
  });

  it('reads an empty file, or one without scrape components, as holding no job', () => {
    expect(parseAlloy('', 'x.alloy')).toMatchObject({ jobs: [], problems: [], recognized: false });
    const logs = 'loki.source.file "logs" {\n  targets = []\n  forward_to = []\n}\n';
    expect(parseAlloy(logs, 'x.alloy')).toMatchObject({ jobs: [], problems: [], recognized: false });
  });

  it('never throws, whatever the input', () => {
    const alphabet = fc.constantFrom(
      ...'prometheus.scrape "a" { } [ ] ( ) = , . ! - + * / % ^ < > && || // /* */ ` \\ \n \t 1 1.5e3 true null x _ é \u0000'.split(
        ' ',
      ),
    );
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 60 }), (parts) => {
        const model = parseAlloy(parts.join(' '), 'x.alloy');
        expect(Array.isArray(model.jobs)).toBe(true);
        for (const p of model.problems ?? []) expect(p.range.end).toBeGreaterThanOrEqual(p.range.start);
      }),
      { numRuns: 500, seed: 20261125 },
    );
  });
});

describe('alloyDuration', () => {
  it.each([
    ['30s', '30s'],
    ['1m30s', '1m30s'],
    ['1.5m', '1m30s'],
    ['500ms', '500ms'],
    ['1h0m0s', '1h0m0s'],
    ['90s', '90s'],
    ['2h', '2h'],
    ['0', '0s'],
    ['100us', '0s'],
    ['1.5s', '1s500ms'],
  ])('%s reads as %s', (go, prometheus) => {
    expect(alloyDuration(go)).toBe(prometheus);
  });

  it.each(['', '1d', '1w', '10', 'm', '1 s', 'abc'])('%j is no Go duration', (text) => {
    expect(alloyDuration(text)).toBeUndefined();
  });
});

describe('isAlloy', () => {
  it('takes .alloy and .river files as Alloy, and a file whose name says nothing when it declares a prometheus.scrape', () => {
    expect(isAlloy('config.alloy', '')).toBe(true);
    expect(isAlloy('agent/flow.river', '')).toBe(true);
    expect(isAlloy('<stdin>', GATEWAY)).toBe(true);
    expect(isAlloy('scrape', GATEWAY)).toBe(true);
    // YAML stays YAML, whatever it quotes.
    expect(isAlloy('x.yaml', GATEWAY)).toBe(false);
    expect(isAlloy('<stdin>', 'scrape_configs:\n  - job_name: prometheus.scrape\n')).toBe(false);
    expect(isAlloy('<stdin>', '# prometheus.scrape "x" { in a comment\n')).toBe(false);
  });
});
