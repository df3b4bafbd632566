import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from './cli.js';

async function cli(argv: string[], over: { isTTY?: boolean; env?: NodeJS.ProcessEnv; stdin?: string } = {}) {
  let stdout = '';
  let stderr = '';
  const dir = mkdtempSync(join(tmpdir(), 'scrapelint-cli-'));
  writeFileSync(
    join(dir, 'bad.yml'),
    'scrape_configs:\n  - job_name: a\n    scrape_interval: 10s\n    scrape_timeout: 1m\n',
  );
  writeFileSync(join(dir, 'good.yml'), 'scrape_configs:\n  - job_name: a\n');
  const code = await main(argv, {
    cwd: dir,
    stdin: Readable.from([over.stdin ?? '']),
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    isTTY: over.isTTY ?? false,
    env: over.env ?? {},
  });
  return { code, stdout, stderr };
}

describe('scrapelint CLI', () => {
  it("flags before the command name apply to it; the command's own win, --rule adds up", async () => {
    const json = await cli(['-f', 'json', 'config', 'bad.yml']);
    expect(JSON.parse(json.stdout)).toHaveLength(1);
    expect(json.code).toBe(1);
    expect((await cli(['--rule', 'scrape-timeout=off', 'config', 'bad.yml'])).code).toBe(0);
    // The error lowered to a warning, then too many warnings: exit 1 only if both flags reach the command.
    expect(
      (await cli(['--max-warnings', '0', 'config', '--rule', 'scrape-timeout=warn', 'bad.yml'])).code,
    ).toBe(1);
    expect((await cli(['--rule', 'scrape-timeout=warn', 'config', 'bad.yml'])).code).toBe(0);
    const own = await cli(['-f', 'json', 'config', '-f', 'github', 'bad.yml']);
    expect(own.stdout).toMatch(/^::error file=bad\.yml,line=4/);
  });
  it('rules takes --format json and --hygiene given before it; a format it cannot list is exit 2', async () => {
    const listed = JSON.parse((await cli(['-f', 'json', '--hygiene', 'rules'])).stdout) as {
      id: string;
      severity: string;
    }[];
    expect(listed.find((r) => r.id === 'hygiene/help')?.severity).toBe('warn');
    const sarif = await cli(['-f', 'sarif', 'rules']);
    expect(sarif.code).toBe(2);
    expect(sarif.stderr).toBe('scrapelint: --format sarif: scrapelint rules lists as text or json\n');
  });

  it('--help lists commands and examples, exit 0', async () => {
    const { code, stdout } = await cli(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Examples:');
    for (const command of ['config', 'metrics', 'docs', 'rules']) expect(stdout).toContain(command);
    expect(stdout).toContain('--max-warnings');
  });
  it('docs/scrapelint.md has an options-table row for every option of every command', async () => {
    const page = readFileSync(new URL('../docs/scrapelint.md', import.meta.url), 'utf8');
    const rows = page.split('\n').filter((line) => line.startsWith('| `'));
    for (const command of [[], ['config'], ['metrics'], ['docs']]) {
      const { stdout } = await cli([...command, '--help']);
      const options = [...stdout.matchAll(/^\s+(?:-\w, )?(--[\w-]+)/gm)].map((m) => m[1] ?? '');
      expect(options.length).toBeGreaterThan(5);
      for (const option of options.filter((o) => o !== '--help' && o !== '--version')) {
        expect(
          rows.some((row) => row.includes(`\`${option}`) || row.includes(`, ${option}`)),
          option,
        ).toBe(true);
      }
    }
    expect(rows.find((row) => row.includes('--max-warnings'))).toContain('`-1` (the default) means no limit');
  });
  it('--version, exit 0', async () => {
    const { code, stdout } = await cli(['--version']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
  it('exit 0 / 1 by findings', async () => {
    expect((await cli(['good.yml'])).code).toBe(0);
    const bad = await cli(['bad.yml']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('4:21  error');
  });
  it('exit 2 with one line for usage errors', async () => {
    const unknown = await cli(['--bogus']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown option '--bogus'");
    const format = await cli(['--format', 'xml', 'good.yml']);
    expect(format.code).toBe(2);
    expect(format.stderr).toContain('Allowed choices are text, json, sarif, github');
    const missing = await cli(['nope.yml']);
    expect(missing).toMatchObject({ code: 2, stderr: 'scrapelint: nope.yml: no such file or directory\n' });
    expect((await cli(['--max-warnings', 'x', 'good.yml'])).code).toBe(2);
    // A URL of another scheme was taken for a file path ("no such file or directory").
    expect(await cli(['metrics', 'ftp://127.0.0.1/metrics'])).toMatchObject({
      code: 2,
      stderr: 'scrapelint: ftp://127.0.0.1/metrics: only http:// and https:// URLs can be fetched\n',
    });
  });
  it('exit 2 with one line, no stack, for a URL limit that is not a positive whole number', async () => {
    // The fetch used to throw a RangeError for these, printed as "internal error" with a stack trace.
    for (const [flag, value, what] of [
      ['--timeout', '0', 'milliseconds'],
      ['--timeout', '-5', 'milliseconds'],
      ['--timeout', '1.5', 'milliseconds'],
      ['--max-bytes', '0', 'bytes'],
      ['--max-bytes', '-5', 'bytes'],
      ['--max-bytes', '', 'bytes'],
    ] as const) {
      const result = await cli(['metrics', flag, value, 'http://127.0.0.1:1/metrics']);
      expect(result.code, `${flag} ${value}`).toBe(2);
      expect(result.stderr).toContain(`${flag} must be a whole number of ${what} greater than 0`);
      expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
    }
    // Decimal digits only: not hexadecimal, exponents, fractions or numbers too large to hold exactly.
    for (const value of ['-2', '0x10', '1e1', '1.5', '99999999999999999999', 'x']) {
      const warnings = await cli(['--max-warnings', value, 'good.yml']);
      expect(warnings.code, value).toBe(2);
      expect(warnings.stderr).toContain('--max-warnings must be a whole number, -1 (no limit) or more');
    }
    expect((await cli(['--max-warnings', ' 3', 'good.yml'])).code).toBe(0);
    expect((await cli(['--max-warnings', '-1', 'good.yml'])).code).toBe(0);
  });
  it('--help gives the defaults and units of the URL limits and --max-warnings', async () => {
    const help = (await cli(['metrics', '--help'])).stdout.replace(/\s+/g, ' ');
    expect(help).toContain('in milliseconds (default: 10000)');
    expect(help).toContain('in bytes (default: 104857600 = 100 MiB)');
    expect(help).toContain('-1 = no limit (default: -1)');
    expect(help).not.toContain('(default: [])');
  });
  it('subcommands: config, metrics -, rules', async () => {
    expect((await cli(['config', 'bad.yml', '--format', 'json'])).code).toBe(1);
    const metrics = await cli(['metrics', '-', '--format', 'github'], {
      stdin: 'a{job="x"} 1\na{job="y"} 1\n',
    });
    expect(metrics.code).toBe(0);
    expect(metrics.stdout).toMatch(/^::warning file=<stdin>,line=2,col=3,.*missing-up-series/);
    const rules = await cli(['rules']);
    expect(rules.stdout).toMatch(/^scrape-timeout\s+error/m);
    expect((await cli(['metrics'])).code).toBe(2);
  });
  it('colour only on a TTY and never with NO_COLOR', async () => {
    expect((await cli(['bad.yml'], { isTTY: true })).stdout).toContain('\u001b[');
    expect((await cli(['bad.yml'], { isTTY: true, env: { NO_COLOR: '1' } })).stdout).not.toContain('\u001b[');
    expect((await cli(['bad.yml'], { isTTY: true })).stdout).toContain('\u001b[');
    expect((await cli(['bad.yml', '--no-color'], { isTTY: true })).stdout).not.toContain('\u001b[');
  });
});
