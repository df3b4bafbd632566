import { describe, expect, it } from 'vitest';
import { parseResults, ResultsError } from './results.js';
import { sampleResults } from './testing/sample-results.js';

describe('parseResults', () => {
  it('reads back what the lab writes', () => {
    const results = sampleResults();
    expect(parseResults(JSON.stringify(results))).toEqual(results);
  });

  it('defaults failures and durations of an older file to empty', () => {
    const { failures: _f, durations: _d, ...rest } = sampleResults();
    const parsed = parseResults(JSON.stringify(rest));
    expect(parsed.failures).toEqual({});
    expect(parsed.durations).toEqual({});
  });

  it('names the file when the text is not JSON', () => {
    expect(() => parseResults('{"schemaVersion": 1,', 'docs/lab/results.json')).toThrow(
      /^docs\/lab\/results\.json: not JSON/,
    );
  });

  it.each([
    [
      'a missing machine',
      (r: Record<string, unknown>): void => {
        delete r['machine'];
      },
      /: machine: /,
    ],
    [
      'another schema version',
      (r: Record<string, unknown>): void => {
        r['schemaVersion'] = 2;
      },
      /: schemaVersion: /,
    ],
    [
      'a negative time',
      (r: Record<string, unknown>) => {
        const dead = (r['scenarios'] as Record<string, { detections: { detectedAfterS: number }[] }>)[
          'dead-app'
        ]!;
        dead.detections[0]!.detectedAfterS = -1;
      },
      /scenarios\.dead-app\.detections\.0\.detectedAfterS: /,
    ],
    [
      'an unknown path',
      (r: Record<string, unknown>) => {
        const dead = (r['scenarios'] as Record<string, { detections: { path: string }[] }>)['dead-app']!;
        dead.detections[0]!.path = 'carrier-pigeon';
      },
      /scenarios\.dead-app\.detections\.0\.path: /,
    ],
  ] as const)('rejects %s with the JSON path', (_name, mutate, message) => {
    const results = JSON.parse(JSON.stringify(sampleResults())) as Record<string, unknown>;
    mutate(results);
    expect(() => parseResults(JSON.stringify(results), 'r.json')).toThrow(ResultsError);
    expect(() => parseResults(JSON.stringify(results), 'r.json')).toThrow(message);
  });

  it('rejects null and a bare array', () => {
    expect(() => parseResults('null')).toThrow(/\(top level\)/);
    expect(() => parseResults('[]')).toThrow(/\(top level\)/);
  });
});
