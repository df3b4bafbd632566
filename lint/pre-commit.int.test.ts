/**
 * The pre-commit hooks as a user meets them: pre-commit from PyPI in a temporary virtualenv (pip's own cache keeps the
 * download between runs), a temporary git repository with bad and good files, and this checkout's hooks at its HEAD.
 * pre-commit installs this package the way it installs any `language: node` hook (npm install, whose `prepare`
 * builds dist/; npm pack; npm install -g), so this also proves the package installs and its `scrapelint` bin runs.
 *
 * `pre-commit try-repo <checkout>` runs every hook of the checkout with a store of its own per call, so each call
 * builds the node environment again (about two minutes on two cores). One call therefore gets the bad and the good
 * files together: each hook must fail, naming its rule and its bad file, and say nothing about the good files
 * (scrapelint reports per file, so a good file that failed would be named).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
/** The checkout itself when clean (CI); else a clone of its HEAD (uncommitted changes are not part of a rev). */
let checkout = root;
const MINUTES = 60_000;

let work: string;
let preCommit: string;
let repo: string;
let head: string;
let env: NodeJS.ProcessEnv;

/** `pre-commit try-repo <checkout> --files …`: every hook of this checkout at its HEAD, on `files`. */
async function tryRepo(files: readonly string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(
      preCommit,
      ['try-repo', checkout, '--ref', head, '--verbose', '--color', 'never', '--files', ...files],
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
    join(repo, 'bad.alloy'),
    'prometheus.scrape "slow" {\n  targets = [{"__address__" = "app:8080"}]\n  scrape_interval = "10s"\n  scrape_timeout = "1m"\n  forward_to = []\n}\n',
  );
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
  head = (await run('git', ['rev-parse', 'HEAD'], { cwd: checkout })).stdout.trim();
  await run('git', ['add', '.'], { cwd: repo });
}, 20 * MINUTES);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('pre-commit try-repo with this checkout', () => {
  it(
    'every hook fails on its bad file, naming the rule and the file, and passes over the good files',
    async () => {
      const { code, output } = await tryRepo([
        'bad.yml',
        'good.yml',
        'bad.prom',
        'good.prom',
        'bad.md',
        'good.md',
        'bad.alloy',
      ]);
      expect(output).toMatch(
        /scrapelint \(Prometheus configs, operator resources and Alloy files\)\.+Failed/,
      );
      expect(output).toMatch(/scrapelint \(exposition fixtures\)\.+Failed/);
      expect(output).toMatch(/scrapelint \(architecture docs\)\.+Failed/);
      expect(output).toContain('scrape-timeout');
      expect(output).toContain('parse-error');
      expect(output).toContain('architecture-queue');
      for (const bad of ['bad.yml', 'bad.prom', 'bad.md', 'bad.alloy']) expect(output).toContain(bad);
      for (const good of ['good.yml', 'good.prom', 'good.md']) expect(output).not.toContain(good);
      expect(code).toBe(1);
    },
    20 * MINUTES,
  );
});
