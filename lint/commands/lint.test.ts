import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScrapelintError } from '../errors.js';
import { lintCommand } from './lint.js';
import type { LintCommandOptions } from './lint.js';
import { rulesCommand } from './rules.js';

const BAD = `scrape_configs:
  - job_name: exposer
    honor_labels: true
    scrape_interval: 10s
    scrape_timeout: 20s
    static_configs: [{targets: ['exposer:8080']}]
`;
const WARN_ONLY = `scrape_configs:
  - job_name: pushgateway
    honor_labels: true
    sample_limit: 1000
    track_timestamps_staleness: true
    static_configs: [{targets: ['pg:9091']}]
`;
const GOOD = `scrape_configs:
  - job_name: node
    static_configs: [{targets: ['a:9100', 'b:9100']}]
`;

let dir: string;
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
};
const run = (over: Partial<LintCommandOptions>) =>
  lintCommand({ paths: [], cwd: dir, format: 'json', color: false, noConfig: true, ...over });
const json = (stdout: string) =>
  JSON.parse(stdout) as {
    filePath: string;
    messages: { ruleId: string; severity: number; message: string }[];
  }[];

async function rejection(promise: Promise<unknown>): Promise<ScrapelintError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ScrapelintError) return error;
    throw error;
  }
  throw new Error('expected a ScrapelintError');
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'scrapelint-cmd-'));
  file('bad.yml', BAD);
  file('warn.yml', WARN_ONLY);
  file('good.yml', GOOD);
  file(
    'nested/monitor.yaml',
    'apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: kafka-exposer}\nspec:\n  sampleLimit: 10\n  endpoints: [{port: web, trackTimestampsStaleness: true}]\n',
  );
  file('nested/workflow.yml', 'on: push\njobs: {}\n');
  file('metrics.prom', '# TYPE up gauge\nup{job="a"} 1\nup{job="b"} 1\n');
});

describe('lintCommand exit codes', () => {
  it('0 for a clean file', async () => {
    const result = await run({ paths: ['good.yml'] });
    expect(result.exitCode).toBe(0);
    expect(json(result.stdout)[0]?.messages).toEqual([]);
  });
  it('1 when there are errors', async () => {
    const result = await run({ paths: ['bad.yml'] });
    expect(result.exitCode).toBe(1);
    expect(json(result.stdout)[0]?.messages.map((m) => m.ruleId)).toContain('scrape-timeout');
  });
  it('0 with warnings only, 1 when they exceed --max-warnings', async () => {
    expect((await run({ paths: ['warn.yml'] })).exitCode).toBe(0);
    expect((await run({ paths: ['warn.yml'], maxWarnings: 2 })).exitCode).toBe(0);
    const over = await run({ paths: ['warn.yml'], maxWarnings: 1 });
    expect(over.exitCode).toBe(1);
    expect(over.stderr).toContain('too many warnings (2; maximum: 1)');
  });
  it('2 (ScrapelintError) for a missing file, naming it', async () => {
    const error = await rejection(run({ paths: ['missing.yml'] }));
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe('missing.yml: no such file or directory');
  });
  it('2 for a glob that matches nothing', async () => {
    expect((await rejection(run({ paths: ['nothing/**/*.yml'] }))).message).toBe(
      'no files match the pattern "nothing/**/*.yml"',
    );
  });
  it('2 for an unknown rule or a bad severity in --rule', async () => {
    expect((await rejection(run({ paths: ['good.yml'], ruleFlags: ['nope=off'] }))).message).toMatch(
      /unknown rule "nope"/,
    );
    expect(
      (await rejection(run({ paths: ['good.yml'], ruleFlags: ['scrape-timeout=loud'] }))).message,
    ).toMatch(/expected id=off\|warn\|error/);
  });
  it('2 for a bad configuration file, naming it and the problem', async () => {
    file('rc/bad-options.yaml', 'rules:\n  single-massive-target: [warn, { warnSamples: -1 }]\n');
    file('rc/unknown-key.yaml', 'rulez: {}\n');
    file('rc/broken.yaml', 'rules: [\n');
    expect(
      (await rejection(run({ paths: ['good.yml'], configFile: 'rc/bad-options.yaml' }))).message,
    ).toMatch(/^rc\/bad-options\.yaml:2:48: invalid options for rule single-massive-target: warnSamples: /);
    expect(
      (await rejection(run({ paths: ['good.yml'], configFile: 'rc/unknown-key.yaml' }))).message,
    ).toMatch(/^rc\/unknown-key\.yaml:1:1: .*rulez/);
    expect((await rejection(run({ paths: ['good.yml'], configFile: 'rc/broken.yaml' }))).message).toMatch(
      /^rc\/broken\.yaml:2:1: invalid YAML/,
    );
    expect((await rejection(run({ paths: ['good.yml'], configFile: 'rc/none.yaml' }))).message).toBe(
      'rc/none.yaml: no such file or directory',
    );
  });
  it('2 when the report cannot be written', async () => {
    // A file stands where a directory of the path must be.
    const error = await rejection(run({ paths: ['good.yml'], outputFile: 'good.yml/out.json' }));
    expect(error.message).toMatch(/^good\.yml\/out\.json: cannot write the report: /);
    const directory = await rejection(run({ paths: ['good.yml'], outputFile: 'nested' }));
    expect(directory.message).toBe('nested: cannot write the report: is a directory');
  });
  it('2 for a directory with nothing to lint, naming it', async () => {
    mkdirSync(join(dir, 'empty/node_modules'), { recursive: true });
    writeFileSync(join(dir, 'empty/node_modules/x.yml'), GOOD);
    writeFileSync(join(dir, 'empty/notes.json'), '{}');
    const error = await rejection(run({ paths: ['empty'] }));
    expect(error.kind).toBe('usage');
    expect(error.message).toBe(
      'no files to lint in the directory "empty": it holds no .yml, .yaml, .md, .markdown, .prom, .metrics, .om, .openmetrics, .txt, .alloy, .river files outside node_modules, .git, dist, .cache',
    );
  });
  it('2 for no paths', async () => {
    expect((await rejection(run({ paths: [] }))).kind).toBe('usage');
  });
});

describe('lintCommand inputs and settings', () => {
  it('walks directories, linting configs, operator resources and expositions, skipping other YAML', async () => {
    const result = await run({ paths: ['.'] });
    const files = json(result.stdout).map((r) => r.filePath.slice(dir.length + 1));
    expect(files).toEqual(
      expect.arrayContaining(['bad.yml', 'good.yml', 'metrics.prom', 'nested/monitor.yaml', 'warn.yml']),
    );
    expect(files).not.toContain('nested/workflow.yml');
  });
  it('--rule turns a rule off or raises it', async () => {
    const off = await run({ paths: ['bad.yml'], ruleFlags: ['scrape-timeout=off'] });
    expect(off.exitCode).toBe(0);
    const raised = await run({ paths: ['warn.yml'], ruleFlags: ['single-massive-target=error'] });
    expect(raised.exitCode).toBe(1);
  });
  it('.scrapelintrc.yaml is found from cwd: severities, options and ignore globs', async () => {
    const sub = join(dir, 'withrc');
    mkdirSync(sub, { recursive: true });
    writeFileSync(
      join(sub, '.scrapelintrc.yaml'),
      "rules:\n  scrape-timeout: off\n  missing-up-series: [error]\nignore: ['ignored/**']\n",
    );
    writeFileSync(join(sub, 'bad.yml'), BAD);
    mkdirSync(join(sub, 'ignored'), { recursive: true });
    writeFileSync(join(sub, 'ignored', 'bad.yml'), BAD);
    const result = await lintCommand({ paths: ['.'], cwd: sub, format: 'json', color: false });
    const [only, ...rest] = json(result.stdout);
    expect(rest).toEqual([]);
    expect(only?.filePath).toBe(join(sub, 'bad.yml'));
    expect(only?.messages.map((m) => m.ruleId)).not.toContain('scrape-timeout');
    expect(only?.messages.find((m) => m.ruleId === 'missing-up-series')?.severity).toBe(2);
  });
  it('a file named under .cache, node_modules or dist is linted; a directory walk skips them', async () => {
    const sub = join(dir, 'builtin-ignores');
    for (const hidden of ['.cache/bench', 'node_modules/pkg', 'dist']) {
      mkdirSync(join(sub, hidden), { recursive: true });
      writeFileSync(join(sub, hidden, 'bad.yml'), BAD);
    }
    const named = ['.cache/bench/bad.yml', 'node_modules/pkg/bad.yml', 'dist/bad.yml'];
    const result = await lintCommand({
      paths: named,
      cwd: sub,
      format: 'json',
      color: false,
      noConfig: true,
    });
    expect(json(result.stdout).map((r) => r.filePath)).toEqual(named.map((n) => join(sub, n)));
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe('');
    // The walk skips them all, so it finds nothing to lint: a usage error, as for any directory that yields none.
    const walked = await rejection(run({ paths: ['.'], cwd: sub }));
    expect(walked.message).toMatch(/^no files to lint in the directory "\."/);
  });
  it('a file named on the command line that an ignore glob of the rc file matches is skipped, with a note', async () => {
    const sub = join(dir, 'named-ignored');
    mkdirSync(join(sub, 'ignored'), { recursive: true });
    writeFileSync(join(sub, '.scrapelintrc.yaml'), "ignore: ['ignored/**']\n");
    writeFileSync(join(sub, 'ignored', 'bad.yml'), BAD);
    writeFileSync(join(sub, 'good.yml'), 'scrape_configs: []\n');
    const result = await lintCommand({
      paths: ['ignored/bad.yml', 'good.yml'],
      cwd: sub,
      format: 'json',
      color: false,
    });
    expect(json(result.stdout).map((r) => r.filePath)).toEqual([join(sub, 'good.yml')]);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe(
      'scrapelint: skipped ignored/bad.yml: it matches an ignore pattern of the configuration file\n',
    );
  });
  it("a Helm chart's template is not YAML: named, one parse-error at its first action; in a walk, a note", async () => {
    // As prometheus-community's pushgateway chart writes its ServiceMonitor (the YAML parser gave 97 errors).
    const template = [
      '{{- if .Values.serviceMonitor.enabled }}',
      'apiVersion: monitoring.coreos.com/v1',
      'kind: ServiceMonitor',
      'metadata:',
      '  name: {{ template "prometheus-pushgateway.fullname" . }}',
      'spec:',
      '  endpoints:',
      '  - port: http',
      '    honorLabels: {{ .Values.serviceMonitor.honorLabels }}',
      '{{- end }}',
      '',
    ].join('\n');
    const sub = join(dir, 'chart');
    mkdirSync(join(sub, 'templates'), { recursive: true });
    writeFileSync(join(sub, 'templates', 'servicemonitor.yaml'), template);
    writeFileSync(join(sub, 'templates', 'values-free.yaml'), template.replace(/^\{\{-.*\n/, ''));
    const named = await lintCommand({
      paths: ['templates/servicemonitor.yaml'],
      cwd: sub,
      format: 'json',
      color: false,
      noConfig: true,
    });
    const [file] = json(named.stdout);
    expect(named.exitCode).toBe(1);
    expect(file?.messages.map((m) => [m.ruleId, m.message])).toEqual([
      [
        'parse-error',
        "a Go template (a Helm chart's?): {{- if .Values.serviceMonitor.enabled }} is not YAML, and what the file configures is known only once rendered; lint the rendered output instead (helm template CHART | scrapelint config -)",
      ],
    ]);
    const walked = await run({ paths: ['.'], cwd: sub });
    expect([walked.exitCode, json(walked.stdout)]).toEqual([0, []]);
    expect(walked.stderr.split('\n').filter((l) => l !== '')).toEqual([
      "scrapelint: skipped templates/servicemonitor.yaml: a Go template (a Helm chart's?), not YAML until rendered; lint the rendered output (helm template CHART | scrapelint config -)",
      "scrapelint: skipped templates/values-free.yaml: a Go template (a Helm chart's?), not YAML until rendered; lint the rendered output (helm template CHART | scrapelint config -)",
    ]);
  });
  it('only: config lints any YAML found in a walk as a config and skips expositions', async () => {
    const result = await run({ paths: ['nested/'], only: 'config' });
    expect(json(result.stdout).map((r) => r.filePath)).toEqual([
      join(dir, 'nested/monitor.yaml'),
      join(dir, 'nested/workflow.yml'),
    ]);
    // Found by the walk, YAML that holds no configuration is left alone.
    expect(result.exitCode).toBe(0);
  });
  it('only: config fails on a named YAML file that holds no configuration (parse-error, exit 1)', async () => {
    const result = await run({ paths: ['nested/workflow.yml'], only: 'config' });
    expect(result.exitCode).toBe(1);
    expect(json(result.stdout)[0]?.messages).toMatchObject([
      {
        ruleId: 'parse-error',
        line: 1,
        column: 1,
        message: expect.stringMatching(
          /^not a Prometheus configuration or operator resource: the top level is a mapping/,
        ),
      },
    ]);
    for (const [name, text, what] of [
      ['scalar.yml', 'hello\n', 'a scalar'],
      ['list.yml', '- a\n- b\n', 'a list'],
    ] as const) {
      file(name, text);
      const other = await run({ paths: [name], only: 'config' });
      expect(other.exitCode).toBe(1);
      expect(json(other.stdout)[0]?.messages[0]?.message).toContain(`the top level is ${what}`);
    }
    // An empty file (or one of comments only) is an empty configuration, as for promtool.
    file('empty.yml', '# nothing yet\n');
    expect((await run({ paths: ['empty.yml'], only: 'config' })).exitCode).toBe(0);
    // Without the config command, a named YAML file that is no configuration is skipped with a note.
    const plain = await run({ paths: ['nested/workflow.yml'] });
    expect([plain.exitCode, plain.stderr]).toEqual([0, expect.stringContaining('skipped')]);
  });
  it('only: config fails on a named binary file: parse-error at the first control character', async () => {
    file('binary', '\u007fELF\u0002\u0001\u0000\u0000');
    const result = await run({ paths: ['binary'], only: 'config' });
    expect(result.exitCode).toBe(1);
    expect(json(result.stdout)[0]?.messages).toMatchObject([
      {
        ruleId: 'parse-error',
        line: 1,
        column: 1,
        message: expect.stringContaining('control character U+007F'),
      },
    ]);
    writeFileSync(join(dir, 'latin1.yml'), Buffer.from('scrape_configs: []\n# caf\xe9\n', 'latin1'));
    const latin1 = await run({ paths: ['latin1.yml'] });
    expect(latin1.exitCode).toBe(1);
    expect(json(latin1.stdout)[0]?.messages).toMatchObject([
      { ruleId: 'parse-error', line: 2, column: 6, message: expect.stringContaining('not UTF-8') },
    ]);
    // A replacement character written as UTF-8 is text like any other; so is non-ASCII text past the first 64 KiB.
    file('fffd.yml', 'scrape_configs: []\n# \uFFFD\n');
    expect((await run({ paths: ['fffd.yml'], only: 'config' })).exitCode).toBe(0);
    // Past the first 64 KiB, counted in bytes: the end of a file of multi-byte text is read too (it was cut off).
    file('long.yml', `${'# caf\u00e9 \u2014 \u00fcber\n'.repeat(5000)}${BAD}`);
    const long = await run({ paths: ['long.yml'], only: 'config' });
    expect(json(long.stdout)[0]?.messages.map((m) => m.ruleId)).toContain('scrape-timeout');
  });
  it('docs fails on a named binary file (parse-error, exit 1)', async () => {
    file('image', 'PNG\u0000\u0000data');
    const result = await run({ paths: ['image'], only: 'docs' });
    expect(result.exitCode).toBe(1);
    expect(json(result.stdout)[0]?.messages).toMatchObject([
      { ruleId: 'parse-error', line: 1, column: 4, message: expect.stringContaining('NUL bytes') },
    ]);
  });
  it.each([
    [
      'docs',
      'metrics.prom',
      /^metrics\.prom: not Markdown, which scrapelint docs reads; it looks like an exposition: scrapelint metrics metrics\.prom$/,
    ],
    [
      'exposition',
      'good.yml',
      /^good\.yml: not an exposition, which scrapelint metrics reads; it looks like a Prometheus configuration/,
    ],
    [
      'config',
      'metrics.prom',
      /^metrics\.prom: not a Prometheus configuration or operator resource \(YAML\), or a Grafana Alloy file, which scrapelint config reads; it looks like an exposition/,
    ],
    [
      'exposition',
      'nested/workflow.yml',
      /^nested\/workflow\.yml: not an exposition, which scrapelint metrics reads$/,
    ],
  ] as const)(
    '%s: a named %s of another kind is a usage error (exit 2), nothing linted',
    async (only, path, message) => {
      const error = await rejection(run({ paths: [path], only }));
      expect(error.exitCode).toBe(2);
      expect(error.message).toMatch(message);
    },
  );
  it('a walk under an explicit command skips files of other kinds without failing', async () => {
    const result = await run({ paths: ['.'], only: 'docs' });
    expect(result.exitCode).toBe(0);
  });
  it('reads a config from stdin (-), detected from its content', async () => {
    const result = await run({ paths: ['-'], stdin: Readable.from([BAD]) });
    expect(json(result.stdout)[0]?.filePath).toBe('<stdin>');
    expect(result.exitCode).toBe(1);
  });
  it('streams an exposition from stdin for metrics -', async () => {
    const result = await run({
      paths: ['-'],
      only: 'exposition',
      stdin: Readable.from(['a{job="x"} 1\n', 'a{job="y"} 1\n']),
    });
    expect(json(result.stdout)[0]?.messages.map((m) => m.ruleId)).toEqual(['missing-up-series']);
  });
  it('refuses stdin it cannot classify', async () => {
    expect((await rejection(run({ paths: ['-'], stdin: Readable.from(['hello\n']) }))).message).toMatch(
      /cannot tell what it is/,
    );
  });
  it('a .om or .openmetrics file is read as OpenMetrics: without # EOF it is a parse-error, as a .prom is not', async () => {
    const body = '# TYPE jobs gauge\njobs 1\n';
    for (const name of ['formats/no-eof.om', 'formats/no-eof.openmetrics', 'formats/no-eof.prom'])
      file(name, body);
    const result = await run({
      paths: ['formats/no-eof.om', 'formats/no-eof.openmetrics', 'formats/no-eof.prom'],
    });
    expect(
      json(result.stdout).map((r) => [r.filePath.slice(dir.length + 1), r.messages.map((m) => m.message)]),
    ).toEqual([
      ['formats/no-eof.om', ['OpenMetrics input must end with a "# EOF" line (missing-eof)']],
      ['formats/no-eof.openmetrics', ['OpenMetrics input must end with a "# EOF" line (missing-eof)']],
      ['formats/no-eof.prom', []],
    ]);
    expect(result.exitCode).toBe(1);
    file('formats/eof.om', `${body}# EOF\n`);
    expect((await run({ paths: ['formats/eof.om'] })).exitCode).toBe(0);
  });
  it('a binary exposition file is one parse-error at its first NUL byte, not one per line', async () => {
    const binary = Buffer.concat([Buffer.from('\x1f\x8b\x08\0\0\0'), Buffer.alloc(4096, 0xff)]);
    mkdirSync(join(dir, 'formats'), { recursive: true });
    writeFileSync(join(dir, 'formats/saved-gzip.prom'), Buffer.concat([binary, Buffer.from('\nx\ny\nz\n')]));
    const result = await run({ paths: ['formats/saved-gzip.prom'] });
    const [report] = JSON.parse(result.stdout) as {
      messages: { ruleId: string; message: string; line: number; column: number }[];
    }[];
    expect(report?.messages.map((m) => [m.ruleId, m.line, m.column, m.message])).toEqual([
      [
        'parse-error',
        1,
        4,
        'not a text file: it holds NUL bytes (a binary file, or a compressed body saved as is?)',
      ],
    ]);
    expect(result.exitCode).toBe(1);
  });
  it('--output makes the directories on its path, as ESLint does', async () => {
    const result = await run({ paths: ['bad.yml'], format: 'sarif', outputFile: 'reports/ci/out.sarif' });
    expect(result.stdout).toBe('');
    expect(JSON.parse(readFileSync(join(dir, 'reports/ci/out.sarif'), 'utf8')).version).toBe('2.1.0');
  });
  it('--output writes the report and prints nothing', async () => {
    const result = await run({ paths: ['bad.yml'], format: 'sarif', outputFile: 'out.sarif' });
    expect(result.stdout).toBe('');
    expect(JSON.parse(readFileSync(join(dir, 'out.sarif'), 'utf8')).version).toBe('2.1.0');
  });
  it('--quiet reports errors only', async () => {
    const result = await run({ paths: ['bad.yml'], quiet: true });
    expect(json(result.stdout)[0]?.messages.every((m) => m.severity === 2)).toBe(true);
  });
  it('config/metrics on a directory judge a .txt by its content: a note is skipped, not read as that kind', async () => {
    const sub = join(dir, 'withtxt');
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, 'notes.txt'), 'Remember: the exposer is scraped every 15s.\nSee the runbook.\n');
    writeFileSync(join(sub, 'scraped.txt'), '# TYPE up gauge\nup{job="a"} 1\nup{job="b"} 1\n');
    writeFileSync(join(sub, 'prometheus.txt'), BAD);
    const files = async (only: LintCommandOptions['only']): Promise<string[]> =>
      json((await run({ paths: ['withtxt'], only })).stdout).map((r) => r.filePath.slice(sub.length + 1));
    expect(await files('config')).toEqual(['prometheus.txt']);
    expect(await files('exposition')).toEqual(['scraped.txt']);
    expect(await files(undefined)).toEqual(['prometheus.txt', 'scraped.txt']);
    // Named on the command line, a .txt is taken as the kind given (and then fails to parse as such).
    const named = await run({ paths: ['withtxt/notes.txt'], only: 'config' });
    expect(json(named.stdout)[0]?.messages.map((m) => m.ruleId)).toContain('parse-error');
  });
  it('notes each explicitly named file it cannot lint, named relative to cwd, among others', async () => {
    const result = await run({ paths: ['nested/workflow.yml', 'good.yml'] });
    expect(result.stderr).toBe(
      'scrapelint: skipped nested/workflow.yml: not a Prometheus configuration, operator resource, Alloy file, exposition or Markdown file\n',
    );
    expect(json(result.stdout).map((r) => r.filePath)).toEqual([join(dir, 'good.yml')]);
  });
  it('notes an explicitly named file it cannot lint', async () => {
    const result = await run({ paths: ['nested/workflow.yml'] });
    expect(result.stderr).toMatch(/skipped .*workflow\.yml: not a Prometheus configuration/);
    expect(result.exitCode).toBe(0);
  });
  it('text format without colour', async () => {
    const result = await run({ paths: ['bad.yml'], format: 'text' });
    expect(result.stdout).toContain('bad.yml');
    expect(result.stdout).not.toContain('\u001b[');
  });
});

describe('lintCommand with URLs', () => {
  let base = '';
  const slow: ServerResponse[] = [];
  const server = createServer((req, res) => {
    if (req.url === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4', 'content-encoding': 'gzip' });
      res.end(gzipSync('up{job="a"} 1\nup{job="b"} 1\n'));
    } else if (req.url === '/slow') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.write('up 1\n'); // and never ends: the fetch's deadline must
      slow.push(res);
    } else if (req.url === '/big') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(Array.from({ length: 100 }, (_, i) => `a_metric_with_a_long_name{label="${i}"} 1\n`).join(''));
    } else if (req.url === '/html') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html></html>');
    } else {
      res.writeHead(404).end();
    }
  });
  beforeAll(async () => {
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    for (const res of slow) res.destroy();
    return new Promise<void>((done) => server.close(() => done()));
  });

  it('fetches a gzip body and lints it', async () => {
    const result = await run({ paths: [`${base}/metrics`], only: 'exposition' });
    const [report] = json(result.stdout);
    expect(report?.filePath).toBe(`${base}/metrics`);
    expect(report?.messages.map((m) => m.ruleId)).toEqual(['missing-up-series']);
  });
  it('a password in the URL never reaches the report (SARIF is uploaded, CI logs are public)', async () => {
    const secret = base.replace('http://', 'http://ci:hunter2@');
    const result = await run({ paths: [`${secret}/metrics`], only: 'exposition', format: 'sarif' });
    expect(result.stdout).not.toContain('hunter2');
    expect(result.stdout).toContain(`${base.replace('http://', 'http://ci:xxxxx@')}/metrics`);
  });
  it('a body that never ends is cut at --timeout (exit 2, naming the URL)', async () => {
    const error = await rejection(run({ paths: [`${base}/slow`], only: 'exposition', timeoutMs: 300 }));
    expect(error.kind).toBe('io');
    expect(error.message).toContain(`${base}/slow`);
  });
  it('a body over --max-bytes is refused (exit 2, naming the URL)', async () => {
    const error = await rejection(run({ paths: [`${base}/big`], only: 'exposition', maxBytes: 1000 }));
    expect(error.kind).toBe('io');
    expect(error.message).toContain(`${base}/big`);
    expect((await run({ paths: [`${base}/big`], only: 'exposition', maxBytes: 100_000 })).exitCode).toBe(0);
  });
  it('a wrong content type or status is an I/O problem (exit 2) naming the URL', async () => {
    expect((await rejection(run({ paths: [`${base}/html`], only: 'exposition' }))).message).toContain(
      `${base}/html`,
    );
    expect((await rejection(run({ paths: [`${base}/missing`], only: 'exposition' }))).message).toContain(
      `${base}/missing`,
    );
  });
});

describe('rulesCommand', () => {
  it('lists every rule with its default severity', () => {
    const { stdout } = rulesCommand({ format: 'text' });
    expect(stdout).toMatch(/^single-massive-target\s+warn\s+config,exposition\s+/m);
    expect(stdout).toMatch(/^scrape-timeout\s+error\s+/m);
    const rows = JSON.parse(rulesCommand({ format: 'json' }).stdout) as { id: string; severity: string }[];
    expect(rows.find((r) => r.id === 'parse-error')?.severity).toBe('error');
  });
});

describe('lintCommand on Grafana Alloy files', () => {
  const ALLOY = `// Alloy scrapes the Pushgateway for every app behind it.
prometheus.scrape "gateway" {
  targets      = [{"__address__" = "pushgateway:9091"}]
  honor_labels = true
  forward_to   = [prometheus.remote_write.default.receiver]
}
`;
  const ids = (stdout: string) => json(stdout).map((r) => r.messages.map((m) => m.ruleId).sort());

  it('lints a .alloy file found in a walk, and one named under config, as configurations', async () => {
    const sub = join(dir, 'alloy-walk');
    mkdirSync(join(sub, 'river'), { recursive: true });
    writeFileSync(join(sub, 'config.alloy'), ALLOY);
    writeFileSync(join(sub, 'river', 'flow.river'), ALLOY.replace('"gateway"', '"gw"'));
    const walked = await lintCommand({
      paths: ['.'],
      cwd: sub,
      format: 'json',
      color: false,
      noConfig: true,
    });
    expect(json(walked.stdout).map((r) => r.filePath.slice(sub.length + 1))).toEqual([
      'config.alloy',
      'river/flow.river',
    ]);
    const expected = [
      'honor-timestamps',
      'missing-sample-limit',
      'missing-up-series',
      'single-massive-target',
    ];
    expect(ids(walked.stdout)).toEqual([expected, expected]);
    const named = await run({ paths: [join(sub, 'config.alloy')], only: 'config' });
    expect(ids(named.stdout)).toEqual([expected]);
  });

  it('recognises Alloy on stdin by its prometheus.scrape block', async () => {
    const result = await run({ paths: ['-'], stdin: Readable.from([ALLOY]) });
    expect(json(result.stdout)[0]?.messages.map((m) => m.ruleId)).toContain('single-massive-target');
    const asConfig = await run({ paths: ['-'], only: 'config', stdin: Readable.from([ALLOY]) });
    expect(json(asConfig.stdout)[0]?.messages.map((m) => m.ruleId)).toContain('single-massive-target');
  });

  it('honours // scrapelint suppression comments and reports unused ones', async () => {
    const text =
      '// scrapelint disable missing-sample-limit -- limits are set in the remote_write relabeling\n' +
      ALLOY.replace(
        'prometheus.scrape "gateway" {',
        '// scrapelint disable-next-line single-massive-target, missing-up-series, honor-timestamps -- batch jobs only\nprometheus.scrape "gateway" {',
      ) +
      '// scrapelint disable-next-line scrape-timeout -- nothing here\n';
    const result = await run({ paths: [file('suppressed.alloy', text)] });
    const messages = json(result.stdout)[0]?.messages ?? [];
    expect(messages.map((m) => m.ruleId)).toEqual(['unused-suppression']);
    expect(messages[0]?.message).toContain('scrape-timeout');
  });

  it('reports an Alloy syntax error as a parse-error at its place (exit 1)', async () => {
    const result = await run({ paths: [file('broken.alloy', 'prometheus.scrape "x" {\n  targets = [\n')] });
    expect(result.exitCode).toBe(1);
    expect(json(result.stdout)[0]?.messages).toEqual([
      expect.objectContaining({
        ruleId: 'parse-error',
        message: 'Alloy syntax: expected a value, found the end of the file',
      }),
    ]);
  });

  it('refuses an Alloy file named under metrics, and says what it looks like', async () => {
    const error = await rejection(run({ paths: [file('named.alloy', ALLOY)], only: 'exposition' }));
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe(
      'named.alloy: not an exposition, which scrapelint metrics reads; it looks like a Grafana Alloy file: scrapelint config named.alloy',
    );
  });
});
