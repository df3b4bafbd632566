import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ExpositionParser, parseStream, parseText } from './index.js';
import { namePool } from './parse.js';
import type { Diagnostic, FactEvent, MetadataEvent, ParseEvent, SampleEvent } from './index.js';

const samples = (events: ParseEvent[]): SampleEvent[] =>
  events.filter((e): e is SampleEvent => e.kind === 'sample');
const diagnostics = (events: ParseEvent[]): Diagnostic[] =>
  events.filter((e): e is Diagnostic => e.kind === 'diagnostic');
const facts = (events: ParseEvent[]): FactEvent[] => events.filter((e): e is FactEvent => e.kind === 'fact');

describe('positions', () => {
  it('gives the offsets of the line and of every part of a sample', () => {
    const text = '# TYPE a gauge\na{b="c\\"d",e="f"} 1.5 123\n';
    const [sample] = samples(parseText(text).events);
    const at = (r: { start: number; end: number }): string => text.slice(r.start, r.end);
    expect(sample!.line).toBe(2);
    expect(sample!.lineStart).toBe(15);
    expect(at(sample!.range)).toBe('a{b="c\\"d",e="f"} 1.5 123');
    expect(at(sample!.nameRange)).toBe('a');
    expect(at(sample!.valueRange)).toBe('1.5');
    expect(at(sample!.timestampRange!)).toBe('123');
    expect(sample!.labels.map((l) => [at(l.nameRange), at(l.valueRange), l.value])).toEqual([
      ['b', '"c\\"d"', 'c"d'],
      ['e', '"f"', 'f'],
    ]);
  });

  it('points a diagnostic at the offending token, with its line', () => {
    const text = 'ok 1\nbad{x="y"} 12z\n';
    const [d] = diagnostics(parseText(text).events);
    expect(d).toMatchObject({ code: 'invalid-value', line: 2, lineStart: 5 });
    expect(text.slice(d!.start, d!.end)).toBe('12z');
    expect(d!.message).toContain('"12z"');
  });

  it('counts offsets in UTF-16 code units across multi-byte characters split between Buffer chunks', () => {
    const bytes = Buffer.from('a{b="日本"} 1\nc 2\n');
    const events: ParseEvent[] = [];
    const parser = new ExpositionParser({}, (e) => events.push(e));
    for (let i = 0; i < bytes.length; i++) parser.write(bytes.subarray(i, i + 1));
    const summary = parser.end();
    const [first, second] = samples(events);
    expect(first!.labels[0]!.value).toBe('日本');
    expect(second!.range.start).toBe('a{b="日本"} 1\n'.length);
    expect(summary.length).toBe('a{b="日本"} 1\nc 2\n'.length);
  });

  it('places metadata and the family name', () => {
    const text = '# HELP x_total Some help.\n# TYPE x_total counter\n';
    const [help, type] = parseText(text).events as MetadataEvent[];
    expect(help).toMatchObject({ kind: 'help', family: 'x_total', text: 'Some help.', line: 1 });
    expect(text.slice(type!.familyRange.start, type!.familyRange.end)).toBe('x_total');
    expect(type).toMatchObject({ kind: 'type', type: 'counter', line: 2 });
  });
});

describe('format choice', () => {
  it('takes the Content-Type first, then the option, then detection, then text', () => {
    const om = 'a 1\n# EOF\n';
    expect(
      parseText(om, { contentType: 'text/plain; version=0.0.4', format: 'openmetrics' }).summary,
    ).toMatchObject({
      format: 'text',
      formatSource: 'content-type',
    });
    expect(
      parseText('a 1\n', { contentType: 'application/openmetrics-text; version=1.0.0' }).summary,
    ).toMatchObject({
      format: 'openmetrics',
      formatSource: 'content-type',
    });
    expect(
      parseText('a 1\n', { contentType: 'application/json', format: 'openmetrics' }).summary.formatSource,
    ).toBe('option');
    expect(parseText(om).summary).toMatchObject({ format: 'openmetrics', formatSource: 'detected' });
    expect(parseText('a 1\n').summary.format).toBe('text');
  });

  it('detects OpenMetrics by syntax only it has, within the first 64 KiB', () => {
    expect(parseText('# TYPE a info\na_info 1\n# EOF\n').summary.format).toBe('openmetrics');
    expect(parseText('# TYPE c counter\nc_total 1 # {t="x"} 1\n# EOF\n').summary.format).toBe('openmetrics');
    const big = `${'x 1\n'.repeat(20_000)}# EOF\n`;
    expect(parseText(big).summary.format).toBe('text');
  });
});

describe('recovery and counting', () => {
  it('reports every broken line and keeps every good one', () => {
    const { events, summary } = parseText('a 1\nb{ 2\nc 3\nd 0x4\ne 5\n');
    expect(samples(events).map((s) => s.name)).toEqual(['a', 'c', 'e']);
    expect(diagnostics(events).map((d) => [d.code, d.line])).toEqual([
      ['invalid-label-name', 2],
      ['invalid-value', 4],
    ]);
    expect(summary).toMatchObject({ lines: 5, samples: 3, errors: 2 });
  });

  it('counts explicit timestamps, in milliseconds whatever the format', () => {
    const text = parseText('a 1 1500\nb 2\n');
    expect(text.summary.timestampedSamples).toBe(1);
    expect(samples(text.events)[0]!.timestampMs).toBe(1500);
    const om = parseText('a 1 1520879607.789\n# EOF\n');
    expect(samples(om.events)[0]!.timestampMs).toBe(1520879607789);
    expect(om.summary.timestampedSamples).toBe(1);
  });

  it('skips a line longer than maxLineLength and goes on, with bounded memory', () => {
    const long = `a{b="${'x'.repeat(5000)}"} 1\n`;
    const events: ParseEvent[] = [];
    const parser = new ExpositionParser({ maxLineLength: 1000 }, (e) => events.push(e));
    parser.write('ok 1\n');
    for (let i = 0; i < long.length; i += 100) parser.write(long.slice(i, i + 100));
    parser.write('after 2\n');
    const summary = parser.end();
    expect(diagnostics(events).map((d) => [d.code, d.line])).toEqual([['line-too-long', 2]]);
    expect(samples(events).map((s) => [s.name, s.line])).toEqual([
      ['ok', 1],
      ['after', 3],
    ]);
    expect(summary.lines).toBe(3);
  });

  it('refuses write() after end()', () => {
    const parser = new ExpositionParser({}, () => undefined);
    parser.end();
    expect(() => parser.write('a 1\n')).toThrow(/after end/);
  });
});

describe('facts', () => {
  it('reports a duplicate series with its first occurrence and whether timestamps match', () => {
    const f = facts(parseText('a{x="1"} 1 10\nb 1\na{x="1"} 2 10\na{x="1"} 3 20\n').events);
    const duplicates = f.filter((e) => e.code === 'duplicate-series');
    expect(duplicates.map((d) => [d.line, d.first?.line, d.sameTimestamp])).toEqual([
      [3, 1, true],
      [4, 1, false],
    ]);
    expect(f.filter((e) => e.code === 'split-family').map((e) => [e.family, e.line])).toEqual([['a', 3]]);
  });

  it('tells series apart by every label and by name', () => {
    const f = facts(
      parseText('a{x="1"} 1\na{x="2"} 1\na{y="1"} 1\nb{x="1"} 1\na 1\na{x="1",y="1"} 1\n').events,
    );
    expect(f.filter((e) => e.code === 'duplicate-series')).toEqual([]);
  });

  it('tracks nothing when trackDuplicates is false', () => {
    expect(facts(parseText('a 1\na 1\n', { trackDuplicates: false }).events)).toEqual([]);
  });

  it('tells a histogram bucket from its family', () => {
    const events = parseText('# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 2\nh_count 1\n').events;
    expect(samples(events).map((s) => s.family)).toEqual(['h', 'h', 'h']);
  });
});

describe('parseStream', () => {
  it('yields the events of an async iterable of chunks and returns the summary', async () => {
    const source = Readable.from([Buffer.from('a 1\nb'), Buffer.from(' 2\n'), 'c 3\n']);
    const names: string[] = [];
    let summary;
    for await (const event of parseStream(source, {}, (s) => (summary = s))) {
      if (event.kind === 'sample') names.push(event.name);
    }
    expect(names).toEqual(['a', 'b', 'c']);
    expect(summary).toMatchObject({ samples: 3, errors: 0, format: 'text' });
  });
});

describe('names repeated from the previous line', () => {
  it('reads a name that extends or shortens the previous one whole', () => {
    const text = 'abc 1\nabcd 2\nab 3\nx{a="1",ab="2"} 1\nx{ab="1",a="2"} 2\nx{abc="1"} 3\n';
    const result = parseText(text);
    expect(diagnostics(result.events)).toEqual([]);
    expect(samples(result.events).map((s) => [s.name, s.labels.map((l) => l.name).join(',')])).toEqual([
      ['abc', ''],
      ['abcd', ''],
      ['ab', ''],
      ['x', 'a,ab'],
      ['x', 'ab,a'],
      ['x', 'abc'],
    ]);
  });

  it('reads long names right across parsers and past the bound of the shared name copies', () => {
    // Long names (13+ characters) are copied once and shared by later parsers; the pool is cleared when full.
    const names = Array.from({ length: 5000 }, (_, i) => `a_long_metric_name_${i}`);
    for (let round = 0; round < 2; round++) {
      const text = names.map((n, i) => `${n}{a_long_label_name_${i % 7}="v"} ${i}`).join('\n') + '\n';
      const got = samples(parseText(text).events);
      expect(got.map((s) => s.name)).toEqual(names);
      expect(got.map((s) => s.labels[0]?.name)).toEqual(names.map((_, i) => `a_long_label_name_${i % 7}`));
    }
    // Names longer than the pool keeps are read whole all the same.
    const long = 'n'.repeat(300);
    for (let round = 0; round < 2; round++) {
      expect(
        samples(parseText(`${long}{${long}="v"} 1\n`).events).map((s) => [s.name, s.labels[0]?.name]),
      ).toEqual([[long, long]]);
    }
    expect(namePool().size).toBeLessThanOrEqual(4096);
    expect(namePool().longest).toBeLessThanOrEqual(256);
    // A name that is a prefix of a pooled one, and one that extends it, are their own names.
    const short = samples(
      parseText('a_long_metric_name_1 1\na_long_metric_name_12 2\na_long_metric_name_ 3\n').events,
    );
    expect(short.map((s) => s.name)).toEqual([
      'a_long_metric_name_1',
      'a_long_metric_name_12',
      'a_long_metric_name_',
    ]);
  });

  it('still refuses a bare name that only a previous line could write quoted', () => {
    const text = '{"a.b"} 1\na.b 2\nx{"c.d"="1"} 1\nx{c.d="1"} 2\n';
    const codes = diagnostics(parseText(text).events).map((d) => [d.code, d.line]);
    expect(codes).toEqual([
      ['invalid-metric-name', 2],
      ['unexpected-character', 4],
    ]);
  });
});
