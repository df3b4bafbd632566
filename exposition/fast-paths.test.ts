/**
 * The parser's fast paths must give what its general paths give: plain decimal values against scanValue, the
 * `le`/`quantile` check against scanValue's verdict, and parsing without duplicate tracking (the exposer's records)
 * against parsing with it, event for event apart from the duplicate-series facts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadCorpus, readCase } from './corpus.js';
import { parseText } from './index.js';
import type { Format, ParseEvent } from './index.js';
import { scanValue } from './numbers.js';

function sampleValues(text: string, format: Format = 'text'): number[] {
  return parseText(text, { format }).events.flatMap((e) => (e.kind === 'sample' ? [e.value] : []));
}

function codes(text: string, format: Format = 'text'): string[] {
  return parseText(text, { format }).events.flatMap((e) => (e.kind === 'diagnostic' ? [e.code] : []));
}

describe('plain decimal values', () => {
  const edge = [
    '0',
    '0.0',
    '00.050',
    '.5',
    '5.',
    '0.1',
    '0.3',
    '2.675',
    '123456789012345',
    '1234567890123456',
    '12345678.9012345',
    '1234567.89012345',
    '0.000000000000001',
    '0.0000000000000001',
    '999999999999999.',
    '9007199254740993',
    '35.617643516594505',
  ];

  it.each(edge)('reads %s as scanValue does', (token) => {
    expect(sampleValues(`m ${token}\n`)).toEqual([scanValue(token, 0, token.length)]);
    expect(sampleValues(`m ${token}\n# EOF\n`, 'openmetrics')).toEqual([scanValue(token, 0, token.length)]);
  });

  it('reads any digits-and-point token as scanValue does', () => {
    const token = fc
      .tuple(fc.stringMatching(/^[0-9]{0,12}$/), fc.boolean(), fc.stringMatching(/^[0-9]{0,12}$/))
      .map(([int, point, frac]) => (point ? `${int}.${frac}` : int))
      .filter((t) => /[0-9]/.test(t));
    fc.assert(
      fc.property(token, (t) => {
        const [value] = sampleValues(`m ${t}\n`);
        expect(Object.is(value, scanValue(t, 0, t.length))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it.each(['.', '1.2.3', '1..', '..5', '1.e', '0x10', '1_000', '-.', '+.5e'])(
    'refuses %s as scanValue does',
    (token) => {
      expect(scanValue(token, 0, token.length)).toBeUndefined();
      expect(codes(`m ${token}\n`)).toEqual(['invalid-value']);
    },
  );
});

describe('le and quantile values', () => {
  const bounds = [
    '+Inf',
    '+inf',
    'Inf',
    '-Inf',
    'NaN',
    '0.05',
    '.5',
    '5.',
    '1e3',
    '1E-3',
    '-1',
    '+1',
    '1234567890123456789',
    '.',
    '',
    'abc',
    '1.2.3',
    '0x10',
    ' 1',
    '+Inf ',
  ];

  it.each(bounds)('judges le="%s" as scanValue does', (bound) => {
    const valid = scanValue(bound, 0, bound.length) !== undefined;
    const histogram = `# TYPE h histogram\nh_bucket{le="${bound}"} 1\n`;
    expect(codes(histogram)).toEqual(valid ? [] : ['invalid-label-value']);
    const summary = `# TYPE s summary\ns{quantile="${bound}"} 1\n`;
    expect(codes(summary)).toEqual(valid ? [] : ['invalid-label-value']);
    const om = `# TYPE h histogram\nh_bucket{le="${bound}"} 1\n# EOF\n`;
    expect(codes(om, 'openmetrics')).toEqual(valid ? [] : ['invalid-label-value']);
  });
});

describe('names reused from the line before', () => {
  function names(text: string): string[] {
    return parseText(text, { format: 'text' }).events.flatMap((e) =>
      e.kind === 'sample'
        ? [`${e.name}{${e.labels.map((l) => l.name).join(',')}}`]
        : e.kind === 'diagnostic'
          ? [e.code]
          : [],
    );
  }

  it('reads each name whole, whether it is the last one, a prefix of it or longer', () => {
    const text =
      'h_bucket{le="1"} 1\nh_sum 1\nh_sum_x 2\nh_su 3\nh_sum 4\nh_sum{a="1"} 5\nh_sum\t6\nh_sum:x 7\n';
    expect(names(text)).toEqual([
      'h_bucket{le}',
      'h_sum{}',
      'h_sum_x{}',
      'h_su{}',
      'h_sum{}',
      'h_sum{a}',
      'h_sum{}',
      'h_sum:x{}',
    ]);
  });

  it('does not read a name on into the next line', () => {
    expect(names('abcdef 1\nabc\nabcdef 2\nab')).toEqual([
      'abcdef{}',
      'unexpected-end-of-line',
      'abcdef{}',
      'unexpected-end-of-line',
    ]);
  });

  it('reads label names whole in the same places', () => {
    expect(names('a{le="1",x="2"} 1\na{lex="1",x_y="2"} 2\na{l="1",x="2"} 3\na{le="1"} 4\n')).toEqual([
      'a{le,x}',
      'a{lex,x_y}',
      'a{l,x}',
      'a{le}',
    ]);
  });
});

/** Bodies that take the parser's less common paths (escapes, quoted names, errors, repeated series). */
const varied = [
  'a{x="1",y="2"} 1\na{y="2",x="1"} 2\na{x="1",y="2"} 3\n',
  'a{x="a\\"b",y="c\\\\d",z="e\\nf"} 1\na{x="a\\"b",y="c\\\\d",z="e\\nf"} 2\n',
  '{"my.metric","some.label"="x"} 1\n{"my.metric","some.label"="x"} 1\n',
  '# HELP a help \\n with \\\\ escapes\n# TYPE a counter\na{l="v"} 1 1700000000000\na{l="v"} 1 1700000000000\n',
  'a{x="1",} 1\na{ x = "1" } 2\na{x="1"}\t3\n',
  'a{x="unclosed} 1\na{x="1"} 1\na{x=1} 2\na{x="\\q"} 3\na{x="1",x="2"} 4\na{__name__="b"} 5\n',
  '# TYPE h histogram\nh_bucket{le="0.5"} 1\nh_bucket{le="+Inf"} 2\nh_bucket{le="x"} 3\nh_sum 1\nh_count 2\nh_count 2\n',
  'a{x="\u00e9t\u00e9",y="\u{1F600}"} 1\na{x="\u00e9t\u00e9",y="\u{1F600}"} 1\nb 1\nb 2\n',
  '# TYPE c counter\n# HELP c c\nc_total{a="1"} 1\nc_total{a="1"} 1 # {t="x"} 1\n# EOF\n',
  'a 1\nb 1\na 2\n',
];

/** The duplicate-series facts are the only events tracking adds (split-family facts come either way). */
function withoutDuplicates(events: readonly ParseEvent[]): ParseEvent[] {
  return events.filter((e) => !(e.kind === 'fact' && e.code === 'duplicate-series'));
}

function expectSameWithoutTracking(text: string, format: Format): void {
  const tracked = parseText(text, { format });
  const untracked = parseText(text, { format, trackDuplicates: false });
  const kept = withoutDuplicates(tracked.events);
  expect(untracked.events).toEqual(kept);
  const facts = kept.filter((e) => e.kind === 'fact').length;
  expect(untracked.summary).toEqual({ ...tracked.summary, facts });
  expect(untracked.events.some((e) => e.kind === 'fact' && e.code === 'duplicate-series')).toBe(false);
}

describe('parsing without duplicate tracking', () => {
  it('tracking finds the repeated series of the varied bodies (so they exercise it)', () => {
    const facts = varied.flatMap((text) =>
      parseText(text, { format: 'text' }).events.filter(
        (e) => e.kind === 'fact' && e.code === 'duplicate-series',
      ),
    );
    expect(facts.length).toBeGreaterThanOrEqual(6);
  });

  it.each(varied.map((text, i) => [i, text] as const))(
    'varied body %i: same events minus duplicate facts',
    (_i, text) => {
      expectSameWithoutTracking(text, 'text');
      expectSameWithoutTracking(text, 'openmetrics');
    },
  );

  it('every corpus case: same events minus duplicate facts', () => {
    const corpus = loadCorpus();
    expect(corpus.length).toBeGreaterThan(80);
    for (const entry of corpus) expectSameWithoutTracking(readCase(entry).toString('utf8'), entry.format);
  });

  it('random lines built from the grammar: same events minus duplicate facts', () => {
    const name = fc.constantFrom('a', 'a_total', 'h_bucket', 'h_sum', '"q.n"', 'bad.name', 'c_count');
    const label = fc.tuple(
      fc.constantFrom('x', 'le', 'y', '"q.l"', '__name__', '1x'),
      fc.constantFrom('"1"', '"+Inf"', '"a\\"b"', '"\\\\"', '"\\n"', '"\\z"', '"é"', '"unclosed', '2'),
    );
    const line = fc.oneof(
      fc
        .tuple(name, fc.array(label, { maxLength: 3 }), fc.constantFrom('1', '0.5', 'NaN', 'x', '-Inf', ''))
        .map(([n, ls, v]) =>
          ls.length === 0 ? `${n} ${v}` : `${n}{${ls.map(([k, val]) => `${k}=${val}`).join(',')}} ${v}`,
        ),
      fc.constantFrom('# TYPE h histogram', '# TYPE a counter', '# HELP a x', '# EOF', '', '# other'),
    );
    fc.assert(
      fc.property(
        fc.array(line, { maxLength: 12 }),
        fc.constantFrom<Format>('text', 'openmetrics'),
        (lines, format) => expectSameWithoutTracking(`${lines.join('\n')}\n`, format),
      ),
      { numRuns: 500 },
    );
  });
});
