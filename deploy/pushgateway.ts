/**
 * A real Pushgateway (Debian's `prometheus-pushgateway`) on loopback, for the lab and the tests. Always started
 * with an explicit `--persistence.file` inside its own temporary directory: Debian's build otherwise persists
 * into /var/lib/prometheus, which would leak groups from one run into the next.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { requireBinary } from './binaries.js';
import { startLoopbackProcess } from './loopback-process.js';

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
  const target = `127.0.0.1:${options.port}`;
  const url = `http://${target}`;
  const server = await startLoopbackProcess({
    name: 'pushgateway',
    binary,
    args: (dir) => [
      `--web.listen-address=${target}`,
      `--persistence.file=${join(dir, 'pushgateway.data')}`,
      `--persistence.interval=${options.persistenceInterval ?? '5m'}`,
      '--log.level=warn',
      ...(options.extraArgs ?? []),
    ],
    url,
    startTimeoutMs: options.startTimeoutMs ?? 15_000,
    graceMs: 5000,
    fail: (message) => new PushgatewayError(message),
  });
  return {
    url,
    target,
    dataDir: server.dir,
    persistenceFile: join(server.dir, 'pushgateway.data'),
    pid: server.pid,
    version,
    stop: server.stop,
  };
}
