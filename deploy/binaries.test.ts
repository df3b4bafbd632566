import { describe, expect, it } from 'vitest';
import { MissingBinaryError, requireBinary } from './binaries.js';

describe('requireBinary', () => {
  it('returns the path of a program on PATH', () => {
    expect(requireBinary('sh')).toMatch(/\/sh$/);
  });
  it('fails, naming the setup script, when the program is missing (tests fail rather than skip)', () => {
    expect(() => requireBinary('queuefront-no-such-program')).toThrow(MissingBinaryError);
    expect(() => requireBinary('queuefront-no-such-program')).toThrow(/bash deploy\/setup\.sh/);
  });
});
