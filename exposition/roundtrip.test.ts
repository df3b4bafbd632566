import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { collectFamilies, parseText, render } from './index.js';
import type { FamilyModel, Format, MetricType, SampleModel } from './index.js';
import { loadCorpus, readCase } from './corpus.js';

const legacyName = fc.stringMatching(/^[a-zA-Z_:][a-zA-Z0-9_:]{0,12}$/);
const legacyLabel = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,8}$/).filter((n) => n !== '__name__');
const utf8Name = fc.string({ unit: 'binary', minLength: 1, maxLength: 8 });
const metricName = fc.oneof({ weight: 4, arbitrary: legacyName }, { weight: 1, arbitrary: utf8Name });
const labelName = fc
  .oneof({ weight: 4, arbitrary: legacyLabel }, { weight: 1, arbitrary: utf8Name })
  .filter((n) => n !== '__name__');
const labelValue = fc.string({ unit: 'binary', maxLength: 12 });
const value = fc.oneof(
  fc.double(),
  fc.integer({ min: -1e9, max: 1e9 }),
  fc.constantFrom(Number.NaN, Infinity, -Infinity, -0, 0, 1e21, 5e-324, Number.MAX_VALUE),
);
const timestampMs = fc.integer({ min: -1e13, max: 4e12 });
const labels = fc.dictionary(labelName, labelValue, { maxKeys: 4 });

function samplesOf(count: number): fc.Arbitrary<SampleModel[]> {
  return fc
    .uniqueArray(labels, { maxLength: count, selector: (l) => JSON.stringify(Object.entries(l).sort()) })
    .chain((sets) =>
      fc.tuple(
        ...sets.map((set) =>
          fc
            .record({ value, timestampMs: fc.option(timestampMs, { nil: undefined }) })
            .map((s) => ({ set, s })),
        ),
      ),
    )
    .map((rows) =>
      rows.map(({ set, s }) => ({
        ...(Object.keys(set).length > 0 ? { labels: set } : {}),
        value: s.value,
        ...(s.timestampMs === undefined ? {} : { timestampMs: s.timestampMs }),
      })),
    );
}

/** text 0.0.4 HELP cannot start with a blank nor be empty (the parser, like promtool, skips blanks before it). */
const textHelp = fc
  .string({ unit: 'binary', minLength: 1, maxLength: 20 })
  .filter((h) => h[0] !== ' ' && h[0] !== '\t');

function textFamilies(): fc.Arbitrary<FamilyModel[]> {
  return fc.uniqueArray(metricName, { minLength: 1, maxLength: 4 }).chain((names) =>
    fc.tuple(
      ...names.map((name) =>
        fc
          .record({
            type: fc.constantFrom<MetricType>('counter', 'gauge', 'untyped'),
            help: fc.option(textHelp, { nil: undefined }),
            samples: samplesOf(4),
          })
          .map((f) => ({
            name,
            type: f.type,
            ...(f.help === undefined ? {} : { help: f.help }),
            samples: f.samples,
          })),
      ),
    ),
  );
}

const exemplar = fc
  .record({
    labels: fc.dictionary(legacyLabel, fc.string({ maxLength: 10 }), { maxKeys: 3 }),
    value,
    timestampMs: fc.option(timestampMs, { nil: undefined }),
  })
  .map((e) => ({
    labels: e.labels,
    value: e.value,
    ...(e.timestampMs === undefined ? {} : { timestampMs: e.timestampMs }),
  }));

function openMetricsFamilies(): fc.Arbitrary<FamilyModel[]> {
  return fc
    .uniqueArray(
      legacyName.map((n) => n.replace(/_(total|created|info|bucket|count|sum|gcount|gsum)$/, '')),
      {
        minLength: 1,
        maxLength: 4,
      },
    )
    .chain((names) =>
      fc.tuple(
        ...names.map((base) =>
          fc
            .record({
              type: fc.constantFrom<MetricType>('counter', 'gauge', 'unknown'),
              help: fc.option(fc.string({ unit: 'binary', maxLength: 20 }), { nil: undefined }),
              withUnit: fc.boolean(),
              samples: samplesOf(4),
              exemplars: fc.array(fc.option(exemplar, { nil: undefined }), { minLength: 4, maxLength: 4 }),
            })
            .map((f): FamilyModel => {
              const name = f.withUnit && f.type !== 'counter' ? `${base}_bytes` : base;
              return {
                name,
                type: f.type,
                ...(f.help === undefined ? {} : { help: f.help }),
                ...(name !== base ? { unit: 'bytes' } : {}),
                samples: f.samples.map((s, i) => {
                  const e = f.exemplars[i];
                  return f.type === 'counter' && e !== undefined ? { ...s, exemplar: e } : s;
                }),
              };
            }),
        ),
      ),
    );
}

/** The model as the parser gives it back: sample names filled in (an OpenMetrics counter's end in _total). */
function expected(families: FamilyModel[], format: Format): FamilyModel[] {
  return families.map((f) => ({
    ...f,
    samples: f.samples.map((s) => ({
      name: format === 'openmetrics' && f.type === 'counter' ? `${f.name}_total` : f.name,
      ...s,
    })),
  }));
}

function roundTrip(
  families: FamilyModel[],
  format: Format,
): { text: string; back: FamilyModel[]; errors: number } {
  const text = render(families, format);
  const { events, summary } = parseText(text, { format });
  return { text, back: collectFamilies(events, format), errors: summary.errors };
}

describe('parse(render(model)) gives the model back', () => {
  it('text 0.0.4', () => {
    fc.assert(
      fc.property(textFamilies(), (families) => {
        const { back, errors, text } = roundTrip(families, 'text');
        expect(errors, text).toBe(0);
        expect(back).toEqual(expected(families, 'text'));
      }),
      { numRuns: 300 },
    );
  });

  it('OpenMetrics 1.0', () => {
    fc.assert(
      fc.property(openMetricsFamilies(), (families) => {
        const { back, errors, text } = roundTrip(families, 'openmetrics');
        expect(errors, text).toBe(0);
        expect(back).toEqual(expected(families, 'openmetrics'));
      }),
      { numRuns: 300 },
    );
  });
});

describe('render(parse(text)) is stable', () => {
  it('for generated expositions, in both formats', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          textFamilies().map((f) => ['text', f] as const),
          openMetricsFamilies().map((f) => ['openmetrics', f] as const),
        ),
        ([format, families]) => {
          const first = render(families, format);
          const again = render(collectFamilies(parseText(first, { format }).events, format), format);
          expect(again).toBe(first);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('for every valid corpus file: one render normalises, the next changes nothing', () => {
    for (const entry of loadCorpus().filter((c) => c.verdict === 'valid')) {
      const source = readCase(entry).toString('utf8');
      const once = render(
        collectFamilies(parseText(source, { format: entry.format }).events, entry.format),
        entry.format,
      );
      const reparsed = parseText(once, { format: entry.format });
      expect(reparsed.summary.errors, `${entry.file}\n${once}`).toBe(0);
      const twice = render(collectFamilies(reparsed.events, entry.format), entry.format);
      expect(twice, entry.file).toBe(once);
    }
  });
});
