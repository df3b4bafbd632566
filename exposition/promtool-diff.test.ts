import { describe, expect, it } from 'vitest';
import {
  Rng,
  classify,
  generateCases,
  generateExposition,
  minimise,
  mutateOnce,
  parserVerdict,
  showInput,
} from './promtool-diff.js';
import type { ParserVerdict, PromtoolVerdict } from './promtool-diff.js';

const seeds = [Buffer.from('# HELP a x\n# TYPE a gauge\na{b="c"} 1\n'), Buffer.from('b 2 1700000000000\n')];

describe('Rng', () => {
  it('gives the same sequence for the same seed and another for another seed', () => {
    const draw = (seed: number): number[] => {
      const rng = new Rng(seed);
      return Array.from({ length: 20 }, () => rng.int(1000));
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
  });

  it('draws integers in [0, n) and floats in [0, 1)', () => {
    const rng = new Rng(1);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const k = rng.int(5);
      expect(k >= 0 && k < 5 && Number.isInteger(k)).toBe(true);
      seen.add(k);
      const f = rng.next();
      expect(f >= 0 && f < 1).toBe(true);
    }
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('generateCases', () => {
  it('is deterministic: the same seed gives the same inputs, another seed others', () => {
    const a = generateCases(42, 50, seeds);
    expect(a).toHaveLength(50);
    expect(generateCases(42, 50, seeds)).toEqual(a);
    expect(generateCases(43, 50, seeds)).not.toEqual(a);
    expect(generateCases(42, 50, seeds, 8)).toEqual(generateCases(42, 50, seeds, 8));
    expect(generateCases(42, 50, seeds, 8)).not.toEqual(a);
  });

  it('works without seed files (generated expositions only) and for zero cases', () => {
    expect(generateCases(1, 0, [])).toEqual([]);
    const only = generateCases(1, 20, []);
    expect(only).toHaveLength(20);
    for (const b of only) expect(b).toBeInstanceOf(Buffer);
  });

  it('yields near-misses on both sides of the grammar, invalid UTF-8 and carriage returns among them', () => {
    const cases = generateCases(3, 600, seeds);
    const verdicts = cases.map((b) => parserVerdict(b).status);
    expect(verdicts.filter((v) => v === 'parsed').length).toBeGreaterThan(60);
    expect(verdicts.filter((v) => v === 'rejected').length).toBeGreaterThan(60);
    expect(cases.some((b) => !Buffer.from(b.toString('utf8'), 'utf8').equals(b))).toBe(true);
    expect(cases.some((b) => b.includes(0x0d))).toBe(true);
  });
});

describe('generateExposition', () => {
  it('writes HELP, TYPE, histograms with le and summaries with quantile, one sample per line', () => {
    const rng = new Rng(5);
    const all = Array.from({ length: 60 }, () => generateExposition(rng)).join('');
    expect(all).toMatch(/^# HELP \S+ /m);
    expect(all).toMatch(/^# TYPE \S+ histogram$/m);
    expect(all).toMatch(/_bucket\{le="/);
    expect(all).toMatch(/\{quantile="/);
    expect(all.endsWith('\n')).toBe(true);
  });

  it('mostly writes expositions the parser accepts (the mutations make the near-misses)', () => {
    const rng = new Rng(9);
    let parsed = 0;
    for (let i = 0; i < 100; i++)
      if (parserVerdict(Buffer.from(generateExposition(rng))).status === 'parsed') parsed++;
    expect(parsed).toBeGreaterThan(50);
  });
});

describe('mutateOnce', () => {
  it('never throws, on any input including the empty one, and changes most inputs', () => {
    const rng = new Rng(11);
    let changed = 0;
    for (let i = 0; i < 3000; i++) {
      const input = i % 10 === 0 ? Buffer.alloc(0) : seeds[i % 2]!;
      const out = mutateOnce(input, rng, seeds);
      expect(out).toBeInstanceOf(Buffer);
      if (!out.equals(input)) changed++;
    }
    expect(changed).toBeGreaterThan(2000);
  });
});

describe('parserVerdict', () => {
  it('parses a valid exposition, rejects an invalid one with the first error, code and line', () => {
    expect(parserVerdict(Buffer.from('a 1\n'))).toEqual({ status: 'parsed', errors: 0, quotedNameLines: [] });
    const bad = parserVerdict(Buffer.from('a 1\nb{ 1\nc x\n'));
    expect(bad).toMatchObject({
      status: 'rejected',
      errors: 2,
      first: { code: 'invalid-label-name', line: 2 },
    });
  });

  it('notes the lines where a name is written quoted, in a sample or in HELP/TYPE', () => {
    const v = parserVerdict(Buffer.from('a 1\n{"my.metric"} 2\n# HELP "x.y" h\nb{"l.n"="v"} 3\n'));
    expect(v.status).toBe('parsed');
    expect(v.quotedNameLines).toEqual([2, 3, 4]);
  });
});

describe('classify', () => {
  const p = (status: PromtoolVerdict['status'], line?: number): PromtoolVerdict =>
    line === undefined ? { status, exitCode: 0, output: '' } : { status, exitCode: 1, line, output: '' };
  const ours = (status: ParserVerdict['status'], quotedNameLines: number[] = []): ParserVerdict => ({
    status,
    errors: status === 'parsed' ? 0 : 1,
    quotedNameLines,
  });

  it('agrees when both verdicts match, diverges otherwise', () => {
    expect(classify(p('parsed'), ours('parsed'))).toBe('agree');
    expect(classify(p('rejected', 1), ours('rejected'))).toBe('agree');
    expect(classify(p('parsed'), ours('rejected'))).toBe('diverge');
    expect(classify(p('rejected', 1), ours('parsed'))).toBe('diverge');
  });

  it('excuses a rejection at a quoted-name line only, and never a promtool without a verdict', () => {
    expect(classify(p('rejected', 2), ours('parsed', [2]))).toBe('newer');
    expect(classify(p('rejected', 3), ours('parsed', [2]))).toBe('diverge');
    expect(classify(p('error'), ours('parsed'))).toBe('promtool-error');
    expect(classify(p('error'), ours('rejected'))).toBe('promtool-error');
  });
});

describe('minimise', () => {
  it('removes lines, then bytes, while the predicate holds', async () => {
    const input = Buffer.from('keep me\nnoise 1\nx marks\nnoise 2\n');
    const out = await minimise(input, (b) => Promise.resolve(b.includes('x m')));
    expect(out.toString()).toBe('x m');
  });

  it('stops after the budget of predicate runs and returns an input on which it holds', async () => {
    let runs = 0;
    const input = Buffer.from('a\nb\nc\nd\ne\nf\nx\n');
    const out = await minimise(
      input,
      (b) => {
        runs++;
        return Promise.resolve(b.includes('x'));
      },
      3,
    );
    expect(runs).toBe(3);
    expect(out.includes('x')).toBe(true);
  });
});

describe('showInput', () => {
  it('JSON-escapes valid UTF-8 as text and invalid UTF-8 byte for byte, saying so', () => {
    expect(showInput(Buffer.from('a{b="ü\\n"} 1\n'))).toBe('"a{b=\\"ü\\\\n\\"} 1\\n"');
    expect(showInput(Buffer.from([0x61, 0xff, 0x0a]))).toBe('"aÿ\\n" (bytes as latin1: not valid UTF-8)');
  });
});
