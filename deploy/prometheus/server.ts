/**
 * A real Prometheus (Debian's binary) on loopback with a temporary data directory, for the end-to-end tests
 * and the lab. Everything is read back through its HTTP API.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import { requireBinary } from '../binaries.js';
import { startLoopbackProcess } from '../loopback-process.js';

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
  const url = `http://127.0.0.1:${options.port}`;
  const global = {
    scrape_interval: options.scrapeInterval ?? '1s',
    scrape_timeout: options.scrapeTimeout ?? options.scrapeInterval ?? '1s',
    evaluation_interval: options.scrapeInterval ?? '1s',
  };
  const server = await startLoopbackProcess({
    name: 'prometheus',
    binary,
    args: (dir) => {
      const configFile = join(dir, 'prometheus.yml');
      writeFileSync(configFile, stringify({ global, scrape_configs: options.scrapeConfigs }));
      return [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${options.port}`,
        '--log.level=warn',
        ...(options.extraArgs ?? []),
      ];
    },
    url,
    startTimeoutMs: 30_000,
    fail: (message) => new Error(message),
  });
  const { dir: dataDir, pid, stop } = server;

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
