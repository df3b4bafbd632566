#!/usr/bin/env node
/**
 * scrapelint's command line: only wires commander to the command functions (lint/commands/*) and turns their
 * results and typed errors into output and exit codes (0 clean, 1 findings over the bar, 2 usage/config/I-O).
 *
 * The commands are imported when one runs, not here: `--help` and `--version` load commander alone, and a pre-commit
 * hook pays for start-up on every commit (lint/startup.int.test.ts holds what each command loads).
 */
import { writeSync } from 'node:fs';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { LintCommandOptions } from './commands/lint.js';
import { ScrapelintError, usageError } from './errors.js';
import { FORMATS } from './reporters/types.js';
import type { FormatName } from './reporters/types.js';
import { DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_MS } from './sources/fetch-limits.js';
import type { SourceKind } from './types.js';
import { VERSION } from './version.js';

interface CommonFlags {
  format: FormatName;
  output?: string;
  rule?: string[];
  config?: string;
  rc: boolean;
  maxWarnings: number;
  hygiene?: boolean;
  quiet?: boolean;
  color?: boolean;
  timeout?: number;
  maxBytes?: number;
}

const EXAMPLES = `
Examples:
  $ scrapelint deploy/ docs/                       lint every config, exposition and doc found
  $ scrapelint config prometheus.yml monitors/*.yaml
  $ scrapelint metrics http://127.0.0.1:9100/metrics
  $ curl -s localhost:8080/metrics | scrapelint metrics -
  $ scrapelint docs docs/architecture.md
  $ scrapelint --format sarif --output scrapelint.sarif .
  $ scrapelint --rule single-massive-target=error --max-warnings 0 deploy/
  $ scrapelint rules

Exit codes: 0 no errors (and warnings within --max-warnings), 1 errors or too many warnings,
2 usage, configuration or I/O problems.`;

/** Whole numbers of at least `min`; anything else is a usage error naming the flag, before any work starts. */
const integer =
  (name: string, min: number, what: string) =>
  (value: string): number => {
    // Decimal digits only: Number() would also take 0x10, 1e1 and numbers too large to hold exactly.
    const n = Number(value.trim());
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min)
      throw new InvalidArgumentError(`${name} must be ${what}`);
    return n;
  };
const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

function common(command: Command): Command {
  return command
    .addOption(
      new Option(
        '-f, --format <format>',
        "report format: text for people, json (ESLint's JSON), sarif (SARIF 2.1.0 for code scanning), github (workflow annotations)",
      )
        .choices(FORMATS)
        .default('text'),
    )
    .option('-o, --output <file>', 'write the report to this file instead of stdout (never coloured)')
    .option(
      '--rule <id=severity>',
      'set a rule to off, warn or error, over the config file; repeatable (scrapelint rules lists the ids)',
      collect,
    )
    .option('-c, --config <file>', 'configuration file (default: the nearest .scrapelintrc.yaml upwards)')
    .option('--no-rc', 'ignore .scrapelintrc.yaml files: built-in defaults and --rule only')
    .option(
      '--max-warnings <n>',
      'exit 1 when there are more than n warnings; -1 = no limit',
      integer('--max-warnings', -1, 'a whole number, -1 (no limit) or more'),
      -1,
    )
    .option('--hygiene', 'turn on the hygiene/* rules (parity with promtool check metrics)')
    .option('-q, --quiet', 'report errors only (warnings still count against --max-warnings)')
    .option('--no-color', 'no colour, even on a terminal (NO_COLOR does the same)')
    .option(
      '--timeout <ms>',
      `URLs: deadline of the whole fetch, headers and body, in milliseconds (default: ${DEFAULT_TIMEOUT_MS})`,
      integer('--timeout', 1, 'a whole number of milliseconds greater than 0'),
    )
    .option(
      '--max-bytes <bytes>',
      `URLs: the largest body accepted after decompression, in bytes (default: ${DEFAULT_MAX_BYTES} = ${DEFAULT_MAX_BYTES / 1024 / 1024} MiB)`,
      integer('--max-bytes', 1, 'a whole number of bytes greater than 0'),
    );
}

export interface CliIo {
  readonly cwd: string;
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly isTTY: boolean;
  readonly env: NodeJS.ProcessEnv;
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode = 0;
  const run = async (paths: string[], flags: CommonFlags, only?: SourceKind): Promise<void> => {
    const options: LintCommandOptions = {
      paths,
      only,
      cwd: io.cwd,
      format: flags.format,
      outputFile: flags.output,
      ruleFlags: flags.rule ?? [],
      configFile: flags.config,
      noConfig: !flags.rc,
      maxWarnings: flags.maxWarnings,
      hygiene: flags.hygiene,
      quiet: flags.quiet,
      color: io.isTTY && flags.color !== false && flags.output === undefined && !io.env['NO_COLOR'],
      stdin: io.stdin,
      timeoutMs: flags.timeout,
      maxBytes: flags.maxBytes,
    };
    const { lintCommand } = await import('./commands/lint.js');
    const result = await lintCommand(options);
    if (result.stdout !== '') io.stdout(result.stdout);
    if (result.stderr !== '') io.stderr(result.stderr);
    exitCode = result.exitCode;
  };

  const program = new Command('scrapelint')
    .description(
      'Static checks for Prometheus scrape configs, Prometheus-Operator resources, exposition output and architecture docs: catches the queue-in-front-of-Prometheus antipattern.',
    )
    .version(VERSION)
    .argument('[paths...]', 'files, directories, globs, URLs, or - for stdin')
    .addHelpText('after', EXAMPLES)
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError('(scrapelint --help shows the options)');
  common(program).action((paths: string[], flags: CommonFlags) => run(paths, flags));

  /**
   * Flags given before the command name (`scrapelint --max-warnings 0 config x.yml`) are the root command's:
   * they apply unless the command was given the same flag itself (they were silently dropped).
   */
  const withRootFlags = (flags: CommonFlags, command: Command): CommonFlags => {
    const merged: Record<string, unknown> = { ...flags };
    for (const [key, value] of Object.entries(program.opts())) {
      if (program.getOptionValueSource(key) !== 'cli') continue;
      // --rule repeats: the command's own come last and win.
      if (key === 'rule') merged[key] = [...(value as string[]), ...(flags.rule ?? [])];
      else if (command.getOptionValueSource(key) !== 'cli') merged[key] = value;
    }
    return merged as unknown as CommonFlags;
  };
  const sub = (name: string, description: string, argument: string, only: SourceKind): void => {
    const command = program
      .command(name)
      .description(description)
      .argument(argument)
      .addHelpText('after', EXAMPLES);
    command.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
    common(command).action((paths: string | string[], flags: CommonFlags) =>
      run(Array.isArray(paths) ? paths : [paths], withRootFlags(flags, command), only),
    );
  };
  sub(
    'config',
    'lint Prometheus configuration files and operator resources (YAML) and Grafana Alloy files',
    '<paths...>',
    'config',
  );
  sub(
    'metrics',
    'lint expositions: files, URLs (fetched as Prometheus scrapes) or - for stdin',
    '<sources...>',
    'exposition',
  );
  sub('docs', 'lint Markdown architecture documents (mermaid flowcharts)', '<paths...>', 'docs');
  program
    .command('rules')
    .description('list every rule with its default severity')
    .addOption(
      new Option('-f, --format <format>', 'list format: text for people, json for tools')
        .choices(['text', 'json'])
        .default('text'),
    )
    .option('--hygiene', 'show the hygiene/* rules with the severity --hygiene gives them')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .action(async (flags: { format: 'text' | 'json'; hygiene?: boolean }, command: Command) => {
      const { rulesCommand } = await import('./commands/rules.js');
      // As for the other commands, --format and --hygiene given before `rules` count.
      const root = program.opts<Partial<CommonFlags>>();
      const rootFormat = program.getOptionValueSource('format') === 'cli' ? root.format : undefined;
      if (rootFormat !== undefined && rootFormat !== 'text' && rootFormat !== 'json')
        throw usageError(`--format ${rootFormat}: scrapelint rules lists as text or json`);
      const format =
        command.getOptionValueSource('format') === 'cli' ? flags.format : (rootFormat ?? flags.format);
      const hygiene = flags.hygiene ?? root.hygiene;
      io.stdout(rulesCommand({ format, hygiene }).stdout);
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.exitCode === 0
        ? 0
        : 2;
    }
    if (error instanceof ScrapelintError) {
      io.stderr(`scrapelint: ${error.message}\n`);
      return 2;
    }
    io.stderr(
      `scrapelint: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return 2;
  }
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  const write = (fd: number) => (text: string) => {
    writeSync(fd, text);
  };
  const code = await main(process.argv.slice(2), {
    cwd: process.cwd(),
    stdin: process.stdin,
    stdout: write(1),
    stderr: write(2),
    isTTY: process.stdout.isTTY === true,
    env: process.env,
  });
  process.exitCode = code;
}
