/**
 * What differential fuzzing against promtool taught the text 0.0.4 parser (docs/exposition.md, Correctness): the
 * events such inputs give. The verdicts themselves are pinned by the corpus and by promtool-diff.int.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { parseText } from './index.js';
import type { MetadataEvent, ParseEvent, SampleEvent } from './index.js';

function events(text: string): ParseEvent[] {
  return parseText(text, { format: 'text' }).events;
}

const samples = (text: string): SampleEvent[] => events(text).filter((e) => e.kind === 'sample');
const codes = (text: string): string[] =>
  events(text).flatMap((e) => (e.kind === 'diagnostic' ? [e.code] : []));

describe('a value right after the metric name', () => {
  it('is read from the first character that cannot continue the name', () => {
    const [a, b, c] = samples('a-1\nb+Inf 1700000000000\nc{x="y"}.5\n');
    expect(a).toMatchObject({
      name: 'a',
      value: -1,
      nameRange: { start: 0, end: 1 },
      valueRange: { start: 1, end: 3 },
    });
    expect(b).toMatchObject({ name: 'b', value: Infinity, timestampMs: 1700000000000 });
    expect(c).toMatchObject({ name: 'c', value: 0.5 });
  });

  it('must be a valid value, else the character is an error in the metric name at its column', () => {
    for (const line of ['a-nan', 'a.b 1', 'a#1', 'a=1', 'a- 1', 'a+', 'a-1\r']) {
      const [d] = events(`${line}\n`).filter((e) => e.kind === 'diagnostic');
      expect(d, line).toMatchObject({ code: 'invalid-metric-name', line: 1, start: 0 });
    }
  });
});

describe('a repeated le or quantile', () => {
  it('is kept as written in a histogram or summary sample, every value a float', () => {
    const [bucket, sum, quantile] = samples(
      '# TYPE h histogram\nh_bucket{le="1",le="2"} 1\nh_sum{le="3",le="4"} 2\n# TYPE s summary\ns{quantile="0.5",quantile="0.9"} 3\n',
    );
    expect(bucket?.labels.map((l) => [l.name, l.value])).toEqual([
      ['le', '1'],
      ['le', '2'],
    ]);
    expect(sum?.family).toBe('h');
    expect(quantile?.labels.map((l) => l.value)).toEqual(['0.5', '0.9']);
    expect(codes('# TYPE h histogram\nh_bucket{le="1",le="x"} 1\n')).toEqual(['invalid-label-value']);
  });

  it('is a duplicate label anywhere else, at the second occurrence, and never leaks to the next line', () => {
    const text =
      '# TYPE s summary\ns{le="1",le="2"} 1\nh{quantile="1",quantile="1"} 2\n# TYPE h histogram\nh_bucket{le="1",le="2"} 3\nm 4\n';
    const diagnostics = events(text).filter((e) => e.kind === 'diagnostic');
    expect(diagnostics.map((d) => [d.code, d.line, d.start - d.lineStart])).toEqual([
      ['duplicate-label', 2, 9],
      ['duplicate-label', 3, 15],
    ]);
    expect(samples(text).map((s) => s.name)).toEqual(['h_bucket', 'm']);
  });

  it('of a histogram does not excuse a repeated quantile in the same set', () => {
    expect(codes('# TYPE h histogram\nh_bucket{le="1",quantile="1",le="2",quantile="3"} 1\n')).toEqual([
      'duplicate-label',
    ]);
  });
});

describe('a TYPE word', () => {
  const typeOf = (word: string): MetadataEvent | undefined =>
    events(`# TYPE m ${word}\n`).find((e): e is MetadataEvent => e.kind === 'type');

  it('is read without its backslashes and upper-cased as Go does (ı is I, ſ is S), its text kept as written', () => {
    expect(typeOf('histo\\gram')).toMatchObject({ type: 'histogram', text: 'histo\\gram' });
    expect(typeOf('\\counter\\')).toMatchObject({ type: 'counter' });
    expect(typeOf('ſummary')).toMatchObject({ type: 'summary', text: 'ſummary' });
    expect(typeOf('GAUGE_HıSTOGRAM')).toMatchObject({ type: 'gaugehistogram' });
  });

  it('is no type when only JavaScript case mapping or a lone backslash would make it one', () => {
    for (const word of [
      'hiﬆogram',
      'İnfo',
      '\\',
      '\\\\',
      'gauge\\ ',
      'ﬀ',
      'con\\structor',
      '\\_\\_proto\\_\\_',
    ]) {
      expect(codes(`# TYPE m ${word}\n`), word).toEqual(['invalid-type']);
    }
  });
});

describe('lines promtool reads and Prometheus scraper refuses', () => {
  // Checked against Prometheus 2.42's scraper on 2026-11-25: each took its target down with the error quoted.
  const facts = (text: string) =>
    events(text).flatMap((e) =>
      e.kind === 'fact' && e.code === 'scraper-refuses'
        ? [{ line: e.line, family: e.family, at: text.slice(e.range.start, e.range.end), message: e.message }]
        : [],
    );

  it('reports a TYPE word that is not written exactly as the scraper takes it, at the word', () => {
    const text =
      '# TYPE a COUNTER\n# TYPE b gauge_histogram\n# TYPE c histo\\gram\n# TYPE d Gauge\n# TYPE e counter\n';
    expect(facts(text).map((f) => [f.line, f.family, f.at])).toEqual([
      [1, 'a', 'COUNTER'],
      [2, 'b', 'gauge_histogram'],
      [3, 'c', 'histo\\gram'],
      [4, 'd', 'Gauge'],
    ]);
    expect(facts(text)[0]?.message).toBe(
      `TYPE "COUNTER" is read as counter by promtool, but Prometheus' scraper takes only counter, gauge, histogram, summary or untyped, in lower case, and fails the whole scrape ("invalid metric type")`,
    );
  });

  it('reports a repeated le or quantile at its second name, after the sample, and only on that line', () => {
    const text = '# TYPE h histogram\nh_bucket{le="1",le="2"} 1\nh_bucket{le="+Inf"} 1\nm 3\n';
    expect(facts(text)).toEqual([
      {
        line: 2,
        family: 'h',
        at: 'le',
        message: `label "le" appears twice: promtool reads the sample (the last value wins), but Prometheus' scraper refuses it and fails the whole scrape ("label name "le" is not unique")`,
      },
    ]);
    const order = events(text).map((e) => e.kind);
    expect(order.indexOf('fact')).toBe(order.indexOf('sample') + 1);
    const fact = events(text).find((e) => e.kind === 'fact');
    expect(fact?.kind === 'fact' ? fact.range.start : -1).toBe(text.indexOf('le="2"'));
  });
});
