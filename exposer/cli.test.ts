import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from './cli.js';

describe('the exposer command line', () => {
  const stderr: string[] = [];
  afterEach(() => {
    vi.restoreAllMocks();
    stderr.length = 0;
  });
  function capture(): void {
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  }

  it('exits 0 for --help', async () => {
    capture();
    expect(await main(['--help'])).toBe(0);
  });

  it('exits 2 with one line naming the flag for a bad value, before connecting to anything', async () => {
    capture();
    expect(await main(['serve', '--timestamps', 'sometimes'])).toBe(2);
    expect(stderr.join('')).toMatch(/^exposer: flag --timestamps: timestamps: /m);
    expect(await main(['loadgen', '--rate', '0'])).toBe(2);
    expect(stderr.join('')).toMatch(/--rate: "0" is not a positive number/);
    expect(await main(['loadgen', '--duration', 'soon'])).toBe(2);
    expect(stderr.join('')).toMatch(/--duration: "soon" is not a duration/);
    expect(await main(['demo-app', '--port', '70000'])).toBe(2);
  });

  it('exits 2 for an unknown flag or command', async () => {
    capture();
    expect(await main(['serve', '--no-such-flag'])).toBe(2);
    expect(stderr.join('')).toMatch(/unknown option '--no-such-flag'/);
  });
});
