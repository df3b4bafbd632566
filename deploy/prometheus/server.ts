/**
 * A real Prometheus (Debian's binary) on loopback with a temporary data directory, for the end-to-end tests
 * and the lab. Everything is read back through its HTTP API.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import { requireBinary } from '../binaries.js';

export interface PromSample {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: number;
  readonly timestamp: number;
}

export interface PrometheusHandle {
  readonly url: string;
  readonly dataDir: string;
  readonly pid: number;
  /** Instant query: the vector's samples (NaN-safe numbers). */
  query(expr: string): Promise<PromSample[]>;
  /** Polls `expr` until `accept` says yes; returns the last result or throws with what was seen. */
  waitFor(expr: string, accept: (result: PromSample[]) => boolean, timeoutMs: number): Promise<PromSample[]>;
  stop(): Promise<void>;
}

export interface PrometheusOptions {
  readonly port: number;
  readonly scrapeConfigs: readonly Record<string, unknown>[];
  readonly scrapeInterval?: string;
  readonly scrapeTimeout?: string;
  readonly extraArgs?: readonly string[];
}

interface ApiResponse {
  status: string;
  error?: string;
  data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
}

export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusHandle> {
  const binary = requireBinary('prometheus');
  const dataDir = mkdtempSync(join(tmpdir(), 'queuefront-prom-'));
  const configFile = join(dataDir, 'prometheus.yml');
  writeFileSync(
    configFile,
    stringify({
      global: {
        scrape_interval: options.scrapeInterval ?? '1s',
        scrape_timeout: options.scrapeTimeout ?? options.scrapeInterval ?? '1s',
        evaluation_interval: options.scrapeInterval ?? '1s',
      },
      scrape_configs: options.scrapeConfigs,
    }),
  );
  const logFile = join(dataDir, 'prometheus.log');
  const out = openSync(logFile, 'a');
  const url = `http://127.0.0.1:${options.port}`;
  const child = spawn(
    binary,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dataDir, 'data')}`,
      `--web.listen-address=127.0.0.1:${options.port}`,
      '--log.level=warn',
      ...(options.extraArgs ?? []),
    ],
    { stdio: ['ignore', out, out] },
  );
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const pid = child.pid ?? -1;
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
      for (let i = 0; i < 100 && !exited; i++) await sleep(100);
      if (!exited) child.kill('SIGKILL');
    }
    rmSync(dataDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) throw new Error(`prometheus exited during start-up:\n${logTail()}`);
    try {
      const ready = await fetch(`${url}/-/ready`);
      if (ready.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus was not ready on ${url} within 30 s:\n${logTail()}`);
    }
    await sleep(100);
  }

  const query = async (expr: string): Promise<PromSample[]> => {
    const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await response.json()) as ApiResponse;
    if (body.status !== 'success' || !body.data) {
      throw new Error(`query ${expr} failed: ${body.error ?? response.status}`);
    }
    if (body.data.resultType !== 'vector')
      throw new Error(`query ${expr} returned a ${body.data.resultType}`);
    return body.data.result.map((r) => ({
      metric: r.metric,
      timestamp: r.value[0],
      value: Number(r.value[1]),
    }));
  };

  const waitFor = async (
    expr: string,
    accept: (result: PromSample[]) => boolean,
    timeoutMs: number,
  ): Promise<PromSample[]> => {
    const until = Date.now() + timeoutMs;
    let last: PromSample[];
    for (;;) {
      last = await query(expr);
      if (accept(last)) return last;
      if (Date.now() > until) {
        throw new Error(
          `${expr} did not reach the expected result within ${timeoutMs} ms; last: ${JSON.stringify(last)}`,
        );
      }
      await sleep(250);
    }
  };

  return { url, dataDir, pid, query, waitFor, stop };
}
