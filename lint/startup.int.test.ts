/**
 * What each scrapelint command loads. A pre-commit hook starts scrapelint on every commit, so the command line
 * imports a command's code when it runs (lint/cli.ts), the config engine and the yaml package when a configuration
 * is linted (lint/config-engine.ts, lint/rc.ts) and fast-glob/picomatch when a directory, a glob or an ignore pattern
 * needs them (lint/files.ts). A module-resolution hook in the real process lists every module it loads. Whether
 * this makes start-up faster is a benchmark's question (bench/startup.ts), not this test's.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
// tsx's loader by path: the runs below start in temporary directories, where the name would not resolve.
const tsx = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;

// Registered after tsx, so it sees the URL tsx resolved. It runs on the loader thread, whose process.stderr is
// relayed through the main thread (and may be cut off when the process exits): it writes to fd 2 directly.
const HOOK = `import { writeSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (!resolved.url.startsWith('node:')) writeSync(2, 'LOADED ' + resolved.url + '\\n');
  return resolved;
}`;
const REGISTER = `import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(HOOK)}));`;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  /** Packages (node_modules/<name>) and project files (relative paths) the process loaded. */
  readonly loaded: Set<string>;
}

function run(args: string[], stdin = '', cwd = root): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        tsx,
        '--import',
        `data:text/javascript,${encodeURIComponent(REGISTER)}`,
        join(root, 'lint/cli.ts'),
        ...args,
      ],
      { cwd, env: { ...process.env, NO_COLOR: '1' } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', fail);
    child.on('close', (code) => {
      const loaded = new Set<string>();
      for (const line of stderr.split('\n')) {
        if (!line.startsWith('LOADED file://')) continue;
        const path = fileURLToPath(line.slice('LOADED '.length));
        const modules = path.lastIndexOf('/node_modules/');
        if (modules !== -1) {
          const rest = path.slice(modules + '/node_modules/'.length).split('/');
          loaded.add(rest[0]?.startsWith('@') === true ? `${rest[0]}/${rest[1]}` : (rest[0] ?? ''));
        } else if (path.startsWith(root)) {
          loaded.add(path.slice(root.length).replace(/^\//, ''));
        }
      }
      done({ code, stdout, loaded });
    });
    child.stdin.end(stdin);
  });
}

const scratch = mkdtempSync(join(tmpdir(), 'scrapelint-startup-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const EXPOSITION = '# HELP up_total Ups.\n# TYPE up_total counter\nup_total 1\n';
const CONFIG = 'scrape_configs:\n  - job_name: node\n    static_configs:\n      - targets: [a:9100]\n';
const YAML_CODE = ['yaml', 'lint/config-engine.ts', 'lint/sources/config.ts', 'lint/rc-file.ts'];
const GLOB_CODE = ['fast-glob', 'picomatch'];

describe('what a scrapelint command loads', () => {
  it('--version and --help load commander and no command', async () => {
    for (const flag of ['--version', '--help']) {
      const { code, stdout, loaded } = await run([flag]);
      expect(code).toBe(0);
      expect(stdout).not.toBe('');
      expect(loaded.has('commander')).toBe(true);
      for (const heavy of ['zod', 'lint/commands/lint.ts', 'lint/engine.ts', ...YAML_CODE, ...GLOB_CODE])
        expect(loaded, `${flag} loaded ${heavy}`).not.toContain(heavy);
    }
  });

  it('metrics on stdin loads the parser and the rules, not the YAML reader or the globbing', async () => {
    const { code, stdout, loaded } = await run(['metrics', '--no-rc', '-'], EXPOSITION);
    expect({ code, stdout }).toEqual({ code: 0, stdout: '' });
    expect(loaded).toContain('exposition/parse.ts');
    expect(loaded).toContain('zod');
    for (const heavy of [...YAML_CODE, ...GLOB_CODE]) expect(loaded).not.toContain(heavy);
  });

  it('metrics on a named file without --no-rc, and no rc file up the tree: still no YAML reader', async () => {
    const file = join(scratch, 'metrics.prom');
    writeFileSync(file, EXPOSITION);
    const { code, loaded } = await run(['metrics', file], '', scratch);
    expect(code).toBe(0);
    for (const heavy of [...YAML_CODE, ...GLOB_CODE]) expect(loaded).not.toContain(heavy);
  });

  it('a configuration loads the YAML reader, and a directory the globbing', async () => {
    const file = join(scratch, 'prometheus.yml');
    writeFileSync(file, CONFIG);
    const named = await run(['config', '--no-rc', file]);
    expect(named.code).toBe(0);
    expect(named.loaded).toContain('yaml');
    expect(named.loaded).toContain('lint/config-engine.ts');
    for (const glob of GLOB_CODE) expect(named.loaded).not.toContain(glob);
    const walked = await run(['--no-rc', scratch]);
    expect(walked.code).toBe(0);
    for (const glob of GLOB_CODE) expect(walked.loaded).toContain(glob);
  });

  it('an rc file is read (and the yaml package loaded) when there is one', async () => {
    const dir = mkdtempSync(join(scratch, 'rc-'));
    writeFileSync(join(dir, '.scrapelintrc.yaml'), 'rules:\n  single-massive-target: off\n');
    writeFileSync(join(dir, 'metrics.prom'), EXPOSITION);
    const { code, loaded } = await run(['metrics', 'metrics.prom'], '', dir);
    expect(code).toBe(0);
    expect(loaded).toContain('lint/rc-file.ts');
    expect(loaded).toContain('yaml');
  });
});
