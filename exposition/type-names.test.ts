/**
 * `# TYPE` type names in text 0.0.4: promtool looks them up, upper-cased, in client_model's table of metric types,
 * so only those names pass, in any case; a name an object inherits ("constructor", "toString") is no type.
 */
import { describe, expect, it } from 'vitest';
import { parseText } from './index.js';

function typeOf(word: string): { type: string | undefined; codes: string[] } {
  const { events } = parseText(`# TYPE m ${word}\nm 1\n`, { format: 'text' });
  const meta = events.find((e) => e.kind === 'type');
  return {
    type: meta?.kind === 'type' ? meta.type : undefined,
    codes: events.flatMap((e) => (e.kind === 'diagnostic' ? [e.code] : [])),
  };
}

describe('text 0.0.4 type names', () => {
  it.each([
    ['counter', 'counter'],
    ['COUNTER', 'counter'],
    ['Gauge', 'gauge'],
    ['histogram', 'histogram'],
    ['summary', 'summary'],
    ['untyped', 'untyped'],
    ['gauge_histogram', 'gaugehistogram'],
    ['GAUGE_HISTOGRAM', 'gaugehistogram'],
  ])('accepts %s as %s', (word, type) => {
    expect(typeOf(word)).toEqual({ type, codes: [] });
  });

  it.each([
    'constructor',
    'toString',
    'hasOwnProperty',
    '__proto__',
    'valueOf',
    'unknown',
    'gaugehistogram',
    'info',
    'counters',
  ])('refuses %s with invalid-type', (word) => {
    expect(typeOf(word)).toEqual({ type: undefined, codes: ['invalid-type'] });
  });
});
