import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExpositionParser, detectFormat } from './index.js';
import type { ParseEvent, ParseSummary } from './index.js';
import { corpusDir, loadCorpus, readCase } from './corpus.js';

const corpus = loadCorpus();

function parseChunks(
  data: Buffer,
  format: 'text' | 'openmetrics',
  size: number,
): { events: ParseEvent[]; summary: ParseSummary } {
  const events: ParseEvent[] = [];
  const parser = new ExpositionParser({ format }, (e) => events.push(e));
  for (let i = 0; i < data.length; i += size) parser.write(data.subarray(i, i + size));
  return { events, summary: parser.end() };
}

describe('exposition corpus', () => {
  it('has at least 80 cases, every file listed once and every listed file present', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(80);
    const listed = corpus.map((c) => c.file).sort();
    expect(new Set(listed).size).toBe(listed.length);
    const onDisk = ['text', 'openmetrics'].flatMap((dir) =>
      readdirSync(join(corpusDir, dir)).map((f) => `${dir}/${f}`),
    );
    expect(onDisk.sort()).toEqual(listed);
  });

  it('covers both formats, valid and invalid', () => {
    for (const format of ['text', 'openmetrics'] as const) {
      for (const verdict of ['valid', 'invalid'] as const) {
        expect(corpus.filter((c) => c.format === format && c.verdict === verdict).length).toBeGreaterThan(10);
      }
    }
  });

  describe.each(corpus)('$file', (entry) => {
    const data = readCase(entry);

    it(`is ${entry.verdict}${entry.code === undefined ? '' : ` (${entry.code} at line ${entry.line})`}`, () => {
      const { events, summary } = parseChunks(data, entry.format, data.length + 1);
      const diagnostics = events.filter((e) => e.kind === 'diagnostic');
      expect(summary.format).toBe(entry.format);
      if (entry.verdict === 'valid') {
        expect(diagnostics).toEqual([]);
        expect(summary.errors).toBe(0);
      } else {
        expect(diagnostics.length).toBeGreaterThan(0);
        const first = diagnostics[0]!;
        expect({ code: first.code, line: first.line }).toEqual({ code: entry.code, line: entry.line });
        expect(first.message.length).toBeGreaterThan(10);
        expect(first.start).toBeGreaterThanOrEqual(first.lineStart);
        expect(first.end).toBeGreaterThanOrEqual(first.start);
        expect(summary.errors).toBe(diagnostics.length);
      }
      if (entry.errors !== undefined) expect(diagnostics.length).toBe(entry.errors);
      const facts = [...new Set(events.flatMap((e) => (e.kind === 'fact' ? [e.code] : [])))].sort();
      expect(facts).toEqual([...(entry.facts ?? [])].sort());
    });

    it('gives the same events whatever the chunk boundaries', () => {
      const whole = parseChunks(data, entry.format, data.length + 1);
      for (const size of [1, 2, 3, 7]) expect(parseChunks(data, entry.format, size)).toEqual(whole);
    });
  });

  it('detects OpenMetrics by "# EOF" in every OpenMetrics case that has it, text in every valid text case', () => {
    for (const entry of corpus) {
      const text = readCase(entry).toString('utf8');
      if (entry.format === 'text' && entry.verdict === 'valid')
        expect(detectFormat(text), entry.file).toBe('text');
      else if (/(^|\n)# EOF(\n|$)/.test(text)) expect(detectFormat(text), entry.file).toBe('openmetrics');
    }
  });
});
