import { describe, expect, it } from 'vitest';
import { arrivalDelays, sampleSum } from './p5-delay.js';

describe('P5: arrival stamps of the kcat probe', () => {
  it('turns `<arrival ms> <record timestamp ms>` lines into delays', () => {
    expect(arrivalDelays('1000.5 990\n2000.0 1995\n')).toEqual({ delays: [10.5, 5], bad: 0 });
  });

  it('counts lines it cannot read instead of turning them into delays', () => {
    const text = [
      '1000 990',
      'garbage',
      '1000', // no timestamp
      '1000 -1', // kcat prints -1 for a record without a timestamp
      '1000 0',
      'x 990',
      '1000 abc',
      '',
    ].join('\n');
    expect(arrivalDelays(text)).toEqual({ delays: [10], bad: 6 });
  });

  it('reads nothing from an empty file', () => {
    expect(arrivalDelays('')).toEqual({ delays: [], bad: 0 });
  });
});

describe('P5: sums of self-metrics', () => {
  const body = [
    '# TYPE nodejs_gc_duration_seconds histogram',
    'nodejs_gc_duration_seconds_sum{kind="minor"} 0.25',
    'nodejs_gc_duration_seconds_sum{kind="major"} 0.5',
    'nodejs_gc_duration_seconds_count{kind="minor"} 10',
    'nodejs_gc_duration_seconds_count{kind="major"} 2',
    '',
  ].join('\n');

  it('adds every label set of one name', () => {
    expect(sampleSum(body, 'nodejs_gc_duration_seconds_sum')).toBeCloseTo(0.75);
    expect(sampleSum(body, 'nodejs_gc_duration_seconds_count')).toBe(12);
  });

  it('is NaN for a name that is not there, not 0', () => {
    expect(sampleSum(body, 'nodejs_gc_duration_seconds')).toBeNaN();
    expect(sampleSum('', 'anything')).toBeNaN();
  });
});
