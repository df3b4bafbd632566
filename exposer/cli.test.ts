import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildProgram, main } from './cli.js';

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

  it('exits 2 for a bad --web.max-requests and documents it in serve --help', async () => {
    capture();
    expect(await main(['serve', '--web.max-requests', '-5'])).toBe(2);
    expect(stderr.join('')).toMatch(/^exposer: flag --web\.max-requests: web_max_requests: /m);
    expect(await main(['serve', '--web.max-requests', 'many'])).toBe(2);
    expect(stderr.join('')).toMatch(/expected a whole number \(0 = no limit\)/);
    const serveHelp = buildProgram()
      .commands.find((c) => c.name() === 'serve')
      ?.helpInformation();
    expect(serveHelp?.replace(/\s+/g, ' ')).toContain(
      '--web.max-requests <value> scrapes of /metrics served at once; one more gets 503 (0 = no limit) (env EXPOSER_WEB_MAX_REQUESTS, YAML web_max_requests)',
    );
  });

  it('passes flags with a dot in their name (--web.config) to the configuration', async () => {
    capture();
    expect(await main(['serve', '--web.config', '/nonexistent/web-config.yml'])).toBe(2);
    expect(stderr.join('')).toMatch(/\/nonexistent\/web-config\.yml/);
  });

  it('exits 2 for an unknown flag or command', async () => {
    capture();
    expect(await main(['serve', '--no-such-flag'])).toBe(2);
    expect(stderr.join('')).toMatch(/unknown option '--no-such-flag'/);
  });
});
