/**
 * A real single-node Apache Kafka broker (KRaft, combined broker + controller) for the tests, the lab and
 * `npm start`. The jars come from Maven Central through deploy/kafka/pom.xml into .cache/kafka/<version>/libs
 * (fetched once); each broker has a state directory holding its config, data, log and pid file.
 *
 *   tsx deploy/kafka/broker.ts start|stop|status|fetch      (npm run kafka:start / kafka:stop)
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createConnection } from 'node:net';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { isMain } from '../../scripts/is-main.js';
import { projectRoot } from '../../scripts/project-root.js';

export class BrokerError extends Error {
  override readonly name = 'BrokerError';
}

export interface BrokerOptions {
  /** Client port on 127.0.0.1 (KAFKA_PORT, default 9092). The controller listens on port + 1. */
  readonly port: number;
  /** Where config, data, log and pid live (default .cache/kafka/run-<port>). */
  readonly stateDir: string;
  /** Wipe the data first (a brand-new cluster). Otherwise an existing log is kept, as a real broker keeps it. */
  readonly fresh: boolean;
  /** How long to wait for the broker to answer a metadata request. */
  readonly timeoutMs: number;
  readonly heap: string;
}

export interface RunningBroker {
  readonly brokers: string;
  readonly pid: number;
  readonly logFile: string;
  readonly alreadyRunning: boolean;
}

const root = projectRoot();
const pomFile = join(root, 'deploy', 'kafka', 'pom.xml');

/** The Kafka version pinned in pom.xml (one version for every Kafka artifact). */
export function kafkaVersion(): string {
  const pom = readFileSync(pomFile, 'utf8');
  const match = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom);
  if (!match?.[1]) throw new BrokerError(`${pomFile}: no <kafka.version> property`);
  return match[1];
}

export function defaultOptions(env: NodeJS.ProcessEnv = process.env): BrokerOptions {
  const port = Number(env['KAFKA_PORT'] ?? 9092);
  if (!Number.isInteger(port) || port < 1 || port > 65534) {
    throw new BrokerError(`KAFKA_PORT=${env['KAFKA_PORT']} is not a port number (1-65534)`);
  }
  return {
    port,
    stateDir: join(root, '.cache', 'kafka', `run-${port}`),
    fresh: false,
    timeoutMs: 90_000,
    heap: env['KAFKA_HEAP'] ?? '512m',
  };
}

/** Java 17 or newer, else a message naming the fix. */
export function checkJava(java = 'java'): void {
  const result = spawnSync(java, ['-version'], { encoding: 'utf8' });
  if (result.error) {
    throw new BrokerError(
      'java was not found on PATH: the Kafka broker needs Java 17 or newer (Debian: apt-get install openjdk-17-jre-headless), or set KAFKA_BROKERS to use an existing cluster',
    );
  }
  const text = `${result.stderr}${result.stdout}`;
  const match = /version "(\d+)(?:\.(\d+))?/.exec(text);
  const major = match?.[1] === '1' ? Number(match[2]) : Number(match?.[1]);
  if (!Number.isFinite(major) || major < 17) {
    throw new BrokerError(
      `Kafka ${kafkaVersion()} needs Java 17 or newer; found ${match ? match[0] : 'an unknown version'} (install openjdk-17 and put it first on PATH, or set KAFKA_BROKERS)`,
    );
  }
}

/** Maven present, else a message naming the fix. */
export function checkMaven(mvn = 'mvn'): void {
  if (spawnSync(mvn, ['--version'], { encoding: 'utf8' }).error) {
    throw new BrokerError(
      'mvn was not found on PATH: fetching the Kafka broker needs Maven (Debian: apt-get install maven), or set KAFKA_BROKERS to use an existing cluster',
    );
  }
}

function libsDir(version: string): string {
  return join(root, '.cache', 'kafka', version, 'libs');
}

/** Fetches the broker's jars with Maven unless they are already cached. Returns the libs directory. */
export function fetchJars(log: (line: string) => void = () => undefined): string {
  const version = kafkaVersion();
  const dir = libsDir(version);
  if (existsSync(join(dir, '.complete'))) return dir;
  checkMaven();
  log(`fetching Apache Kafka ${version} with Maven into ${dir} (once)`);
  const partial = `${dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  const result = spawnSync(
    'mvn',
    [
      '-q',
      '-B',
      '-f',
      pomFile,
      'dependency:copy-dependencies',
      `-DoutputDirectory=${partial}`,
      '-DincludeScope=runtime',
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (result.status !== 0) {
    rmSync(partial, { recursive: true, force: true });
    const tail = `${result.stdout}${result.stderr}`.trim().split('\n').slice(-15).join('\n');
    throw new BrokerError(`mvn could not fetch the Kafka ${version} jars (exit ${result.status}):\n${tail}`);
  }
  const jars = readdirSync(partial).filter((f) => f.endsWith('.jar'));
  if (!jars.some((f) => f.startsWith(`kafka_2.13-${version}`))) {
    throw new BrokerError(`mvn finished but ${partial} holds no kafka_2.13-${version}.jar`);
  }
  writeFileSync(join(partial, '.complete'), `${jars.length} jars\n`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, '..'), { recursive: true });
  renameSync(partial, dir);
  return dir;
}

function serverProperties(options: BrokerOptions): string {
  const controller = options.port + 1;
  return [
    '# written by deploy/kafka/broker.ts: one combined broker + controller on loopback',
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controller}`,
    `listeners=PLAINTEXT://127.0.0.1:${options.port},CONTROLLER://127.0.0.1:${controller}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${options.port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${join(options.stateDir, 'data')}`,
    'num.partitions=1',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=6',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    // Tests create and join groups constantly: no initial rebalance delay.
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=false',
    '',
  ].join('\n');
}

function log4jConfig(logFile: string): string {
  // Quiet: warnings and errors, plus the lines that say the broker started or stopped.
  return `Configuration:
  Appenders:
    File:
      name: file
      fileName: ${JSON.stringify(logFile)}
      PatternLayout:
        pattern: "[%d] %p %m (%c)%n"
  Loggers:
    Root:
      level: WARN
      AppenderRef:
        - ref: file
    Logger:
      - name: kafka.server.BrokerServer
        level: INFO
      - name: kafka.server.KafkaRaftServer
        level: INFO
`;
}

function readPid(stateDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(stateDir, 'broker.pid'), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Whether pid is alive and is our broker (its command line names this state directory). */
function isOurBroker(pid: number, stateDir: string): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes('kafka.Kafka') && cmdline.includes(stateDir);
  } catch {
    return false;
  }
}

function portInUse(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

function logTail(logFile: string, lines = 30): string {
  try {
    return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log written)';
  }
}

/** Resolves when the broker answers a metadata request; rejects with the log's tail on timeout. */
/**
 * A KRaft cluster id: 16 random bytes in base64url, as Kafka's own `Uuid.randomUuid()` makes them. Like Kafka, it
 * never starts with `-`: the storage tool's argument parser would take `-t -xyz...` for an option and refuse the
 * command (base64url starts with `-` or `_` when the first byte's top six bits are 62 or 63; 1 start in 32 failed).
 * Clearing the first byte's top bit keeps the first character in A-Z/a-f.
 */
export function newClusterId(bytes: Buffer = randomBytes(16)): string {
  const id = Buffer.from(bytes);
  id[0] = id[0]! & 0x7f;
  return id.toString('base64url');
}

export async function waitForBroker(
  brokers: string,
  timeoutMs: number,
  logFile?: string,
  isAlive: () => boolean = () => true,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = 'no answer';
  while (Date.now() < deadline) {
    if (!isAlive()) {
      throw new BrokerError(
        `the Kafka broker exited during start-up${logFile ? `; the end of ${logFile}:\n${logTail(logFile)}` : ''}`,
      );
    }
    const admin = new Kafka({
      clientId: 'queuefront-wait',
      brokers: brokers.split(','),
      logLevel: logLevel.NOTHING,
      connectionTimeout: 1000,
      retry: { retries: 0 },
    }).admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      if (cluster.brokers.length > 0) return;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    await sleep(250);
  }
  throw new BrokerError(
    `the Kafka broker at ${brokers} did not answer a metadata request within ${timeoutMs / 1000} s (${lastError})${
      logFile ? `; the end of ${logFile}:\n${logTail(logFile)}` : ''
    }`,
  );
}

export async function startBroker(
  partial: Partial<BrokerOptions> = {},
  log: (line: string) => void = () => undefined,
): Promise<RunningBroker> {
  const options = { ...defaultOptions(), ...partial };
  const stateDir = resolve(options.stateDir);
  const brokers = `127.0.0.1:${options.port}`;
  const logFile = join(stateDir, 'broker.log');

  const existing = readPid(stateDir);
  if (existing !== undefined && isOurBroker(existing, stateDir)) {
    await waitForBroker(brokers, options.timeoutMs, logFile, () => isOurBroker(existing, stateDir));
    return { brokers, pid: existing, logFile, alreadyRunning: true };
  }
  for (const port of [options.port, options.port + 1]) {
    if (await portInUse(port)) {
      throw new BrokerError(
        `port ${port} on 127.0.0.1 is taken by another process: stop it, or choose another with KAFKA_PORT (the broker uses KAFKA_PORT and KAFKA_PORT+1), or point KAFKA_BROKERS at a running cluster`,
      );
    }
  }
  checkJava();
  const libs = fetchJars(log);

  if (options.fresh) rmSync(join(stateDir, 'data'), { recursive: true, force: true });
  mkdirSync(stateDir, { recursive: true });
  const propsFile = join(stateDir, 'server.properties');
  writeFileSync(propsFile, serverProperties({ ...options, stateDir }));
  const log4jFile = join(stateDir, 'log4j2.yaml');
  writeFileSync(log4jFile, log4jConfig(logFile));
  const classPath = `${libs}/*`;

  if (!existsSync(join(stateDir, 'data', 'meta.properties'))) {
    const clusterId = newClusterId();
    const formatted = spawnSync(
      'java',
      [
        `-Dlog4j2.configurationFile=${log4jFile}`,
        '-cp',
        classPath,
        'kafka.tools.StorageTool',
        'format',
        '-t',
        clusterId,
        '-c',
        propsFile,
      ],
      { encoding: 'utf8' },
    );
    if (formatted.status !== 0) {
      throw new BrokerError(
        `formatting KRaft storage in ${stateDir}/data failed (exit ${formatted.status}):\n${formatted.stderr}${formatted.stdout}`,
      );
    }
  }

  const out = openSync(join(stateDir, 'stdout.log'), 'a');
  const child = spawn(
    'java',
    [
      `-Xmx${options.heap}`,
      `-Xms${options.heap === '512m' ? '256m' : options.heap}`,
      '-XX:+UseG1GC',
      '-Djava.awt.headless=true',
      `-Dlog4j2.configurationFile=${log4jFile}`,
      `-Dqueuefront.state=${stateDir}`,
      '-cp',
      classPath,
      'kafka.Kafka',
      propsFile,
    ],
    { detached: true, stdio: ['ignore', out, out] },
  );
  const pid = child.pid;
  if (pid === undefined) throw new BrokerError('java could not be started');
  child.unref();
  writeFileSync(join(stateDir, 'broker.pid'), `${pid}\n`);
  log(`started Kafka ${kafkaVersion()} (pid ${pid}) on ${brokers}; log: ${logFile}`);
  try {
    await waitForBroker(brokers, options.timeoutMs, logFile, () => isOurBroker(pid, stateDir));
  } catch (error) {
    await stopBroker({ stateDir });
    throw error;
  }
  return { brokers, pid, logFile, alreadyRunning: false };
}

/** Stops the broker of a state directory by its own pid: SIGTERM, then SIGKILL after the grace period. */
export async function stopBroker(
  partial: Partial<Pick<BrokerOptions, 'stateDir'>> & { graceMs?: number } = {},
): Promise<boolean> {
  const stateDir = resolve(partial.stateDir ?? defaultOptions().stateDir);
  const pid = readPid(stateDir);
  rmSync(join(stateDir, 'broker.pid'), { force: true });
  if (pid === undefined || !isOurBroker(pid, stateDir)) return false;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + (partial.graceMs ?? 30_000);
  while (Date.now() < deadline) {
    if (!isOurBroker(pid, stateDir)) return true;
    await sleep(100);
  }
  process.kill(pid, 'SIGKILL');
  while (isOurBroker(pid, stateDir)) await sleep(50);
  return true;
}

export function brokerStatus(stateDir = defaultOptions().stateDir): { running: boolean; pid?: number } {
  const pid = readPid(resolve(stateDir));
  return pid !== undefined && isOurBroker(pid, resolve(stateDir))
    ? { running: true, pid }
    : { running: false };
}

async function main(argv: readonly string[]): Promise<number> {
  const command = argv[0] ?? 'start';
  const say = (line: string): void => void process.stderr.write(`kafka: ${line}\n`);
  switch (command) {
    case 'start': {
      const broker = await startBroker({ fresh: argv.includes('--fresh') }, say);
      say(
        broker.alreadyRunning
          ? `already running (pid ${broker.pid}) on ${broker.brokers}`
          : `ready on ${broker.brokers}; stop it with: npm run kafka:stop`,
      );
      return 0;
    }
    case 'stop':
      say((await stopBroker()) ? 'stopped' : 'no broker was running');
      return 0;
    case 'status': {
      const status = brokerStatus();
      say(status.running ? `running (pid ${status.pid})` : 'not running');
      return status.running ? 0 : 3;
    }
    case 'fetch':
      say(`jars in ${fetchJars(say)}`);
      return 0;
    default:
      say(`unknown command ${JSON.stringify(command)}; use start [--fresh], stop, status or fetch`);
      return 2;
  }
}

if (isMain(import.meta.filename)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`kafka: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
