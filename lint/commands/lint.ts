/**
 * `scrapelint [paths...]`, `scrapelint config|metrics|docs ...`: the lint command as a plain async function.
 * It reads inputs, runs the engine, formats the report, writes it (stdout or --output) and decides the exit code:
 * 0 clean (warnings within --max-warnings), 1 errors or too many warnings; problems of usage, configuration or
 * I/O are thrown as ScrapelintError (exit code 2, handled in cli.ts).
 */
import { fstatSync } from 'node:fs';
import { mkdir, open, readFile, stat, writeFile } from 'node:fs/promises';
import { isUtf8 } from 'node:buffer';
import { dirname, relative, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { lintDocsModel, lintExpositionStream, lintSourceError } from '../engine.js';
import type { LintSettings } from '../engine.js';
import { describeIoError, ioError, ScrapelintError, usageError } from '../errors.js';
import { expandPaths, globFiles, ignoredBy, isUrl } from '../files.js';
import { mergeOperatorDefaults, PROMETHEUS_RESOURCE } from '../operator-defaults.js';
import { loadSettings } from '../rc.js';
import { reporters } from '../reporters/index.js';
import type { FormatName } from '../reporters/index.js';
import { rules } from '../rules/index.js';
import { detectKind, goTemplateAction, isAlloy, judgedByContent } from '../sources/detect.js';
import { firstUnprintable } from '../sources/unprintable.js';
import type { parseConfig as ParseConfigFn } from '../sources/config.js';
import type { FileResult, SourceKind } from '../types.js';
import { VERSION } from '../version.js';

export interface LintCommandOptions {
  readonly paths: readonly string[];
  /** Narrows inputs to one kind (the config, metrics and docs commands). */
  readonly only?: SourceKind | undefined;
  readonly cwd: string;
  readonly format: FormatName;
  readonly outputFile?: string | undefined;
  readonly ruleFlags?: readonly string[] | undefined;
  readonly configFile?: string | undefined;
  readonly noConfig?: boolean | undefined;
  /** -1 (default): no limit. */
  readonly maxWarnings?: number | undefined;
  readonly hygiene?: boolean | undefined;
  /** Report errors only. */
  readonly quiet?: boolean | undefined;
  readonly color: boolean;
  readonly stdin?: NodeJS.ReadableStream | undefined;
  /** For URLs: the whole fetch's deadline and the largest body. */
  readonly timeoutMs?: number | undefined;
  readonly maxBytes?: number | undefined;
}

export interface CommandResult {
  readonly exitCode: 0 | 1;
  /** What goes to stdout (empty when written to --output). */
  readonly stdout: string;
  /** Notes for stderr (skipped files, too many warnings). */
  readonly stderr: string;
  readonly results: readonly FileResult[];
}

const STDIN_NAME = '<stdin>';
const OPENMETRICS_NAME = /\.(om|openmetrics)$/i;
const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

const KIND_NAMES: Record<SourceKind, { what: string; command: string }> = {
  config: {
    what: 'a Prometheus configuration or operator resource (YAML), or a Grafana Alloy file',
    command: 'config',
  },
  exposition: { what: 'an exposition', command: 'metrics' },
  docs: { what: 'Markdown', command: 'docs' },
};

/**
 * A file named under `config`, `metrics` or `docs` whose name says it is of another kind: the command was asked
 * the wrong thing, nothing was linted (a usage error, exit 2; promtool's check commands fail on such a file).
 */
function wrongKind(input: string, head: string, only: SourceKind): string {
  const asked = KIND_NAMES[only];
  const actual = detectKind(input, head);
  if (actual === undefined) return `${input}: not ${asked.what}, which scrapelint ${asked.command} reads`;
  // A config the name or content shows to be Alloy is named so, not as the YAML kinds.
  const looksLike =
    actual !== 'config'
      ? KIND_NAMES[actual].what
      : isAlloy(input, head)
        ? 'a Grafana Alloy file'
        : 'a Prometheus configuration or operator resource (YAML)';
  const hint = `; it looks like ${looksLike}: scrapelint ${KIND_NAMES[actual].command} ${input}`;
  return `${input}: not ${asked.what}, which scrapelint ${asked.command} reads${hint}`;
}
const HEAD_BYTES = 64 * 1024;

/** The first HEAD_BYTES of a file, decoded, and whether that was all of it. */
async function readHead(path: string): Promise<{ text: string; bytes: Buffer; complete: boolean }> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
    const bytes = buffer.subarray(0, bytesRead);
    return { text: bytes.toString('utf8'), bytes, complete: bytesRead < HEAD_BYTES };
  } finally {
    await handle.close();
  }
}

/**
 * The first place of a byte sequence that is not UTF-8 (decoded to U+FFFD), or -1; also -1 when a control
 * character comes first (the config source reports that one, lint/sources/config.ts `firstUnprintable`).
 */
function firstNotUtf8(bytes: Buffer, text: string): number {
  if (isUtf8(bytes)) return -1;
  const at = text.indexOf('\uFFFD');
  const control = firstUnprintable(text);
  return control !== -1 && control < at ? -1 : at;
}

/** The size of an open file descriptor when it is a regular file (stdin redirected from a file), else undefined. */
function regularFileSize(fd: number): number | undefined {
  try {
    const info = fstatSync(fd);
    return info.isFile() ? info.size : undefined;
  } catch {
    return undefined;
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer | string>)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

async function lintText(
  text: string,
  filePath: string,
  kind: SourceKind,
  settings: LintSettings,
): Promise<FileResult> {
  switch (kind) {
    case 'config': {
      const { lintConfigText } = await import('../config-engine.js');
      return lintConfigText(text, filePath, settings);
    }
    case 'docs': {
      const { parseDocs } = await import('../sources/docs.js');
      return lintDocsModel(parseDocs(text, filePath), settings);
    }
    case 'exposition':
      return lintExpositionStream(Readable.from([text]) as AsyncIterable<string>, { filePath, settings });
  }
}

async function lintUrlInput(
  url: string,
  options: LintCommandOptions,
  settings: LintSettings,
): Promise<FileResult> {
  const { fetchExposition, FetchError, redactUrl } = await import('../sources/fetch.js');
  try {
    const fetched = await fetchExposition(url, {
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
    });
    return await lintExpositionStream(fetched.body, {
      filePath: redactUrl(url),
      contentType: fetched.contentType,
      settings,
    });
  } catch (error) {
    if (error instanceof FetchError) throw ioError(error.message, error);
    throw error;
  }
}

/** A configuration read but not linted yet (see `lintConfigs`). */
interface PendingConfig {
  readonly config: string;
  readonly filePath: string;
  /** Named under `scrapelint config`: YAML holding no configuration is a parse-error. */
  readonly requireConfig?: boolean;
}

/**
 * Lints the configurations read, with the defaults of the `Prometheus` resources among them (only files that may
 * hold one are parsed twice), keeping the inputs' order.
 */
async function lintConfigs(
  read: readonly (FileResult | PendingConfig)[],
  settings: LintSettings,
  cwd: string,
  ignore: readonly string[],
  note: (text: string) => void,
): Promise<FileResult[]> {
  const pending = read.filter((r): r is PendingConfig => 'config' in r);
  // The YAML reader and the config engine are loaded only when there is a configuration to lint (start-up).
  if (pending.length === 0) return [...(read as FileResult[])];
  const [{ lintConfigText }, { parseConfig }] = await Promise.all([
    import('../config-engine.js'),
    import('../sources/config.js'),
  ]);
  const operatorDefaults = mergeOperatorDefaults(
    pending
      .filter((p) => PROMETHEUS_RESOURCE.test(p.config))
      .flatMap((p) => parseConfig(p.config, p.filePath).prometheusResources.map((r) => r.defaults)),
  );
  const includes = await scrapeConfigFiles(pending, cwd, ignore, parseConfig, note);
  const included = new Set(includes.flatMap((i) => i.files));
  const byPath = new Map(pending.map((p) => [p.filePath, p.config]));
  const results: FileResult[] = [];
  for (const r of read) {
    if (!('config' in r)) {
      results.push(r);
      continue;
    }
    // A file of scrape_config_files is linted once, after the file that names it, with that file's global.
    if (included.has(r.filePath)) continue;
    const result = lintConfigText(r.config, r.filePath, settings, rules, {
      operatorDefaults,
      requireConfig: r.requireConfig === true,
    });
    results.push(result);
    const include = includes.find((i) => i.from === r);
    if (include === undefined) continue;
    const from = displayPath(cwd, r.filePath);
    const jobNames = new Map(
      result.model.jobs
        .filter((job) => job.origin === 'prometheus' && job.name.range !== job.range)
        .map((job) => [job.name.value, from]),
    );
    for (const file of include.files) {
      const text = byPath.get(file) ?? (await readIncluded(file, from));
      results.push(
        lintConfigText(text, file, settings, rules, {
          operatorDefaults,
          includedBy: { from, shownAs: displayPath(cwd, file), global: result.model.global, jobNames },
        }),
      );
    }
  }
  return results;
}

type ParseConfig = typeof ParseConfigFn;

const displayPath = (cwd: string, path: string): string =>
  path === STDIN_NAME ? path : relative(cwd, path) || path;

/**
 * The files that the `scrape_config_files` of each configuration name, as Prometheus finds them: each entry a
 * path or a glob (filepath.Glob: `*`, `?`, `[...]`) relative to the configuration's directory, the matches in
 * order, each file taken once (by the first configuration that names it). A pattern that matches nothing is no
 * error to Prometheus; here it is a note, as a misspelt one would silently drop jobs.
 */
async function scrapeConfigFiles(
  pending: readonly PendingConfig[],
  cwd: string,
  ignore: readonly string[],
  parseConfig: ParseConfig,
  note: (text: string) => void,
): Promise<{ from: PendingConfig; files: string[] }[]> {
  const out: { from: PendingConfig; files: string[] }[] = [];
  const taken = new Set<string>();
  const isIgnored = await ignoredBy(ignore, cwd);
  const including = pending
    .filter((p) => p.config.includes('scrape_config_files'))
    .map((p) => ({ p, patterns: parseConfig(p.config, p.filePath).scrapeConfigFiles }))
    .filter(({ patterns }) => patterns.length > 0);
  // A configuration of the run that names files is linted as itself, never as another's file (two that name
  // each other would otherwise both wait for the other and neither be linted).
  const includers = new Set(including.map(({ p }) => p.filePath));
  for (const { p, patterns } of including) {
    const dir = p.filePath === STDIN_NAME ? cwd : dirname(p.filePath);
    const files: string[] = [];
    for (const pattern of patterns) {
      const matches = await globFiles(pattern.value, dir);
      if (matches.length === 0)
        note(
          `scrapelint: ${displayPath(cwd, p.filePath)}: scrape_config_files entry "${pattern.value}" matches no file (Prometheus reads no jobs from it)\n`,
        );
      for (const match of matches) {
        if (taken.has(match) || includers.has(match)) continue;
        // The configuration file's ignore globs hold for these files as for any other.
        if (isIgnored(match)) continue;
        taken.add(match);
        files.push(match);
      }
    }
    if (files.length > 0) out.push({ from: p, files });
  }
  return out;
}

async function readIncluded(file: string, from: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw ioError(`${file} (in scrape_config_files of ${from}): ${describeIoError(error)}`, error);
  }
}

export async function lintCommand(options: LintCommandOptions): Promise<CommandResult> {
  if (options.paths.length === 0)
    throw usageError('no paths given (a file, directory, glob, URL or - for stdin)');
  const rc = await loadSettings({
    cwd: options.cwd,
    configFile: options.configFile,
    noConfig: options.noConfig,
    ruleFlags: options.ruleFlags,
    hygiene: options.hygiene,
  });
  const settings = rc.settings;
  let stderr = '';
  const inputs = await expandPaths(
    options.paths,
    options.cwd,
    rc.ignore,
    (path) => {
      stderr += `scrapelint: skipped ${path}: it matches an ignore pattern of the configuration file\n`;
    },
    (path, why) => {
      stderr += `scrapelint: skipped ${displayPath(options.cwd, path)}: ${why}\n`;
    },
  );
  /** Files named on the command line (not found by walking a directory or matching a glob). */
  const named = new Set(
    options.paths.filter((p) => p !== '-' && !isUrl(p)).map((p) => resolve(options.cwd, p)),
  );
  // Configs are linted after every input was read: the Prometheus resources among them (in any file, in any order)
  // give the operator jobs of all of them their defaults (lint/operator-defaults.ts).
  const read: (FileResult | PendingConfig)[] = [];
  const only = options.only;

  for (const input of inputs) {
    if (input === '-') {
      const stdin = options.stdin ?? process.stdin;
      if (only === 'exposition') {
        const sizeHint = stdin === process.stdin ? regularFileSize(0) : undefined;
        read.push(
          await lintExpositionStream(stdin as AsyncIterable<Buffer | string>, {
            filePath: STDIN_NAME,
            settings,
            ...(sizeHint === undefined ? {} : { sizeHint }),
          }),
        );
        continue;
      }
      const text = await readAll(stdin);
      const kind = only ?? detectKind(STDIN_NAME, text);
      if (kind === undefined) {
        throw usageError(
          `${STDIN_NAME}: cannot tell what it is; use scrapelint config -, metrics - or docs -`,
        );
      }
      read.push(
        kind === 'config'
          ? { config: text, filePath: STDIN_NAME }
          : await lintText(text, STDIN_NAME, kind, settings),
      );
      continue;
    }
    if (isUrl(input)) {
      if (only !== undefined && only !== 'exposition')
        throw usageError(`${input}: URLs hold expositions (scrapelint metrics URL)`);
      read.push(await lintUrlInput(input, options, settings));
      continue;
    }
    try {
      const { text: head, bytes: headBytes, complete } = await readHead(input);
      // `config dir/` takes the kind as given for the files whose name says it (YAML for config); a `.txt` found
      // in the walk is judged by its content and linted only when it is of that kind (a notes.txt is no config).
      const judged = only !== undefined && !named.has(input) && judgedByContent(input);
      const detected = detectKind(input, head, judged ? undefined : only);
      const kind = judged && detected !== only ? undefined : detected;
      if (kind === undefined && only !== undefined && named.has(input)) {
        throw usageError(wrongKind(relative(options.cwd, input) || input, head, only));
      }
      if (kind === undefined) {
        if (inputs.length === 1 || named.has(input)) {
          stderr += `scrapelint: skipped ${displayPath(options.cwd, input)}: not a Prometheus configuration, operator resource, Alloy file, exposition or Markdown file\n`;
        }
        continue;
      }
      const nulInHead = head.indexOf('\0');
      if (kind === 'exposition' && nulInHead !== -1) {
        // A binary file (an image, a gzip body saved as .prom): one finding that says so, where each line would
        // otherwise be an invalid metric name. The exposition formats are text; Prometheus refuses it too.
        read.push(
          lintSourceError(
            head,
            input,
            kind,
            {
              message:
                'not a text file: it holds NUL bytes (a binary file, or a compressed body saved as is?)',
              range: { start: nulInHead, end: nulInHead + 1 },
            },
            settings,
          ),
        );
      } else if (kind === 'exposition') {
        const { readFileChunks } = await import('../sources/exposition.js');
        // A .om or .openmetrics name says the format, as a Content-Type would: a missing # EOF is then an error.
        const openMetrics = OPENMETRICS_NAME.test(input) ? { contentType: OPENMETRICS_CONTENT_TYPE } : {};
        const { size } = await stat(input);
        read.push(
          await lintExpositionStream(readFileChunks(input), {
            filePath: input,
            settings,
            sizeHint: size,
            ...openMetrics,
          }),
        );
      } else {
        // Counted in bytes: a head of multi-byte characters is shorter in UTF-16 units than HEAD_BYTES.
        const bytes = complete ? undefined : await readFile(input);
        const text = bytes === undefined ? head : bytes.toString('utf8');
        const nul = kind === 'docs' ? text.indexOf('\0') : -1;
        const notUtf8 = kind === 'config' ? firstNotUtf8(bytes ?? headBytes, text) : -1;
        const template = kind === 'config' ? goTemplateAction(text) : undefined;
        if (nul !== -1 || notUtf8 !== -1) {
          // Markdown takes any text, but a NUL byte says the file is binary (git and grep judge so too); YAML is
          // UTF-8 text (go-yaml refuses other bytes, the yaml package would read them as U+FFFD).
          const at = nul !== -1 ? nul : notUtf8;
          read.push(
            lintSourceError(
              text,
              input,
              kind,
              {
                message:
                  nul !== -1
                    ? 'not a text file: it holds NUL bytes (a binary file?)'
                    : 'YAML: bytes that are not UTF-8 (a binary file, or text in another encoding?)',
                range: { start: Math.max(0, at), end: Math.max(0, at) + 1 },
              },
              settings,
            ),
          );
        } else if (template !== undefined) {
          // A Helm chart's template: its YAML, and what it configures, exist only once rendered. Named, it is an
          // error at its first action (one, not the dozens the YAML parser would give); found in a walk, a note.
          if (named.has(input)) {
            read.push(
              lintSourceError(
                text,
                input,
                kind,
                {
                  message: `a Go template (a Helm chart's?): ${template.action} is not YAML, and what the file configures is known only once rendered; lint the rendered output instead (helm template CHART | scrapelint config -)`,
                  range: { start: template.start, end: template.end },
                },
                settings,
              ),
            );
          } else {
            stderr += `scrapelint: skipped ${relative(options.cwd, input) || input}: a Go template (a Helm chart's?), not YAML until rendered; lint the rendered output (helm template CHART | scrapelint config -)\n`;
          }
        } else if (kind === 'config') {
          read.push({ config: text, filePath: input, requireConfig: only === 'config' && named.has(input) });
        } else {
          read.push(await lintText(text, input, kind, settings));
        }
      }
    } catch (error) {
      if (error instanceof ScrapelintError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      if (typeof code === 'string' && /^E[A-Z]+$/.test(code))
        throw ioError(`${input}: ${describeIoError(error)}`, error);
      throw error;
    }
  }

  const results = await lintConfigs(read, settings, options.cwd, rc.ignore, (text) => {
    stderr += text;
  });
  const shown =
    options.quiet === true
      ? results.map((r) => ({
          ...r,
          messages: r.messages.filter((m) => m.severity === 'error'),
          warningCount: 0,
        }))
      : results;
  const report = reporters[options.format](shown, {
    cwd: options.cwd,
    color: options.color,
    rules,
    version: VERSION,
  });
  let stdout = report;
  if (options.outputFile !== undefined) {
    const target = resolve(options.cwd, options.outputFile);
    try {
      // As ESLint's --output-file: the directories on the way are made (a CI step's reports/ may not exist yet).
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, report);
    } catch (error) {
      throw ioError(`${options.outputFile}: cannot write the report: ${describeIoError(error)}`, error);
    }
    stdout = '';
  }
  const errors = results.reduce((n, r) => n + r.errorCount, 0);
  const warnings = results.reduce((n, r) => n + r.warningCount, 0);
  const maxWarnings = options.maxWarnings ?? -1;
  const tooManyWarnings = maxWarnings >= 0 && warnings > maxWarnings;
  if (tooManyWarnings && errors === 0) {
    stderr += `scrapelint found too many warnings (${warnings}; maximum: ${maxWarnings}).\n`;
  }
  return { exitCode: errors > 0 || tooManyWarnings ? 1 : 0, stdout, stderr, results };
}
