import { describe, expect, it } from 'vitest';
import { measure } from './decode-micro.js';

describe('bench/decode-micro', () => {
  it.each(['decode', 'parse'] as const)('times %s over the fleet records, every one accepted', (mode) => {
    const result = measure(mode, 4, 24, 2);
    expect(result).toMatchObject({ mode, records: 4, seriesPerRecord: 24 });
    expect(result.minUs).toBeGreaterThan(0);
    expect(result.medianUs).toBeGreaterThanOrEqual(result.minUs);
  });
});
