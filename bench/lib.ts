/**
 * Measuring helpers shared by the comparisons: statistics, processes timed under /usr/bin/time, RSS of a running
 * process, HTTP scrapes timed to the last byte, esbuild bundles of the TypeScript children (run by plain node, as
 * the built CLIs run), and the machine description.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { projectRoot } from '../scripts/project-root.js';

export interface Stats {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly n: number;
}

/** Median, min and max of the finite values; NaN everywhere when there is none. */
export function stats(values: readonly number[]): Stats {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((x, y) => x - y);
  if (sorted.length === 0) return { median: NaN, min: NaN, max: NaN, n: 0 };
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, n: sorted.length };
}

/** The q-quantile (0..1) of raw values, nearest rank. */
export function quantile(values: ArrayLike<number>, q: number): number {
  const sorted = Array.from(values).sort((x, y) => x - y);
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

export interface TimedRun {
  readonly wallMs: number;
  readonly maxRssKiB: number;
  /** User + system CPU time of the tool (less sensitive than wall time to other load on a shared machine). */
  readonly cpuMs: number;
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `command args` (stdin from a file, or none) under /usr/bin/time; wall time and the peak RSS of the tool. */
export function timedProcess(
  command: string,
  args: readonly string[],
  options: { stdinFile?: string; timeoutMs?: number } = {},
): Promise<TimedRun> {
  return new Promise((resolve, reject) => {
    const fd = options.stdinFile === undefined ? 'ignore' : openSync(options.stdinFile, 'r');
    const close = (): void => {
      if (typeof fd === 'number') closeSync(fd);
    };
    const started = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-f', '__RSS__%M __CPU__%U %S', command, ...args], {
      stdio: [fd, 'pipe', 'pipe'],
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 300_000);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => {
      if (stdout.length < 1 << 20) stdout += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.length > 1 << 16) stderr = stderr.slice(-(1 << 15));
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      close();
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      close();
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      const match = /__RSS__(\d+) __CPU__([\d.]+) ([\d.]+)/.exec(stderr);
      if (match === null) {
        reject(new Error(`${command}: /usr/bin/time reported no RSS: ${stderr.slice(-300)}`));
        return;
      }
      resolve({
        wallMs,
        maxRssKiB: Number(match[1]),
        cpuMs: (Number(match[2]) + Number(match[3])) * 1000,
        exitCode: code ?? -1,
        stdout,
        stderr: stderr.replace(/__RSS__.*\s*$/, ''),
      });
    });
  });
}

/** Current and peak RSS of a process (KiB), from /proc. */
export function processRss(pid: number): { rssKiB: number; peakKiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number =>
    Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  return { rssKiB: field('VmRSS'), peakKiB: field('VmHWM') };
}

export interface Scrape {
  /** Request sent to last byte received (the body is not decompressed inside this time). */
  readonly ms: number;
  readonly status: number;
  /** Bytes on the wire. */
  readonly wireBytes: number;
  /** The body, decompressed. */
  readonly body: string;
}

/** GETs a URL the way Prometheus scrapes it (text format, gzip or not) and times it to the last byte. */
export function scrape(url: string, options: { gzip: boolean; timeoutMs?: number }): Promise<Scrape> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = request(
      url,
      {
        headers: {
          accept: 'text/plain;version=0.0.4;q=0.9,*/*;q=0.1',
          'accept-encoding': options.gzip ? 'gzip' : 'identity',
        },
        timeout: options.timeoutMs ?? 60_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const ms = Number(process.hrtime.bigint() - started) / 1e6;
          const raw = Buffer.concat(chunks);
          const gz = res.headers['content-encoding'] === 'gzip';
          resolve({
            ms,
            status: res.statusCode ?? 0,
            wireBytes: raw.length,
            body: (gz ? gunzipSync(raw) : raw).toString('utf8'),
          });
        });
      },
    );
    req.on('timeout', () =>
      req.destroy(new Error(`${url}: no answer within ${options.timeoutMs ?? 60_000} ms`)),
    );
    req.on('error', reject);
    req.end();
  });
}

/** Bundles a TypeScript entry point into one ESM file under the bench cache (plain node runs it). */
export async function bundle(entry: string, outDir: string): Promise<string> {
  const name = entry.replace(/^.*\//, '').replace(/\.ts$/, '.mjs');
  const outfile = join(outDir, name);
  await build({
    entryPoints: [join(projectRoot(), entry)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'warning',
    // Bundled CommonJS dependencies (pino, kafkajs) call require(): give the ESM bundle one.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
  });
  return outfile;
}

function firstLine(command: string, args: readonly string[], pattern: RegExp): string {
  try {
    const result = spawnSync(command, args, { encoding: 'utf8', timeout: 10_000 });
    return pattern.exec(`${result.stdout}${result.stderr}`)?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly promtool: string;
  readonly pushgateway: string;
  readonly kcat: string;
  readonly kafka: string;
  readonly loadAverage: readonly number[];
}

export function describeMachine(kafka: string): Machine {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    promtool: firstLine('promtool', ['--version'], /version (\S+)/),
    pushgateway: firstLine('prometheus-pushgateway', ['--version'], /version (\S+)/),
    kcat: `${firstLine('kcat', ['-V'], /Version (\S+)/)} (librdkafka ${firstLine('kcat', ['-V'], /librdkafka (\S+)/)})`,
    kafka,
    loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

/** The value after `name` on a bench script's command line (`--sources 1000`), or `fallback`. */
export function argValue(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at === -1 ? fallback : (process.argv[at + 1] ?? fallback);
}

/** A whole number >= 1 after `name`, or `fallback`; anything else is a RangeError naming the flag. */
export function argWhole(name: string, fallback: number): number {
  const value = Number(argValue(name, String(fallback)));
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a whole number >= 1`);
  return value;
}
