/**
 * Differential fuzzing against promtool: a bounded, seeded run of mutated text 0.0.4 expositions (the valid corpus
 * files and generated realistic ones), each through `promtool check metrics` and the parser, must show no
 * divergence. A failure prints every diverging input (JSON-escaped), both verdicts and a minimised input.
 *
 * A longer exploration with another seed:
 *   PROMTOOL_DIFF_SEED=7 PROMTOOL_DIFF_CASES=4000 npx vitest run --project integration exposition/promtool-diff.int.test.ts
 */
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCorpus, readCase } from './corpus.js';
import {
  PROMTOOL,
  describeResult,
  diffAll,
  diffOne,
  generateCases,
  minimise,
  runPromtool,
} from './promtool-diff.js';
import type { DiffResult } from './promtool-diff.js';

const SEED = Number(process.env['PROMTOOL_DIFF_SEED'] ?? 20261125);
const CASES = Number(process.env['PROMTOOL_DIFF_CASES'] ?? 300);

const seeds = loadCorpus()
  .filter((c) => c.format === 'text' && c.verdict === 'valid' && c.promtool !== 'newer')
  .map(readCase);

function requirePromtool(): void {
  if (!existsSync(PROMTOOL)) throw new Error(`${PROMTOOL} is missing: install with: bash deploy/setup.sh`);
}

const scratch = mkdtempSync(join(tmpdir(), 'promtool-diff-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A stand-in for promtool: a shell script that prints `output` and exits with `code`, whatever its input. */
function fakePromtool(name: string, code: number, output: string): string {
  const path = join(scratch, name);
  writeFileSync(path, `#!/bin/sh\ncat >/dev/null\necho '${output}' >&2\nexit ${code}\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('differential fuzzing of the text parser against promtool', () => {
  it(`agrees with promtool on ${CASES} seeded mutations (seed ${SEED})`, async () => {
    requirePromtool();
    expect(seeds.length).toBeGreaterThan(20);
    const results = await diffAll(generateCases(SEED, CASES, seeds), { concurrency: 2 });
    const divergences = results.filter((r) => r.outcome === 'diverge' || r.outcome === 'promtool-error');
    const report: string[] = [];
    for (const r of divergences.slice(0, 3)) {
      const want = `${r.promtool.status}/${r.parser.status}`;
      const smaller = await minimise(
        r.input,
        async (b) => {
          const d = await diffOne(b);
          return d.outcome === r.outcome && `${d.promtool.status}/${d.parser.status}` === want;
        },
        150,
      );
      report.push(`${describeResult(r)}\n  minimised: ${describeResult(await diffOne(smaller))}`);
    }
    for (const r of divergences.slice(3)) report.push(describeResult(r));
    expect(report, `${divergences.length} of ${results.length} inputs diverge`).toEqual([]);
    // The run exercises both verdicts, not only one side of the grammar.
    const parsed = results.filter((r) => r.promtool.status === 'parsed').length;
    expect(parsed).toBeGreaterThan(CASES / 10);
    expect(results.length - parsed).toBeGreaterThan(CASES / 10);
  });

  it('pins the divergences fuzzing found, now fixed', async () => {
    requirePromtool();
    const found = [
      '# TYPE a histogram\na_bucket{le="0.5",le="1"} 1\n',
      '# TYPE a summary\na{quantile="0.5",quantile="0.9"} 1\n',
      '# TYPE a summary\na{le="1",le="2"} 1\n',
      '# TYPE a histogram\na{le="2",le="1"}2\nm 3\n',
      'd+Inf\n',
      'a-1 1700000000000\n',
      'a.5\n',
      'a-nan\n',
      '#TYPE r histo\\gram\n',
      '# TYPE a ſummary\n',
      '# TYPE a hiﬆogram\n',
    ].map((s) => Buffer.from(s));
    const results: DiffResult[] = await diffAll(found);
    expect(results.map((r) => [r.input.toString(), r.promtool.status, r.outcome])).toEqual([
      ['# TYPE a histogram\na_bucket{le="0.5",le="1"} 1\n', 'parsed', 'agree'],
      ['# TYPE a summary\na{quantile="0.5",quantile="0.9"} 1\n', 'parsed', 'agree'],
      ['# TYPE a summary\na{le="1",le="2"} 1\n', 'rejected', 'agree'],
      ['# TYPE a histogram\na{le="2",le="1"}2\nm 3\n', 'parsed', 'agree'],
      ['d+Inf\n', 'parsed', 'agree'],
      ['a-1 1700000000000\n', 'parsed', 'agree'],
      ['a.5\n', 'parsed', 'agree'],
      ['a-nan\n', 'rejected', 'agree'],
      ['#TYPE r histo\\gram\n', 'parsed', 'agree'],
      ['# TYPE a ſummary\n', 'parsed', 'agree'],
      ['# TYPE a hiﬆogram\n', 'rejected', 'agree'],
    ]);
  });

  it('classes a quoted UTF-8 name that promtool 2.42 predates as newer, not as a divergence', async () => {
    requirePromtool();
    const r = await diffOne(Buffer.from('a 1\n{"my.metric"} 2\n'));
    expect(r.promtool).toMatchObject({ status: 'rejected', line: 2 });
    expect(r.parser.status).toBe('parsed');
    expect(r.outcome).toBe('newer');
    // A quoted name on one line does not excuse an error promtool finds on another.
    const other = await diffOne(Buffer.from('{"my.metric"} 2\na{b="c"} 1 2 3\n'));
    expect(other.outcome).toBe('agree');
  });

  it('reports a divergence, and a promtool that gives no verdict, with the input and both verdicts', async () => {
    const yes = fakePromtool('always-parses', 0, '');
    const r = await diffOne(Buffer.from('a{ 1\n'), yes);
    expect(r.outcome).toBe('diverge');
    expect(describeResult(r)).toBe(
      '"a{ 1\\n"\n  promtool: parsed (exit 0: )\n  parser:   rejected (invalid-label-name line 1: invalid label name: unexpected \'1\')',
    );
    const no = fakePromtool('always-rejects', 1, 'text format parsing error in line 1: nope');
    expect((await diffOne(Buffer.from('a 1\n'), no)).outcome).toBe('diverge');
    const crash = fakePromtool('crashes', 2, 'panic: runtime error');
    const c = await diffOne(Buffer.from('a 1\n'), crash);
    expect(c.outcome).toBe('promtool-error');
    expect(c.promtool).toMatchObject({ status: 'error', exitCode: 2, output: 'panic: runtime error' });
    const missing = await runPromtool(Buffer.from('a 1\n'), join(scratch, 'no-such-promtool'));
    expect(missing.status).toBe('error');
    expect(missing.output).toMatch(/ENOENT/);
  });

  it('shows invalid UTF-8 input byte for byte', async () => {
    requirePromtool();
    const r = await diffOne(Buffer.from([0x61, 0x7b, 0x62, 0x3d, 0x22, 0xff, 0x22, 0x7d, 0x20, 0x31, 0x0a]));
    expect(r.outcome).toBe('agree');
    expect(describeResult(r).split('\n')[0]).toBe('"a{b=\\"ÿ\\"} 1\\n" (bytes as latin1: not valid UTF-8)');
  });
});
