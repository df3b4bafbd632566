/**
 * Integration checks of deploy/: every Prometheus configuration passes the real `promtool check config`, and the
 * Dockerfile's build steps, read from the Dockerfile itself, work when replayed in a temporary copy of the
 * repository (there is no Docker engine on the test machines, so `docker build` cannot be used).
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  accessSync,
  constants,
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import fg from 'fast-glob';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { execForm, parseCopy, parseDockerfile, parseEnv, type Stage } from './dockerfile.js';
import { isPrometheusConfig, loadYaml, withoutKubernetesDiscovery } from './manifests.js';

const deployDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = dirname(deployDir);
const scratch = mkdtempSync(join(tmpdir(), 'queuefront-deploy-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function onPath(binary: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    const candidate = join(dir, binary);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function promtool(): string {
  const found = onPath('promtool');
  if (found === undefined) {
    throw new Error(
      'promtool not found on PATH (it comes with Debian\'s "prometheus" package): install with: bash deploy/setup.sh',
    );
  }
  return found;
}

interface Run {
  readonly status: number | null;
  readonly output: string;
}
function checkConfig(file: string): Run {
  const result = spawnSync(promtool(), ['check', 'config', file], { encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const configFiles = fg
  .sync('**/*.{yaml,yml}', { cwd: deployDir })
  .sort()
  .filter((f) =>
    loadYaml(f, readFileSync(join(deployDir, f), 'utf8')).some((d) => isPrometheusConfig(d.value)),
  );

describe('promtool check config', () => {
  it('finds the Prometheus configurations of deploy/', () => {
    expect(configFiles).toEqual(['k8s/prometheus.yml', 'prometheus/demo.yml', 'prometheus/direct.yml']);
  });

  it.each(configFiles)('accepts %s', (file) => {
    const path = join(deployDir, file);
    const direct = checkConfig(path);
    if (direct.status === 0) {
      expect(direct.output).toContain('SUCCESS');
      return;
    }
    // Debian's promtool 2.42 is built without Kubernetes service discovery. Check everything else on a copy whose
    // kubernetes_sd_configs blocks are static_configs: the discovery blocks themselves are NOT checked here.
    expect(direct.output, direct.output).toMatch(/field kubernetes_sd_configs not found/);
    const value = loadYaml(file, readFileSync(path, 'utf8'))[0]?.value;
    const { config, replaced } = withoutKubernetesDiscovery(value);
    expect(replaced.length).toBeGreaterThan(0);
    const copy = join(scratch, file.replaceAll('/', '_'));
    writeFileSync(copy, stringify(config));
    const rest = checkConfig(copy);
    expect(rest.output).toContain('SUCCESS');
    expect(rest.status).toBe(0);
    console.info(
      `${file}: checked without the kubernetes_sd_configs of jobs ${replaced.join(', ')} (not checked)`,
    );
  });

  it('rejects a configuration that Prometheus would refuse (the check bites)', () => {
    const path = join(deployDir, 'prometheus/demo.yml');
    const broken = readFileSync(path, 'utf8').replace('scrape_timeout: 10s', 'scrape_timeout: 20s');
    const copy = join(scratch, 'timeout-over-interval.yml');
    writeFileSync(copy, broken);
    const run = checkConfig(copy);
    expect(run.status).toBe(1);
    expect(run.output).toMatch(/scrape timeout greater than scrape interval/);
  });
});

/**
 * Files of the repository as git knows them (tracked), copied from the working tree: a clean clone's content.
 * `DEPLOY_BUILD_CONTEXT=worktree` adds untracked files that git does not ignore, to try uncommitted work.
 */
function copyTrackedFiles(to: string): string[] {
  const untracked =
    process.env['DEPLOY_BUILD_CONTEXT'] === 'worktree' ? ['--others', '--exclude-standard'] : [];
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', ...untracked], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
  const files = listed.stdout.split('\0').filter((f) => f !== '' && existsSync(join(repoRoot, f)));
  for (const file of files) cpSync(join(repoRoot, file), join(to, file));
  return files;
}

interface StageResult {
  readonly root: string;
  readonly workdir: string;
  readonly env: Record<string, string>;
}

/** Maps an image path (absolute, or relative to WORKDIR) into the stage's directory. */
function inStage(root: string, workdir: string, path: string): string {
  return path.startsWith('/') ? join(root, path) : join(root, workdir, path);
}

/**
 * Replays one stage: WORKDIR, ENV, COPY (from the build context or an earlier stage) and RUN (with `sh -c`, in
 * the stage's WORKDIR). USER, EXPOSE, HEALTHCHECK, ENTRYPOINT and CMD change no file and are left to the caller.
 */
function replay(
  stage: Stage,
  index: number,
  context: string,
  done: ReadonlyMap<string, StageResult>,
): StageResult {
  const root = join(scratch, `stage-${index}-${stage.name ?? 'unnamed'}`);
  let workdir = '/';
  const env: Record<string, string> = {};
  for (const instruction of stage.instructions) {
    switch (instruction.keyword) {
      case 'WORKDIR':
        workdir = instruction.args.startsWith('/') ? instruction.args : join(workdir, instruction.args);
        break;
      case 'ENV':
        Object.assign(env, parseEnv(instruction));
        break;
      case 'COPY': {
        const copy = parseCopy(instruction);
        const from = copy.from === undefined ? undefined : done.get(copy.from);
        if (copy.from !== undefined && from === undefined)
          throw new Error(`COPY --from=${copy.from}: no such stage`);
        for (const source of copy.sources) {
          const src = from === undefined ? join(context, source) : inStage(from.root, '/', source);
          if (!existsSync(src)) {
            throw new Error(
              `line ${instruction.line}: COPY ${source}: not in ${from ? 'the stage' : 'the repository (git ls-files)'}`,
            );
          }
          const many = copy.sources.length > 1 || copy.destination.endsWith('/');
          const name =
            source
              .split('/')
              .filter((p) => p !== '' && p !== '.')
              .at(-1) ?? '';
          const dest = inStage(root, workdir, copy.destination);
          cpSync(src, many ? join(dest, name) : dest, { recursive: true });
        }
        break;
      }
      case 'RUN': {
        const argv = execForm(instruction.args) ?? ['sh', '-c', instruction.args];
        const [command, ...args] = argv;
        const result = spawnSync(command ?? 'sh', args, {
          cwd: inStage(root, workdir, '.'),
          env: {
            ...process.env,
            ...env,
            npm_config_prefer_offline: 'true',
            npm_config_update_notifier: 'false',
          },
          encoding: 'utf8',
          timeout: 480_000,
        });
        if (result.status !== 0) {
          const tail = `${result.stdout}${result.stderr}`.split('\n').slice(-30).join('\n');
          throw new Error(
            `line ${instruction.line}: RUN ${instruction.args} exited ${String(result.status)}:\n${tail}`,
          );
        }
        break;
      }
      default:
        break;
    }
  }
  return { root, workdir, env };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

describe('deploy/Dockerfile build steps, replayed in a temporary copy of the repository', () => {
  const dockerfile = parseDockerfile(readFileSync(join(deployDir, 'Dockerfile'), 'utf8'));
  const runtime = dockerfile.stages.at(-1);
  let image: StageResult | undefined;

  it('npm ci, npm run build and npm prune --omit=dev leave dist/ and production dependencies only', () => {
    const context = join(scratch, 'context');
    const files = copyTrackedFiles(context);
    expect(files).toContain('package-lock.json');
    const done = new Map<string, StageResult>();
    dockerfile.stages.forEach((stage, index) => {
      const result = replay(stage, index, context, done);
      done.set(stage.name ?? String(index), result);
    });
    image =
      runtime === undefined ? undefined : done.get(runtime.name ?? String(dockerfile.stages.length - 1));
    expect(image).toBeDefined();
    const app = inStage(image!.root, image!.workdir, '.');
    const pkg = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    for (const dep of Object.keys(pkg.dependencies))
      expect(existsSync(join(app, 'node_modules', dep)), dep).toBe(true);
    for (const dep of Object.keys(pkg.devDependencies)) {
      expect(existsSync(join(app, 'node_modules', dep)), `dev dependency ${dep} in the image`).toBe(false);
    }
    // Only what the build produced: no TypeScript sources next to dist/.
    expect(existsSync(join(app, 'exposer'))).toBe(false);
    const built = fg.sync('**/*.js', { cwd: join(app, 'dist') });
    expect(built.length).toBeGreaterThan(0);
    const sources = files.filter((f) => /^(exposition|exposer|lint|scripts)\/.*(?<!\.test)\.ts$/.test(f));
    for (const source of sources) {
      expect(built, `dist/ lacks the output of ${source}`).toContain(source.replace(/\.ts$/, '.js'));
    }
  }, 600_000);

  it('the image entrypoint runs: `exposer --help` exits 0 and lists the commands', () => {
    expect(image, 'the build steps above must succeed first').toBeDefined();
    const entrypoint = runtime?.instructions.filter((i) => i.keyword === 'ENTRYPOINT').at(-1);
    const argv = entrypoint === undefined ? undefined : execForm(entrypoint.args);
    expect(argv?.slice(0, 2)).toEqual(['node', 'dist/exposer/cli.js']);
    const [command, ...args] = argv ?? [];
    const result = spawnSync(command ?? 'node', [...args, '--help'], {
      cwd: inStage(image!.root, image!.workdir, '.'),
      env: { ...process.env, ...image!.env },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    for (const sub of ['serve', 'loadgen', 'demo-app']) expect(result.stdout).toContain(sub);
  });

  it('the HEALTHCHECK command passes against the image running `serve` on the real broker', async () => {
    expect(image, 'the build steps above must succeed first').toBeDefined();
    const brokers = process.env['KAFKA_BROKERS'];
    expect(brokers, 'KAFKA_BROKERS (set by the integration global setup)').toBeTruthy();
    const healthcheck = runtime?.instructions.filter((i) => i.keyword === 'HEALTHCHECK').at(-1)?.args ?? '';
    const probe = execForm(/\bCMD\s+(.*)$/s.exec(healthcheck)?.[1] ?? '');
    expect(probe?.[0]).toBe('node');
    const cmd = execForm(runtime?.instructions.filter((i) => i.keyword === 'CMD').at(-1)?.args ?? '') ?? [];
    const entry =
      execForm(runtime?.instructions.filter((i) => i.keyword === 'ENTRYPOINT').at(-1)?.args ?? '') ?? [];
    // The image listens on 0.0.0.0:9464; here, loopback and a free port, and the probe is pointed at that port.
    const port = await freePort();
    const cwd = inStage(image!.root, image!.workdir, '.');
    const topic = `deploy-int-${process.pid}`;
    const child = spawn(entry[0] ?? 'node', [...entry.slice(1), ...cmd], {
      cwd,
      env: {
        ...process.env,
        ...image!.env,
        EXPOSER_LISTEN: `127.0.0.1:${port}`,
        EXPOSER_BROKERS: brokers,
        EXPOSER_TOPIC: topic,
        EXPOSER_GROUP: topic,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const script = (probe ?? []).map((a) => a.replace('127.0.0.1:9464', `127.0.0.1:${port}`));
      let status: number | null = null;
      for (let attempt = 0; attempt < 60 && status !== 0 && child.exitCode === null; attempt++) {
        status = spawnSync(script[0] ?? 'node', script.slice(1), { timeout: 5_000 }).status;
        if (status !== 0) await new Promise((r) => setTimeout(r, 500));
      }
      expect(child.exitCode, `serve exited early:\n${stderr}`).toBeNull();
      expect(status).toBe(0);
    } finally {
      child.kill('SIGTERM');
      const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 10_000))]);
      if (code === 'timeout') child.kill('SIGKILL');
    }
  });
});

describe('deploy/Dockerfile COPY sources', () => {
  it('are tracked by git, so that docker build works on a clean clone', () => {
    // COPY sources of the build stage must be tracked by git, or `docker build` on a clean clone would fail.
    const listed = spawnSync('git', ['ls-files'], { cwd: repoRoot, encoding: 'utf8' }).stdout.split('\n');
    const build = parseDockerfile(readFileSync(join(deployDir, 'Dockerfile'), 'utf8')).stages[0];
    const sources = (build?.instructions ?? [])
      .filter((i) => i.keyword === 'COPY')
      .flatMap((i) => parseCopy(i).sources)
      .map((s) => relative('.', s));
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect(
        listed.some((f) => f === source || f.startsWith(`${source}/`)),
        `${source} is not tracked`,
      ).toBe(true);
    }
  });
});
