/**
 * A real Pushgateway (Debian's `prometheus-pushgateway`) on loopback, for the lab and the tests. Always started
 * with an explicit `--persistence.file` inside its own temporary directory: Debian's build otherwise persists
 * into /var/lib/prometheus, which would leak groups from one run into the next.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { requireBinary } from './binaries.js';

export interface PushgatewayOptions {
  /** Port on 127.0.0.1. */
  readonly port: number;
  /** How often the persistence file is written (the Pushgateway's `--persistence.interval`), default 5m. */
  readonly persistenceInterval?: string;
  readonly extraArgs?: readonly string[];
  readonly startTimeoutMs?: number;
}

export interface PushgatewayHandle {
  readonly url: string;
  /** The host:port Prometheus scrapes. */
  readonly target: string;
  readonly dataDir: string;
  readonly persistenceFile: string;
  readonly pid: number;
  /** The version line of `prometheus-pushgateway --version`. */
  readonly version: string;
  stop(): Promise<void>;
}

export class PushgatewayError extends Error {
  override readonly name = 'PushgatewayError';
}

/** `prometheus-pushgateway --version`'s version, e.g. `1.5.1`; `unknown` when it cannot be read. */
export function pushgatewayVersion(binary = requireBinary('prometheus-pushgateway')): string {
  // The version goes to stdout or stderr depending on the build: read both.
  const result = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  return /version (\S+)/.exec(`${result.stdout}${result.stderr}`)?.[1] ?? 'unknown';
}

export async function startPushgateway(options: PushgatewayOptions): Promise<PushgatewayHandle> {
  if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65535) {
    throw new PushgatewayError(`port ${options.port} is not a TCP port (1-65535)`);
  }
  const binary = requireBinary('prometheus-pushgateway');
  const version = pushgatewayVersion(binary);
  const dataDir = mkdtempSync(join(tmpdir(), 'queuefront-pushgateway-'));
  const persistenceFile = join(dataDir, 'pushgateway.data');
  const logFile = join(dataDir, 'pushgateway.log');
  const out = openSync(logFile, 'a');
  const target = `127.0.0.1:${options.port}`;
  const url = `http://${target}`;
  const child = spawn(
    binary,
    [
      `--web.listen-address=${target}`,
      `--persistence.file=${persistenceFile}`,
      `--persistence.interval=${options.persistenceInterval ?? '5m'}`,
      '--log.level=warn',
      ...(options.extraArgs ?? []),
    ],
    { stdio: ['ignore', out, out] },
  );
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const logTail = (): string => {
    try {
      return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-20).join('\n');
    } catch {
      return '';
    }
  };
  const stop = async (): Promise<void> => {
    if (!exited) {
      child.kill('SIGTERM');
      for (let i = 0; i < 50 && !exited; i++) await sleep(100);
      if (!exited) child.kill('SIGKILL');
    }
    rmSync(dataDir, { recursive: true, force: true });
  };

  const timeoutMs = options.startTimeoutMs ?? 15_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) {
      rmSync(dataDir, { recursive: true, force: true });
      throw new PushgatewayError(`prometheus-pushgateway exited during start-up:\n${logTail()}`);
    }
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new PushgatewayError(
        `prometheus-pushgateway was not ready on ${url} within ${timeoutMs / 1000} s:\n${logTail()}`,
      );
    }
    await sleep(100);
  }
  return { url, target, dataDir, persistenceFile, pid: child.pid ?? -1, version, stop };
}
