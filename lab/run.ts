/**
 * `npm run lab`: runs the scenarios on loopback (a real Kafka broker, real Prometheus and Pushgateway, exposer
 * processes and demo apps), reads every figure back through Prometheus's HTTP API and writes
 * docs/lab/results.json, the SVG charts under docs/lab/ and docs/lab-report.md.
 *
 *   npm run lab                       every scenario, durations in minutes
 *   npm run lab -- --quick            every scenario briefly (what CI runs)
 *   npm run lab -- --only scale       one scenario; the others' figures in results.json are kept
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, platform, release, tmpdir, totalmem } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { kafkaVersion, startBroker, stopBroker, waitForBroker } from '../deploy/kafka/broker.js';
import { requireBinary } from '../deploy/binaries.js';
import { pushgatewayVersion } from '../deploy/pushgateway.js';
import { isMain } from '../scripts/is-main.js';
import { projectRoot } from '../scripts/project-root.js';
import { freePortPair } from '../test/ports.js';
import { writeCharts } from './charts.js';
import { renderReport, summaryLines } from './report.js';
import {
  parseResults,
  SCENARIOS,
  type LabResults,
  type Machine,
  type ScenarioName,
  type ScenarioResults,
  type Versions,
} from './results.js';
import type { BrokerControl, Scenario, ScenarioContext } from './scenario.js';
import { deadApp } from './scenarios/dead-app.js';
import { misalignment } from './scenarios/misalignment.js';
import { queueDown } from './scenarios/queue-down.js';
import { scale } from './scenarios/scale.js';
import { timestamps } from './scenarios/timestamps.js';
import { Scope } from './stack.js';

export const scenarios: { [K in ScenarioName]: Scenario<ScenarioResults[K]> } = {
  'dead-app': deadApp,
  misalignment,
  timestamps,
  scale,
  'queue-down': queueDown,
};

export interface LabOptions {
  readonly quick: boolean;
  /** Scenarios to run, in the canonical order; default all. */
  readonly only?: readonly ScenarioName[];
  /** The docs directory: results go to <out>/lab/results.json, charts to <out>/lab/, the report to <out>/lab-report.md. */
  readonly out: string;
  /** An existing cluster to use instead of starting a broker (queue-down still starts its own, to stop it). */
  readonly brokers?: string;
  /** The command line recorded in results.json. */
  readonly command: string;
  readonly log?: (line: string) => void;
  /** Redraws one status line (a TTY). Without it, only lasting lines are logged. */
  readonly status?: (line: string) => void;
}

export function machine(): Machine {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryBytes: totalmem(),
    os: `${platform()} ${release()}`,
  };
}

export function versions(): Versions {
  const prom = spawnSync(requireBinary('prometheus'), ['--version'], { encoding: 'utf8' });
  const kafkajs = JSON.parse(
    readFileSync(join(projectRoot(), 'node_modules', 'kafkajs', 'package.json'), 'utf8'),
  ) as { version: string };
  return {
    prometheus: /version (\S+)/.exec(`${prom.stdout}${prom.stderr}`)?.[1] ?? 'unknown',
    kafka: kafkaVersion(),
    node: process.version,
    pushgateway: pushgatewayVersion(),
    kafkajs: kafkajs.version,
  };
}

interface OwnedBroker extends BrokerControl {
  close(): Promise<void>;
}

/** A broker the lab starts in a temporary state directory, with a watchdog that stops it if the lab dies. */
export async function ownBroker(log: (line: string) => void): Promise<OwnedBroker> {
  const stateDir = mkdtempSync(join(tmpdir(), 'queuefront-lab-kafka-'));
  const port = await freePortPair();
  let running = await startBroker({ port, stateDir, fresh: true }, log);
  const watch = (pid: number) => {
    const watchdog = spawn(
      'sh',
      [
        '-c',
        `while kill -0 ${process.pid} 2>/dev/null && kill -0 ${pid} 2>/dev/null; do sleep 1; done; kill ${pid} 2>/dev/null; sleep 10; kill -9 ${pid} 2>/dev/null`,
      ],
      { detached: true, stdio: 'ignore' },
    );
    watchdog.unref();
    return watchdog;
  };
  let watchdog = watch(running.pid);
  return {
    brokers: running.brokers,
    owned: true,
    stop: async () => {
      watchdog.kill();
      await stopBroker({ stateDir, graceMs: 15_000 });
    },
    start: async () => {
      running = await startBroker({ port, stateDir, fresh: false }, log);
      watchdog = watch(running.pid);
    },
    close: async () => {
      watchdog.kill();
      await stopBroker({ stateDir, graceMs: 15_000 });
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

function externalBroker(brokers: string): OwnedBroker {
  const refuse = (): Promise<void> =>
    Promise.reject(new Error(`the lab does not stop a broker it did not start (${brokers})`));
  return { brokers, owned: false, stop: refuse, start: refuse, close: () => Promise.resolve() };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The previous results file, when --only keeps the other scenarios' figures; undefined when absent or bad. */
function previous(file: string, log: (line: string) => void): LabResults | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return parseResults(readFileSync(file, 'utf8'), file);
  } catch (error) {
    log(`lab: ignoring the previous ${file}: ${errorText(error)}`);
    return undefined;
  }
}

export async function runLab(options: LabOptions): Promise<LabResults> {
  const log = options.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const selected = SCENARIOS.filter((s) => options.only === undefined || options.only.includes(s));
  const labDir = join(options.out, 'lab');
  const resultsFile = join(labDir, 'results.json');
  const started = Date.now();
  const clock = (): string => {
    const s = Math.floor((Date.now() - started) / 1000);
    return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  };

  const base = options.only === undefined ? undefined : previous(resultsFile, log);
  const results: LabResults = {
    schemaVersion: 1,
    generatedAt: new Date().toISOString(),
    command: options.command,
    quick: options.quick,
    machine: machine(),
    versions: versions(),
    scenarios: { ...(base?.quick === options.quick ? base.scenarios : {}) },
    failures: { ...(base?.quick === options.quick ? base.failures : {}) },
    durations: { ...(base?.quick === options.quick ? base.durations : {}) },
  };

  log(`lab: ${options.quick ? 'quick' : 'full'} run of ${selected.join(', ')}`);
  const needShared = selected.some((s) => s !== 'queue-down') || options.brokers === undefined;
  let shared: OwnedBroker | undefined;
  if (needShared) {
    if (options.brokers !== undefined) {
      await waitForBroker(options.brokers, 30_000);
      shared = externalBroker(options.brokers);
    } else {
      log(`[${clock()}] starting a Kafka broker for the lab`);
      shared = await ownBroker((line) => log(`[${clock()}] kafka: ${line}`));
    }
  }
  const interrupted = (): void => {
    void shared?.close().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  try {
    for (const name of selected) {
      const scope = new Scope();
      let broker: OwnedBroker | undefined = shared;
      let dedicated: OwnedBroker | undefined;
      const scenarioStart = Date.now();
      const context: ScenarioContext = {
        get broker(): BrokerControl {
          if (broker === undefined) throw new Error('no broker');
          return broker;
        },
        quick: options.quick,
        scope,
        progress: (message, transient = false) => {
          const line = `[${clock()}] ${name}: ${message}`;
          if (options.status) options.status(line);
          else if (!transient) log(line);
        },
      };
      try {
        if (name === 'queue-down' && (broker === undefined || !broker.owned)) {
          context.progress('starting a broker of its own (the lab stops and restarts it)');
          dedicated = await ownBroker(() => undefined);
          broker = dedicated;
        }
        // The index signature of `scenarios` pairs each name with its own result type.
        const result = await (scenarios[name] as Scenario<unknown>)(context);
        (results.scenarios as Record<string, unknown>)[name] = result;
        delete results.failures[name];
      } catch (error) {
        delete (results.scenarios as Record<string, unknown>)[name];
        results.failures[name] = errorText(error);
      } finally {
        const problems = await scope.close();
        for (const problem of problems) log(`[${clock()}] ${name}: ${problem}`);
        await dedicated?.close();
      }
      results.durations[name] = Math.round((Date.now() - scenarioStart) / 1000);
      options.status?.('');
      log(
        results.failures[name] === undefined
          ? `[${clock()}] ${name}: done in ${results.durations[name]} s`
          : `[${clock()}] ${name}: FAILED: ${results.failures[name]}`,
      );
    }
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await shared?.close();
  }

  mkdirSync(labDir, { recursive: true });
  writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
  const charts = await writeCharts(results, labDir);
  const reportFile = join(options.out, 'lab-report.md');
  writeFileSync(reportFile, renderReport(results, { chartDir: relative(options.out, labDir) || '.' }));
  log(`lab: wrote ${resultsFile}, ${charts.length} chart(s) and ${reportFile} in ${clock()}`);
  return results;
}

function parseOnly(value: string, previousValue: ScenarioName[] = []): ScenarioName[] {
  const names = value.split(',').map((s) => s.trim());
  for (const name of names) {
    if (!(SCENARIOS as readonly string[]).includes(name)) {
      throw new Error(`--only: unknown scenario ${JSON.stringify(name)} (known: ${SCENARIOS.join(', ')})`);
    }
  }
  return [...previousValue, ...(names as ScenarioName[])];
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('lab')
    .description(
      'Measures the costs of putting a queue in front of Prometheus on real Kafka and a real Prometheus, on loopback.',
    )
    .option('--quick', 'run each scenario briefly (about 3 minutes in all)', false)
    .addOption(
      new Option(
        '--only <scenario>',
        `run only this scenario (repeatable or comma-separated: ${SCENARIOS.join(', ')})`,
      ).argParser(parseOnly),
    )
    .option(
      '--out <dir>',
      'docs directory to write lab/results.json, lab/*.svg and lab-report.md into',
      'docs',
    )
    .option('--brokers <list>', 'use this Kafka cluster instead of starting a broker (env KAFKA_BROKERS)')
    .addHelpText(
      'after',
      '\nExamples:\n  npm run lab\n  npm run lab -- --quick\n  npm run lab -- --only scale --out /tmp/lab-docs',
    )
    .exitOverride()
    .configureOutput({ writeErr: (text) => void process.stderr.write(text) });
  let raw: { quick: boolean; only?: ScenarioName[]; out: string; brokers?: string };
  try {
    program.parse([...argv], { from: 'user' });
    raw = program.opts();
  } catch (error) {
    const code = (error as { exitCode?: number }).exitCode;
    if (code === 0) return 0;
    if (error instanceof Error && !('exitCode' in error)) process.stderr.write(`lab: ${error.message}\n`);
    return 2;
  }
  const tty = process.stderr.isTTY;
  let statusShown = false;
  const status = tty
    ? (line: string) => {
        const width = process.stderr.columns || 100;
        process.stderr.write(`\r\x1b[2K${line.slice(0, width - 1)}`);
        statusShown = line !== '';
      }
    : undefined;
  const log = (line: string): void => {
    if (statusShown) process.stderr.write('\r\x1b[2K');
    statusShown = false;
    process.stderr.write(`${line}\n`);
  };
  const out = resolve(raw.out);
  const command = ['npm run lab', ...(argv.length > 0 ? ['--', ...argv] : [])].join(' ');
  const brokers = raw.brokers ?? process.env['KAFKA_BROKERS'];
  const results = await runLab({
    quick: raw.quick,
    ...(raw.only === undefined ? {} : { only: raw.only }),
    out,
    ...(brokers === undefined || brokers === '' ? {} : { brokers }),
    command,
    log,
    ...(status === undefined ? {} : { status }),
  });
  process.stdout.write(`${summaryLines(results).join('\n')}\n`);
  return Object.keys(results.failures).length > 0 ? 1 : 0;
}

if (isMain(import.meta.filename)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`lab: ${errorText(error)}\n`);
      process.exit(1);
    },
  );
}
