/**
 * The pre-commit hooks as a user meets them: pre-commit from PyPI in a temporary virtualenv (pip's own cache keeps the
 * download between runs), a temporary git repository with bad and good files, and this checkout's hooks at its HEAD.
 * pre-commit installs this package the way it installs any `language: node` hook (npm install, whose `prepare`
 * builds dist/; npm pack; npm install -g), so this also proves the package installs and its `scrapelint` bin runs.
 *
 * `pre-commit try-repo <checkout>` writes `repos: [{repo: <checkout>, rev: <HEAD>, hooks: <every hook>}]` and runs
 * it, but with a store of its own per call, so each call built the node environment again (about two minutes each on
 * two cores). This test writes that same configuration itself and runs `pre-commit run` twice with one store: the
 * environment is built once and both runs use it.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { z } from 'zod';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
/** The checkout itself when clean (CI); else a clone of its HEAD (uncommitted changes are not part of a rev). */
let checkout = root;
const MINUTES = 60_000;

let work: string;
let preCommit: string;
let repo: string;
let env: NodeJS.ProcessEnv;

/** Runs every hook of this checkout on `files`; all runs share one pre-commit store, so one node environment. */
async function runHooks(files: readonly string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(
      preCommit,
      ['run', '--verbose', '--color', 'never', '--files', ...files],
      {
        cwd: repo,
        env,
        timeout: 15 * MINUTES,
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'scrapelint-pre-commit-'));
  const { stdout: dirty } = await run('git', ['status', '--porcelain', '--untracked-files=no'], {
    cwd: root,
  });
  if (dirty.trim() !== '') {
    checkout = join(work, 'source');
    await run('git', ['clone', '--quiet', root, checkout]);
  }
  env = {
    ...process.env,
    PRE_COMMIT_HOME: join(work, 'cache'),
    PIP_DISABLE_PIP_VERSION_CHECK: '1',
    NO_COLOR: '1',
  };
  await run('python3', ['-m', 'venv', join(work, 'venv')], { timeout: 5 * MINUTES });
  await run(join(work, 'venv', 'bin', 'pip'), ['install', '--quiet', 'pre-commit'], {
    env,
    timeout: 10 * MINUTES,
  });
  preCommit = join(work, 'venv', 'bin', 'pre-commit');
  repo = join(work, 'repo');
  await run('git', ['init', '--quiet', repo]);
  writeFileSync(
    join(repo, 'bad.yml'),
    'scrape_configs:\n  - job_name: exposer\n    scrape_interval: 10s\n    scrape_timeout: 30s\n    static_configs: [{targets: [exposer:8080]}]\n',
  );
  writeFileSync(
    join(repo, 'good.yml'),
    'scrape_configs:\n  - job_name: node\n    static_configs: [{targets: [a:9100, b:9100]}]\n',
  );
  writeFileSync(join(repo, 'bad.prom'), 'http_requests_total{code="200"} lots\n');
  writeFileSync(
    join(repo, 'bad.md'),
    '# Design\n\n```mermaid\nflowchart LR\n  A[Checkout] -->|push| K[(Kafka)]\n  K --> E[Exposer]\n  P[Prometheus] -->|scrapes| E\n```\n',
  );
  writeFileSync(
    join(repo, 'good.md'),
    '# Design\n\n```mermaid\nflowchart LR\n  P[Prometheus] -->|scrapes| A[Checkout]\n```\n',
  );
  writeFileSync(
    join(repo, 'good.prom'),
    '# TYPE http_requests_total counter\nhttp_requests_total{code="200"} 1027\n',
  );
  // What try-repo would write: this checkout at its HEAD, every hook it declares.
  const { stdout: head } = await run('git', ['rev-parse', 'HEAD'], { cwd: checkout });
  const manifest = z
    .array(z.object({ id: z.string() }))
    .parse(parse(readFileSync(join(checkout, '.pre-commit-hooks.yaml'), 'utf8')));
  writeFileSync(
    join(repo, '.pre-commit-config.yaml'),
    stringify({ repos: [{ repo: checkout, rev: head.trim(), hooks: manifest.map(({ id }) => ({ id })) }] }),
  );
  await run('git', ['add', '.'], { cwd: repo });
}, 20 * MINUTES);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('pre-commit run with this checkout as the hook repository', () => {
  it(
    'every hook fails on its bad file, naming the rule',
    async () => {
      const { code, output } = await runHooks(['bad.yml', 'bad.prom', 'bad.md']);
      expect(output).toMatch(/scrapelint \(Prometheus configs and operator resources\)\.+Failed/);
      expect(output).toMatch(/scrapelint \(exposition fixtures\)\.+Failed/);
      expect(output).toMatch(/scrapelint \(architecture docs\)\.+Failed/);
      expect(output).toContain('scrape-timeout');
      expect(output).toContain('parse-error');
      expect(output).toContain('architecture-queue');
      expect(code).toBe(1);
    },
    20 * MINUTES,
  );

  it(
    'every hook passes the good files',
    async () => {
      const { code, output } = await runHooks(['good.yml', 'good.prom', 'good.md']);
      expect(output.match(/\.+Passed/g)).toHaveLength(3);
      expect(code).toBe(0);
    },
    20 * MINUTES,
  );
});
