/**
 * A server program started for real on loopback (Prometheus, the Pushgateway): its own temporary directory and
 * log file, ready when `GET <url>/-/ready` answers 200, stopped with SIGTERM then SIGKILL, directory removed.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface LoopbackProcess {
  readonly dir: string;
  readonly pid: number;
  readonly stop: () => Promise<void>;
}

export interface LoopbackProcessOptions {
  /** Names the program in errors, e.g. `prometheus`. */
  readonly name: string;
  readonly binary: string;
  /** Builds the arguments from the process's temporary directory. */
  readonly args: (dir: string) => readonly string[];
  readonly url: string;
  readonly startTimeoutMs: number;
  /** How long SIGTERM may take before SIGKILL. */
  readonly graceMs?: number;
  /** The error to throw when it does not start (each program has its own error class). */
  readonly fail: (message: string) => Error;
}

export async function startLoopbackProcess(options: LoopbackProcessOptions): Promise<LoopbackProcess> {
  const dir = mkdtempSync(join(tmpdir(), `queuefront-${options.name}-`));
  const logFile = join(dir, `${options.name}.log`);
  const out = openSync(logFile, 'a');
  const child = spawn(options.binary, [...options.args(dir)], { stdio: ['ignore', out, out] });
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
      const until = Date.now() + (options.graceMs ?? 10_000);
      while (!exited && Date.now() < until) await sleep(100);
      if (!exited) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + options.startTimeoutMs;
  for (;;) {
    if (exited) {
      rmSync(dir, { recursive: true, force: true });
      throw options.fail(`${options.name} exited during start-up:\n${logTail()}`);
    }
    try {
      if ((await fetch(`${options.url}/-/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      const tail = logTail();
      await stop();
      throw options.fail(
        `${options.name} was not ready on ${options.url} within ${options.startTimeoutMs / 1000} s:\n${tail}`,
      );
    }
    await sleep(100);
  }
  return { dir, pid: child.pid ?? -1, stop };
}
