/**
 * `scrape_config_files` (Prometheus 2.43+): the files it names are read as jobs of the configuration that names
 * them, with its `global`, and job names must be unique across the set. Found by the user audit: such files were
 * not read at all, and linted alone they took Prometheus' default 1m interval, passing a timeout Prometheus refuses.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { lintCommand } from './lint.js';
import type { LintCommandOptions } from './lint.js';

let dir: string;
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
};
const run = async (over: Partial<LintCommandOptions>) => {
  const result = await lintCommand({
    paths: [],
    cwd: dir,
    format: 'json',
    color: false,
    noConfig: true,
    ...over,
  });
  const files = JSON.parse(result.stdout) as {
    filePath: string;
    messages: { ruleId: string; message: string; line: number; column: number }[];
  }[];
  return { ...result, files };
};

const MAIN = `global:
  scrape_interval: 15s
scrape_config_files:
  - jobs/*.yml
scrape_configs:
  - job_name: node
    static_configs: [{targets: ['a:9100']}]
`;
/** Fine alone (the default interval is 1m); under MAIN's 15s global, Prometheus refuses it. */
const SLOW = `scrape_configs:
  - job_name: slow
    scrape_timeout: 20s
    static_configs: [{targets: ['b:9100']}]
`;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'scrapelint-scf-'));
});

describe('scrape_config_files', () => {
  it('lints the files it names with the global of the naming file, at their own lines', async () => {
    file('prom/prometheus.yml', MAIN);
    const slow = file('prom/jobs/slow.yml', SLOW);
    // Relative to the configuration's directory, not to the working directory.
    const { exitCode, files } = await run({ paths: ['prom/prometheus.yml'], only: 'config' });
    expect(files.map((f) => f.filePath)).toEqual([join(dir, 'prom/prometheus.yml'), slow]);
    expect(files[1]?.messages).toEqual([
      expect.objectContaining({
        ruleId: 'scrape-timeout',
        line: 3,
        column: 21,
        message: expect.stringContaining(
          'Scrape timeout 20s is greater than the scrape interval 15s (from the global scrape_interval of prom/prometheus.yml) of job "slow"',
        ) as string,
      }),
    ]);
    expect(exitCode).toBe(1);
  });

  it('says the default applies when the naming file sets no global scrape_interval', async () => {
    file('prometheus.yml', 'scrape_config_files: [jobs/slow.yml]\n');
    file('jobs/slow.yml', SLOW.replace('20s', '2m'));
    const { files } = await run({ paths: ['prometheus.yml'] });
    expect(files[1]?.messages[0]?.message).toContain(
      'scrape interval 1m (the default, as prometheus.yml sets no global scrape_interval)',
    );
  });

  it('lints a file found in the same walk once, as a file of scrape_config_files', async () => {
    file('prometheus.yml', MAIN);
    // Sorted before prometheus.yml in the walk: still linted after it, with its global.
    file('jobs/slow.yml', SLOW);
    const { files } = await run({ paths: ['.'] });
    expect(files.map((f) => f.filePath)).toEqual([join(dir, 'prometheus.yml'), join(dir, 'jobs/slow.yml')]);
    expect(files[1]?.messages.map((m) => m.ruleId)).toEqual(['scrape-timeout']);
  });

  it("the naming file's global sample_limit covers a gateway job in a named file", async () => {
    file(
      'prometheus.yml',
      MAIN.replace('scrape_interval: 15s', 'scrape_interval: 15s\n  sample_limit: 50000'),
    );
    file(
      'jobs/pushgateway.yml',
      `scrape_configs:
  - job_name: pushgateway
    honor_labels: true
    static_configs: [{targets: ['pg:9091']}]
`,
    );
    const { files } = await run({ paths: ['prometheus.yml'] });
    const ids = files[1]?.messages.map((m) => m.ruleId);
    expect(ids).toContain('single-massive-target');
    expect(ids).not.toContain('missing-sample-limit');
  });

  it('an invalid global of the naming file is reported there only, not in the named files', async () => {
    file('prometheus.yml', MAIN.replace('15s', '15x'));
    file('jobs/slow.yml', SLOW);
    const { files } = await run({ paths: ['prometheus.yml'] });
    expect(files[0]?.messages.map((m) => [m.ruleId, m.line])).toEqual([['scrape-timeout', 2]]);
    expect(files[1]?.messages).toEqual([]);
  });

  it('a job name used twice, across files or in one file, is a parse-error: Prometheus refuses it', async () => {
    file('prometheus.yml', MAIN);
    file('jobs/again.yml', 'scrape_configs:\n  - job_name: node\n    static_configs: [{targets: [c:1]}]\n');
    file(
      'twice.yml',
      'scrape_configs:\n  - job_name: a\n    static_configs: [{targets: [c:1]}]\n  - job_name: a\n    static_configs: [{targets: [d:1]}]\n',
    );
    const { exitCode, files } = await run({ paths: ['prometheus.yml', 'twice.yml'] });
    expect(exitCode).toBe(1);
    expect(files.map((f) => f.messages.map((m) => [m.ruleId, m.line, m.column, m.message]))).toEqual([
      [],
      [
        [
          'parse-error',
          2,
          15,
          'job_name "node" is used in prometheus.yml too: Prometheus refuses the configuration ("found multiple scrape configs with job name")',
        ],
      ],
      [
        [
          'parse-error',
          4,
          15,
          'job_name "a" is used by an earlier scrape config too: Prometheus refuses the file ("found multiple scrape configs with job name")',
        ],
      ],
    ]);
  });

  it('a named file that holds more than scrape_configs is a parse-error at the key', async () => {
    file('prometheus.yml', MAIN);
    file('jobs/global.yml', `global:\n  scrape_interval: 1m\n${SLOW}`);
    const { files } = await run({ paths: ['prometheus.yml'] });
    expect(files[1]?.messages.map((m) => [m.ruleId, m.line, m.column, m.message])).toEqual([
      [
        'parse-error',
        1,
        1,
        "'global' is not allowed here: a file of scrape_config_files holds scrape_configs only (Prometheus refuses it; global belongs in the main configuration)",
      ],
      // Its own global is not used: the jobs take the naming file's 15s.
      ['scrape-timeout', 5, 21, expect.stringContaining('15s') as string],
    ]);
  });

  it("globs match as Go's filepath.Glob does: ** is one path segment, * matches dot files", async () => {
    file('prometheus.yml', MAIN.replace('jobs/*.yml', '"**/*.yml"'));
    file('jobs/.hidden.yml', SLOW);
    file('jobs/deeper/slow.yml', SLOW.replace('slow', 'deeper'));
    const { files } = await run({ paths: ['prometheus.yml'] });
    expect(files.map((f) => f.filePath.slice(dir.length + 1))).toEqual([
      'prometheus.yml',
      'jobs/.hidden.yml',
    ]);
  });

  it("the rc file's ignore globs hold for the files it names", async () => {
    file('.scrapelintrc.yaml', "ignore: ['jobs/generated/**']\n");
    file('prometheus.yml', MAIN.replace('jobs/*.yml', 'jobs/*/*.yml'));
    file('jobs/generated/slow.yml', SLOW);
    const kept = file('jobs/own/slow.yml', SLOW);
    const { files, stderr } = await run({ paths: ['prometheus.yml'], noConfig: false });
    expect(files.map((f) => f.filePath)).toEqual([join(dir, 'prometheus.yml'), kept]);
    expect(stderr).toBe('');
  });

  it('two configurations that name each other are both linted, each as itself', async () => {
    file('a/prometheus.yml', 'scrape_config_files: [../b/prometheus.yml]\nscrape_configs: []\n');
    file('b/prometheus.yml', 'scrape_config_files: [../a/prometheus.yml]\nscrape_configs: []\n');
    const { files } = await run({ paths: ['a/prometheus.yml', 'b/prometheus.yml'] });
    expect(files.map((f) => [f.filePath.slice(dir.length + 1), f.messages.length])).toEqual([
      ['a/prometheus.yml', 0],
      ['b/prometheus.yml', 0],
    ]);
  });

  it('a pattern that matches no file is a note, not an error (Prometheus starts without those jobs)', async () => {
    file('prometheus.yml', MAIN.replace('jobs/*.yml', 'missing/*.yml'));
    const { exitCode, stderr, files } = await run({ paths: ['prometheus.yml'] });
    expect(exitCode).toBe(0);
    expect(files).toHaveLength(1);
    expect(stderr).toBe(
      'scrapelint: prometheus.yml: scrape_config_files entry "missing/*.yml" matches no file (Prometheus reads no jobs from it)\n',
    );
  });

  it('entries that are not paths are parse-errors; the file itself is never read as its own job file', async () => {
    file('prometheus.yml', 'scrape_config_files: [{a: 1}, prometheus.yml, "*.yml"]\n');
    const { files } = await run({ paths: ['prometheus.yml'] });
    expect(files).toHaveLength(1);
    expect(files[0]?.messages.map((m) => [m.ruleId, m.line, m.column, m.message])).toEqual([
      ['parse-error', 1, 23, "'scrape_config_files' entries must be file paths or globs"],
    ]);
  });
});
