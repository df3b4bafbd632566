/**
 * R7 (issue 8): fast-check fuzzing of everything scrapelint reads. The exposition parser (both formats, any
 * chunking), the YAML loaders (Prometheus configs and operator resources, .scrapelintrc.yaml, and the exposer's
 * web config) and the argument parser never throw anything but their typed errors; every problem becomes a
 * diagnostic with a position or a one-line message naming the file. A YAML alias bomb is refused with a message
 * that says so.
 *
 * `QUEUEFRONT_FAULTS=full` (npm run test:faults) runs 100,000 cases per property; `npm test` runs about 1,500.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ExpositionParser } from '../exposition/index.js';
import type { Format, ParseEvent } from '../exposition/types.js';
import { parseWebConfig, WebConfigError } from '../exposer/webconfig.js';
import { FULL, figure, size } from '../test/faults/harness.js';
import { main } from './cli.js';
import { ScrapelintError } from './errors.js';
import { parseRc } from './rc-file.js';
import { parseConfig } from './sources/config.js';

const RUNS = size(1_500, 100_000);
const TIMEOUT = FULL ? 1_800_000 : 60_000;
const seed = Number(process.env['FUZZ_SEED'] ?? Date.now() % 2 ** 31);
const params = { numRuns: RUNS, seed };

/** Text made of the pieces the grammar cares about, so most cases get past the first character. */
const fromTokens = (tokens: readonly string[], maxLength: number): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom(...tokens), { maxLength }).map((parts) => parts.join(''));
const mixed = (tokens: readonly string[], maxLength: number): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fromTokens(tokens, maxLength) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: maxLength * 2 }) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fromTokens(tokens, maxLength),
          fc.string({ unit: 'binary', maxLength: 8 }),
          fromTokens(tokens, maxLength),
        )
        .map(([a, b, c]) => a + b + c),
    },
  );

const EXPOSITION_TOKENS = [
  '# HELP ',
  '# TYPE ',
  '# UNIT ',
  '# EOF',
  '# EOF\n',
  '# ',
  '#',
  'http_requests',
  '_total',
  '_bucket',
  '_count',
  '_sum',
  '_created',
  '_info',
  'a',
  ':',
  '{',
  '}',
  '=',
  '"',
  ',',
  ' ',
  '  ',
  '\n',
  '\r\n',
  '\t',
  '\\',
  '\\n',
  '\\"',
  'le',
  'quantile',
  'job',
  '__name__',
  '"0.1"',
  '"+Inf"',
  '1',
  '0',
  '-1.5e3',
  '1e400',
  'NaN',
  '+Inf',
  '-Inf',
  '0x1f',
  '123456789012345678901234567890',
  '1.7e308',
  '1700000000000',
  '1700000000.5',
  'counter',
  'gauge',
  'histogram',
  'summary',
  'untyped',
  'unknown',
  'info',
  'stateset',
  'gaugehistogram',
  'seconds',
  '\u0000',
  '\uFFFD',
  '😀',
  'é',
  '\u2028',
  ' # {trace_id="x"} 1 1',
  '{"quoted.name"}',
];

const EVENT_KINDS = new Set(['sample', 'help', 'type', 'unit', 'comment', 'diagnostic', 'fact']);

function parseChunks(chunks: readonly (string | Buffer)[], format: Format | undefined): ParseEvent[] {
  const events: ParseEvent[] = [];
  const parser = new ExpositionParser(format === undefined ? {} : { format }, (e) => events.push(e));
  for (const chunk of chunks) parser.write(chunk);
  parser.end();
  return events;
}

function splitAt(text: string, cuts: readonly number[]): string[] {
  const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
  const parts: string[] = [];
  let from = 0;
  for (const p of points) {
    parts.push(text.slice(from, p));
    from = p;
  }
  parts.push(text.slice(from));
  return parts;
}

const counts = { exposition: 0, yaml: 0, argv: 0 };
// The yaml library reports unresolved tags (`!custom`) and collection keys through process.emitWarning: keep
// 100,000 of them quiet.
const emitWarning = process.emitWarning.bind(process) as (w: string | Error, ...r: unknown[]) => void;
process.emitWarning = (warning: string | Error, ...rest: unknown[]) => {
  const text = typeof warning === 'string' ? warning : `${warning.name} ${warning.message}`;
  if (/YAMLWarning|mapAsMap/.test(text)) return;
  emitWarning(warning, ...rest);
};
afterAll(() => {
  process.emitWarning = emitWarning;
  figure('R7 fuzzing', { casesPerProperty: RUNS, seed, ...counts });
});

describe('R7 cases found by fuzzing', () => {
  it('an empty OpenMetrics input reports its missing # EOF on line 1 (lines are 1-based), not line 0', () => {
    const events = parseChunks([''], 'openmetrics');
    expect(events.map((e) => [e.kind, e.kind === 'diagnostic' ? e.code : '', e.line])).toEqual([
      ['diagnostic', 'missing-eof', 1],
    ]);
  });

  it('a web config that is an alias bomb is a WebConfigError naming the file, not a bare ReferenceError', () => {
    expect(() => parseWebConfig(BOMB, 'web.yml')).toThrow(/^web\.yml: refused to expand aliases/);
  });
});

describe('R7 fuzzing the exposition parser', () => {
  it(
    'never throws; every event is known; diagnostics carry a code, a message and a line; any chunking gives the same events',
    () => {
      fc.assert(
        fc.property(
          mixed(EXPOSITION_TOKENS, 60),
          fc.constantFrom<Format | undefined>('text', 'openmetrics', undefined),
          fc.array(fc.nat(), { maxLength: 6 }),
          fc.boolean(),
          (text, format, cuts, asBytes) => {
            counts.exposition++;
            const whole = parseChunks([text], format);
            for (const e of whole) {
              expect(EVENT_KINDS.has(e.kind)).toBe(true);
              expect(e.line).toBeGreaterThanOrEqual(1);
              if (e.kind === 'diagnostic') {
                expect(e.code).not.toBe('');
                expect(e.message).not.toBe('');
                expect(e.start).toBeGreaterThanOrEqual(0);
                expect(e.end).toBeGreaterThanOrEqual(e.start);
              }
            }
            const parts = splitAt(text, cuts);
            const chunked = parseChunks(asBytes ? parts.map((p) => Buffer.from(p)) : parts, format);
            const shape = (events: ParseEvent[]) =>
              events.map(
                (e) => `${e.kind}:${e.line}:${e.kind === 'diagnostic' || e.kind === 'fact' ? e.code : ''}`,
              );
            if (!asBytes) expect(shape(chunked)).toEqual(shape(whole));
          },
        ),
        params,
      );
    },
    TIMEOUT,
  );
});

const YAML_TOKENS = [
  'scrape_configs',
  'job_name',
  'static_configs',
  'targets',
  'global',
  'scrape_interval',
  'scrape_timeout',
  'honor_timestamps',
  'sample_limit',
  'metrics_path',
  'kafka',
  'apiVersion: monitoring.coreos.com/v1\n',
  'kind: ServiceMonitor\n',
  'kind: List\n',
  'items',
  'spec',
  'endpoints',
  'interval',
  'hygiene',
  'rules',
  'ignore',
  'parse-error',
  'off',
  'warn',
  'error',
  'tls_server_config',
  'cert_file',
  'basic_auth_users',
  'http_server_config',
  ':',
  ': ',
  '- ',
  '\n',
  '  ',
  '    ',
  '&a ',
  '*a',
  '&b ',
  '*b',
  '<<: *a\n',
  '!!str ',
  '!!map ',
  '!!binary ',
  '!custom ',
  '"',
  "'",
  '[',
  ']',
  '{',
  '}',
  ',',
  '---\n',
  '...\n',
  '# c\n',
  '15s',
  '1m',
  '-1',
  '0',
  '1e999',
  'null',
  '~',
  'true',
  '? ',
  '|\n',
  '>\n',
  '%YAML 1.2\n',
  '\t',
  '\u0000',
  '\uFEFF',
  'é',
  '$2y$10$',
];

const BOMB = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
  'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
  'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
  'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
  'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
  'g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]',
  'h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]',
  'i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]',
  'scrape_configs: [{ job_name: x, static_configs: [{ targets: *i }] }]',
  '',
].join('\n');

describe('R7 fuzzing the YAML loaders', () => {
  it(
    'parseConfig never throws and every problem lies inside the text; parseRc and parseWebConfig throw only their typed errors naming the file',
    () => {
      fc.assert(
        fc.property(mixed(YAML_TOKENS, 50), (text) => {
          counts.yaml++;
          const parsed = parseConfig(text, 'fuzz.yaml');
          for (const p of parsed.problems ?? []) {
            expect(p.message).not.toBe('');
            expect(p.range.start).toBeGreaterThanOrEqual(0);
            // The yaml library puts an error at the end of input on a one-character range past it (`{`).
            expect(p.range.end).toBeLessThanOrEqual(text.length + 1);
          }
          try {
            parseRc(text, '.scrapelintrc.yaml');
          } catch (error) {
            expect(error).toBeInstanceOf(ScrapelintError);
            expect((error as Error).message.startsWith('.scrapelintrc.yaml')).toBe(true);
          }
          try {
            parseWebConfig(text, 'web.yml');
          } catch (error) {
            expect(error).toBeInstanceOf(WebConfigError);
            expect((error as Error).message.startsWith('web.yml')).toBe(true);
          }
        }),
        params,
      );
    },
    TIMEOUT,
  );

  it('refuses a YAML alias bomb ("billion laughs") with a message that says so, in every loader', () => {
    const started = Date.now();
    const parsed = parseConfig(BOMB, 'bomb.yaml');
    expect((parsed.problems ?? []).map((p) => p.message)).toEqual([
      expect.stringMatching(/refused to expand aliases \(more than 100, as in a "billion laughs" attack\)/),
    ]);
    expect(parsed.jobs).toEqual([]);
    expect(() => parseRc(BOMB, '.scrapelintrc.yaml')).toThrow(
      /^\.scrapelintrc\.yaml:1:1: invalid YAML: Excessive alias count indicates a resource exhaustion attack/,
    );
    expect(() => parseWebConfig(BOMB, 'web.yml')).toThrow(WebConfigError);
    figure('R7 YAML alias bomb', {
      refusedInMs: Date.now() - started,
      message: parsed.problems?.[0]?.message,
    });
  });
});

const ARG_TOKENS = [
  'config',
  'metrics',
  'docs',
  'rules',
  '-',
  '--format',
  '-f',
  'json',
  'sarif',
  'text',
  'stylish',
  'xml',
  '--rule',
  'parse-error=off',
  'parse-error=2',
  'x=y',
  '=',
  'unknown-rule=warn',
  '--max-warnings',
  '-1',
  '0',
  'abc',
  '1e999',
  '--hygiene',
  '-q',
  '--quiet',
  '--no-color',
  '--no-rc',
  '--timeout',
  '--max-bytes',
  '--config',
  '-c',
  'nope.yaml',
  'rc.yaml',
  '--output',
  '-o',
  'out.txt',
  '--help',
  '-h',
  '--version',
  '-V',
  '.',
  'a.yaml',
  'b.prom',
  '*.yaml',
  '**',
  '--unknown',
  '--',
  'README.md',
  '',
  ' ',
  '\u0000',
  'é',
  '--format=json',
  '-qf',
  '--rule=',
];

describe('R7 fuzzing the argument parser', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'scrapelint-fuzz-'));
  writeFileSync(
    join(cwd, 'a.yaml'),
    'scrape_configs:\n  - job_name: a\n    static_configs: [{ targets: ["x:1"] }]\n',
  );
  writeFileSync(join(cwd, 'b.prom'), '# TYPE a counter\na_total 1\n');
  writeFileSync(join(cwd, 'rc.yaml'), 'rules:\n  parse-error: warn\n');
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  it(
    'always ends with exit code 0, 1 or 2 and never reports an internal error',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.constantFrom(...ARG_TOKENS), { maxLength: 7 }), async (argv) => {
          counts.argv++;
          let stderr = '';
          const code = await main(argv, {
            cwd,
            stdin: Readable.from(['# TYPE x gauge\nx 1\n']),
            stdout: () => undefined,
            stderr: (t) => (stderr += t),
            isTTY: false,
            env: {},
          });
          expect([0, 1, 2]).toContain(code);
          expect(stderr).not.toMatch(/internal error|\n\s+at /);
          if (code === 2) expect(stderr.trim()).not.toBe('');
        }),
        { ...params, numRuns: size(1_000, 100_000) },
      );
    },
    TIMEOUT,
  );
});
