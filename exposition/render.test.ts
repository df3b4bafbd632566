import { describe, expect, it } from 'vitest';
import {
  contentTypeFor,
  escapeHelp,
  escapeLabelValue,
  formatTimestamp,
  formatValue,
  isValidLabelName,
  isValidMetricName,
  negotiateFormat,
  render,
  renderChunks,
  renderSeriesPrefix,
} from './index.js';
import type { FamilyModel } from './index.js';

describe('numbers', () => {
  it.each([
    [Number.NaN, 'NaN'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
    [0, '0'],
    [-0, '-0'],
    [42, '42'],
    [1e20, '100000000000000000000'],
    [0.1, '0.1'],
    [1 / 3, '0.3333333333333333'],
    [1e-7, '1e-7'],
    [1.5e300, '1.5e+300'],
  ])('formatValue(%s) = %s', (value, text) => {
    expect(formatValue(value)).toBe(text);
  });

  it('writes timestamps as integer milliseconds (text) or exact seconds (OpenMetrics)', () => {
    expect(formatTimestamp(1520879607789, 'text')).toBe('1520879607789');
    expect(formatTimestamp(1520879607789, 'openmetrics')).toBe('1520879607.789');
    expect(formatTimestamp(1520879607000, 'openmetrics')).toBe('1520879607');
    expect(formatTimestamp(5, 'openmetrics')).toBe('0.005');
    expect(formatTimestamp(-1500, 'openmetrics')).toBe('-1.5');
    expect(formatTimestamp(2 ** 64, 'text')).toBe('9223372036854775807');
  });
});

describe('escaping and names', () => {
  it('escapes label values and HELP as each format requires', () => {
    expect(escapeLabelValue('plain')).toBe('plain');
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    expect(escapeHelp('a\\b"c\nd')).toBe('a\\\\b"c\\nd');
    expect(escapeHelp('a\\b"c\nd', 'openmetrics')).toBe('a\\\\b\\"c\\nd');
  });

  it('validates legacy names', () => {
    expect(isValidMetricName('a:b_c9')).toBe(true);
    expect(isValidMetricName('9a')).toBe(false);
    expect(isValidMetricName('a.b')).toBe(false);
    expect(isValidMetricName('')).toBe(false);
    expect(isValidLabelName('a_b9')).toBe(true);
    expect(isValidLabelName('a:b')).toBe(false);
  });

  it('renders a series prefix, quoting names that need it', () => {
    expect(renderSeriesPrefix('up')).toBe('up');
    expect(renderSeriesPrefix('up', { job: 'a"b', instance: 'x\ny' })).toBe(
      'up{job="a\\"b",instance="x\\ny"}',
    );
    expect(renderSeriesPrefix('my.metric', [['some.label', 'x']])).toBe('{"my.metric","some.label"="x"}');
    expect(renderSeriesPrefix('my.metric')).toBe('{"my.metric"}');
  });
});

describe('content negotiation', () => {
  it('answers OpenMetrics when Prometheus accepts it, else text 0.0.4', () => {
    const prometheus =
      'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
    expect(negotiateFormat(prometheus)).toBe('openmetrics');
    expect(negotiateFormat('text/plain;version=0.0.4;q=1,application/openmetrics-text;q=0.5')).toBe('text');
    expect(negotiateFormat('application/openmetrics-text;version=2.0.0')).toBe('text');
    expect(negotiateFormat('application/openmetrics-text;q=0')).toBe('text');
    expect(negotiateFormat(undefined)).toBe('text');
    expect(negotiateFormat('*/*')).toBe('text');
    expect(contentTypeFor('text')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(contentTypeFor('openmetrics')).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
  });
});

describe('render', () => {
  const families: FamilyModel[] = [
    {
      name: 'requests_total',
      type: 'counter',
      help: 'Requests.\nAll of them.',
      samples: [{ labels: { code: '200' }, value: 3, timestampMs: 1500 }],
    },
    { name: 'temperature_celsius', type: 'gauge', unit: 'celsius', samples: [{ value: -1.5 }] },
    { name: 'misc', type: 'untyped', samples: [{ value: Number.NaN }] },
  ];

  it('renders text 0.0.4', () => {
    expect(render(families, 'text')).toBe(
      [
        '# HELP requests_total Requests.\\nAll of them.',
        '# TYPE requests_total counter',
        'requests_total{code="200"} 3 1500',
        '# TYPE temperature_celsius gauge',
        'temperature_celsius -1.5',
        '# TYPE misc untyped',
        'misc NaN',
        '',
      ].join('\n'),
    );
  });

  it('renders OpenMetrics 1.0: counter TYPE without _total, UNIT, unknown, seconds, # EOF', () => {
    expect(render(families, 'openmetrics')).toBe(
      [
        '# HELP requests Requests.\\nAll of them.',
        '# TYPE requests counter',
        'requests_total{code="200"} 3 1.5',
        '# TYPE temperature_celsius gauge',
        '# UNIT temperature_celsius celsius',
        'temperature_celsius -1.5',
        '# TYPE misc unknown',
        'misc NaN',
        '# EOF',
        '',
      ].join('\n'),
    );
  });

  it('streams chunks of at least chunkSize characters that join into the whole', () => {
    const many: FamilyModel[] = Array.from({ length: 50 }, (_, i) => ({
      name: `m${i}`,
      type: 'gauge',
      samples: [{ value: i }],
    }));
    const chunks = [...renderChunks(many, 'openmetrics', { chunkSize: 100 })];
    expect(chunks.length).toBeGreaterThan(5);
    for (const chunk of chunks.slice(0, -1)) expect(chunk.length).toBeGreaterThanOrEqual(100);
    expect(chunks.join('')).toBe(render(many, 'openmetrics'));
  });
});
