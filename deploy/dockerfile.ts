/**
 * A small Dockerfile reader for deploy/Dockerfile: enough of the syntax to check the file's promises (stages,
 * non-root user, healthcheck, production dependencies) and to replay its build steps in a temporary directory.
 * Not a full implementation of the Dockerfile grammar: no heredocs, no `ARG` substitution, no escape directive.
 */

export interface Instruction {
  /** Upper-cased keyword, e.g. `RUN`. */
  readonly keyword: string;
  /** Everything after the keyword, continuation lines joined with a space. */
  readonly args: string;
  /** 1-based line of the keyword. */
  readonly line: number;
}

export interface Stage {
  /** The image of `FROM`. */
  readonly image: string;
  /** The `AS` name, when there is one. */
  readonly name?: string;
  readonly line: number;
  readonly instructions: readonly Instruction[];
}

export interface Dockerfile {
  readonly stages: readonly Stage[];
}

export class DockerfileError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'DockerfileError';
  }
}

/** Splits a Dockerfile into stages of instructions. Throws DockerfileError on what it cannot read. */
export function parseDockerfile(text: string): Dockerfile {
  const lines = text.split(/\r?\n/);
  const instructions: Instruction[] = [];
  let pending: { keyword: string; parts: string[]; line: number } | undefined;

  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    const trimmed = raw.trim();
    // Comments and blank lines may sit inside a continued instruction; they are dropped there too.
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const continues = trimmed.endsWith('\\');
    const body = continues ? trimmed.slice(0, -1).trim() : trimmed;
    if (pending === undefined) {
      const match = /^([A-Za-z]+)(?:\s+(.*))?$/.exec(body);
      if (match === null) throw new DockerfileError(`expected an instruction, found "${trimmed}"`, i + 1);
      pending = { keyword: (match[1] ?? '').toUpperCase(), parts: [match[2] ?? ''], line: i + 1 };
    } else {
      pending.parts.push(body);
    }
    if (!continues) {
      instructions.push({
        keyword: pending.keyword,
        args: pending.parts.filter((p) => p !== '').join(' '),
        line: pending.line,
      });
      pending = undefined;
    }
  }
  if (pending !== undefined) {
    throw new DockerfileError(
      `${pending.keyword} ends with a line continuation and nothing after it`,
      pending.line,
    );
  }

  const stages: { image: string; name?: string; line: number; instructions: Instruction[] }[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const words = instruction.args.split(/\s+/).filter((w) => !w.startsWith('--'));
      const image = words[0];
      if (image === undefined || image === '')
        throw new DockerfileError('FROM without an image', instruction.line);
      if (words.length === 3 && words[1]?.toUpperCase() === 'AS' && words[2] !== undefined) {
        stages.push({ image, name: words[2], line: instruction.line, instructions: [] });
      } else if (words.length === 1) {
        stages.push({ image, line: instruction.line, instructions: [] });
      } else {
        throw new DockerfileError(`cannot read FROM ${instruction.args}`, instruction.line);
      }
      continue;
    }
    const stage = stages.at(-1);
    if (stage === undefined) {
      throw new DockerfileError(`${instruction.keyword} before the first FROM`, instruction.line);
    }
    stage.instructions.push(instruction);
  }
  if (stages.length === 0) throw new DockerfileError('no FROM instruction', 1);
  return { stages };
}

/** The JSON array of an exec-form instruction (`["node", "x.js"]`), or undefined for the shell form. */
export function execForm(args: string): string[] | undefined {
  if (!args.trimStart().startsWith('[')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(args);
  } catch {
    return undefined;
  }
  return Array.isArray(parsed) && parsed.every((p) => typeof p === 'string') ? parsed : undefined;
}

export interface CopySpec {
  readonly from?: string;
  readonly sources: readonly string[];
  readonly destination: string;
}

/** Reads `COPY [--from=x] [--chown=..] src... dest` (shell or JSON form). */
export function parseCopy(instruction: Instruction): CopySpec {
  const json = execForm(instruction.args);
  const words = json ?? instruction.args.split(/\s+/).filter((w) => w !== '');
  let from: string | undefined;
  const paths: string[] = [];
  for (const word of words) {
    if (json === undefined && word.startsWith('--')) {
      const flag = /^--from=(.+)$/.exec(word);
      if (flag?.[1] !== undefined) from = flag[1];
      continue;
    }
    paths.push(word);
  }
  const destination = paths.pop();
  if (destination === undefined || paths.length === 0) {
    throw new DockerfileError('COPY needs at least one source and a destination', instruction.line);
  }
  return from === undefined ? { sources: paths, destination } : { from, sources: paths, destination };
}

/** `ENV a=b c=d` and the legacy `ENV a b` as a record. */
export function parseEnv(instruction: Instruction): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  const args = instruction.args.trim();
  if (!args.includes('=')) {
    const [key, ...rest] = args.split(/\s+/);
    if (key === undefined || key === '' || rest.length === 0) {
      throw new DockerfileError(`cannot read ENV ${args}`, instruction.line);
    }
    out[key] = rest.join(' ');
    return out;
  }
  const pattern = /([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g;
  for (const match of args.matchAll(pattern)) {
    const key = match[1] ?? '';
    const value = match[2] ?? '';
    out[key] = value.startsWith('"') ? (JSON.parse(value) as string) : value;
  }
  return out;
}

const SLIM_NODE_20 = /^node:20(?:\.\d+){0,2}-(?:[a-z]+-)?slim(?:@sha256:[0-9a-f]{64})?$/;

/**
 * What deploy/Dockerfile promises: multi-stage on Node 20 slim, `npm ci` then build, only production
 * dependencies in the final stage, a non-root user, a node-based healthcheck on /-/healthy, port 9464 and the
 * exposer listening on every interface of the container. Returns one message per broken promise.
 */
export function checkDockerfile(file: Dockerfile): string[] {
  const problems: string[] = [];
  const { stages } = file;
  if (stages.length < 2) problems.push(`expected a multi-stage build, found ${stages.length} stage`);

  for (const stage of stages) {
    if (!SLIM_NODE_20.test(stage.image)) {
      problems.push(`line ${stage.line}: FROM ${stage.image} is not a Node 20 slim image`);
    }
  }
  const names = new Set<string>();
  for (const stage of stages) {
    for (const instruction of stage.instructions) {
      if (instruction.keyword !== 'COPY') continue;
      const copy = parseCopy(instruction);
      if (copy.from !== undefined && !names.has(copy.from)) {
        problems.push(`line ${instruction.line}: COPY --from=${copy.from} names no earlier stage`);
      }
    }
    if (stage.name !== undefined) names.add(stage.name);
  }

  const runs = (stage: Stage): string[] =>
    stage.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
  const build = stages.slice(0, -1);
  const final = stages.at(-1);
  if (final === undefined) return problems;

  const buildRuns = build.flatMap(runs);
  if (!buildRuns.some((r) => /\bnpm ci\b/.test(r) && !/--omit=dev|--production/.test(r))) {
    problems.push('no build stage installs every dependency with `npm ci`');
  }
  if (!buildRuns.some((r) => /\bnpm run build\b/.test(r)))
    problems.push('no build stage runs `npm run build`');

  // Production dependencies only: either the final stage installs them (`npm ci --omit=dev`), or it copies
  // node_modules from a stage that pruned the development ones after building.
  const productionOnly = /\bnpm (?:ci|prune)\b[^&|;]*(?:--omit=dev|--production)/;
  const finalRuns = runs(final);
  const prunedStages = new Set(
    build
      .filter((stage) => {
        const stageRuns = runs(stage).join(' && ');
        const built = stageRuns.search(/\bnpm run build\b/);
        const pruned = stageRuns.search(/\bnpm prune\b[^&|;]*(?:--omit=dev|--production)/);
        return pruned !== -1 && built !== -1 && built < pruned;
      })
      .map((stage) => stage.name),
  );
  const copiedModules = final.instructions
    .filter((i) => i.keyword === 'COPY')
    .map(parseCopy)
    .filter((c) => c.sources.some((source) => /node_modules/.test(source)));
  const installsProduction = finalRuns.some((r) => productionOnly.test(r));
  const copiesPruned = copiedModules.length > 0 && copiedModules.every((c) => prunedStages.has(c.from));
  if (!installsProduction && !copiesPruned) {
    problems.push(
      'the final stage neither installs production dependencies only (`npm ci --omit=dev`) nor copies ' +
        'node_modules from a stage that ran `npm prune --omit=dev` after building',
    );
  }
  if (finalRuns.some((r) => /\bnpm ci\b/.test(r) && !/--omit=dev|--production/.test(r))) {
    problems.push('the final stage installs development dependencies');
  }
  if (finalRuns.some((r) => /\bnpm ci\b/.test(r) && !/--ignore-scripts/.test(r))) {
    problems.push(
      '`npm ci` in the final stage runs the `prepare` script, which needs TypeScript: add --ignore-scripts',
    );
  }

  const users = final.instructions.filter((i) => i.keyword === 'USER');
  const user = users.at(-1)?.args.trim();
  if (user === undefined) problems.push('the final stage has no USER: the container would run as root');
  else if (/^(?:root|0)(?::.*)?$/.test(user)) problems.push(`the final stage runs as ${user}`);

  const healthchecks = final.instructions.filter((i) => i.keyword === 'HEALTHCHECK');
  const healthcheck = healthchecks.at(-1)?.args;
  if (healthcheck === undefined || /^NONE\b/i.test(healthcheck.trim())) {
    problems.push('the final stage has no HEALTHCHECK');
  } else {
    const cmd = /\bCMD\s+(.*)$/s.exec(healthcheck)?.[1] ?? '';
    const argv = execForm(cmd);
    if (argv?.[0] !== 'node') problems.push('the HEALTHCHECK does not run node in exec form');
    if (!cmd.includes('/-/healthy')) problems.push('the HEALTHCHECK does not probe /-/healthy');
    if (/\b(?:curl|wget)\b/.test(cmd))
      problems.push('the HEALTHCHECK uses curl or wget, absent from slim images');
  }

  const exposed = final.instructions
    .filter((i) => i.keyword === 'EXPOSE')
    .flatMap((i) => i.args.split(/\s+/))
    .map((p) => p.replace(/\/tcp$/, ''));
  if (!exposed.includes('9464')) problems.push('the final stage does not EXPOSE 9464');

  const env = Object.assign(
    {},
    ...final.instructions.filter((i) => i.keyword === 'ENV').map(parseEnv),
  ) as Record<string, string>;
  if (env['EXPOSER_LISTEN'] !== '0.0.0.0:9464') {
    problems.push(
      'the final stage does not set EXPOSER_LISTEN=0.0.0.0:9464 (loopback is unreachable from outside)',
    );
  }

  const entrypoint = final.instructions.filter((i) => i.keyword === 'ENTRYPOINT').at(-1);
  const argv = entrypoint === undefined ? undefined : execForm(entrypoint.args);
  if (argv?.[0] !== 'node' || argv[1] !== 'dist/exposer/cli.js') {
    problems.push('the ENTRYPOINT is not ["node", "dist/exposer/cli.js", ...] in exec form');
  }
  return problems;
}
