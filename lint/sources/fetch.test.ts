import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FetchError, PROMETHEUS_ACCEPT_HEADER, fetchExposition, redactUrl } from './fetch.js';
import type { FetchOptions } from './fetch.js';

const EXPOSITION = '# TYPE up gauge\nup 1\n';
const TEXT = 'text/plain; version=0.0.4; charset=utf-8';
let server: Server;
let base = '';
let lastHeaders: IncomingHttpHeaders = {};

const routes: Record<string, (res: ServerResponse) => void> = {
  '/metrics': (res) => {
    res.writeHead(200, { 'Content-Type': TEXT });
    res.end(EXPOSITION);
  },
  '/openmetrics': (res) => {
    res.writeHead(200, { 'Content-Type': 'application/openmetrics-text; version=1.0.0; charset=utf-8' });
    res.end('up 1\n# EOF\n');
  },
  '/gzip': (res) => {
    res.writeHead(200, { 'Content-Type': TEXT, 'Content-Encoding': 'gzip' });
    res.end(gzipSync(EXPOSITION));
  },
  '/bad-gzip': (res) => {
    res.writeHead(200, { 'Content-Type': TEXT, 'Content-Encoding': 'gzip' });
    res.end('this is not gzip at all');
  },
  '/brotli': (res) => {
    res.writeHead(200, { 'Content-Type': TEXT, 'Content-Encoding': 'br' });
    res.end('x');
  },
  // 4 KiB announced by Content-Length.
  '/big': (res) => {
    res.writeHead(200, { 'Content-Type': TEXT, 'Content-Length': 4096 });
    res.end('#'.repeat(4095) + '\n');
  },
  // 4 KiB in chunks without a Content-Length.
  '/big-chunked': (res) => {
    res.writeHead(200, { 'Content-Type': TEXT });
    for (let i = 0; i < 8; i++) res.write('#'.repeat(511) + '\n');
    res.end();
  },
  // 70 bytes on the wire, 1 MiB once decompressed.
  '/gzip-bomb': (res) => {
    res.writeHead(200, { 'Content-Type': TEXT, 'Content-Encoding': 'gzip' });
    res.end(gzipSync('\n'.repeat(1024 * 1024)));
  },
  '/html': (res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end('<html></html>');
  },
  '/protobuf': (res) => {
    res.writeHead(200, {
      'Content-Type':
        'application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited',
    });
    res.end('x');
  },
  '/no-type': (res) => {
    res.removeHeader('Content-Type');
    res.writeHead(200);
    res.end(EXPOSITION);
  },
  '/error': (res) => {
    res.writeHead(500, { 'Content-Type': 'text/plain' });
    res.end('boom');
  },
  '/not-found': (res) => {
    res.writeHead(404);
    res.end();
  },
  '/redirect': (res) => {
    res.writeHead(302, { Location: '/metrics' });
    res.end();
  },
  '/to-ftp': (res) => {
    res.writeHead(301, { Location: 'ftp://files.invalid/metrics' });
    res.end();
  },
  '/loop': (res) => {
    res.writeHead(301, { Location: '/loop' });
    res.end();
  },
  // Never answers: the deadline covers the headers.
  '/hang': () => {},
  // Answers the headers and half a body, then stalls: the deadline covers the body too.
  '/stall': (res) => {
    res.writeHead(200, { 'Content-Type': TEXT });
    res.write('# TYPE up gauge\n');
  },
  // Promises 100 bytes, sends 10 and closes.
  '/cut': (res) => {
    res.writeHead(200, { 'Content-Type': TEXT, 'Content-Length': 100 });
    res.write('up 1\nup 2\n');
    res.socket?.destroy();
  },
};

beforeAll(async () => {
  server = createServer((req, res) => {
    lastHeaders = req.headers;
    const route = routes[new URL(req.url ?? '/', 'http://x').pathname];
    if (route === undefined) {
      res.writeHead(404);
      res.end();
    } else {
      route(res);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function text(
  path: string,
  options: FetchOptions = {},
): Promise<{ body: string; contentType: string; url: string }> {
  const fetched = await fetchExposition(base + path, options);
  const chunks: Buffer[] = [];
  for await (const chunk of fetched.body) chunks.push(chunk);
  return { body: Buffer.concat(chunks).toString('utf8'), contentType: fetched.contentType, url: fetched.url };
}

async function failure(path: string, options: FetchOptions = {}): Promise<FetchError> {
  try {
    await text(path, options);
  } catch (error) {
    expect(error).toBeInstanceOf(FetchError);
    return error as FetchError;
  }
  throw new Error(`fetching ${path} did not fail`);
}

describe('fetchExposition', () => {
  it('sends the Accept header of Prometheus, gzip, a user agent and the scrape timeout', async () => {
    await text('/metrics', { timeoutMs: 2500 });
    expect(lastHeaders.accept).toBe(PROMETHEUS_ACCEPT_HEADER);
    expect(lastHeaders['accept-encoding']).toBe('gzip');
    expect(lastHeaders['user-agent']).toMatch(/^scrapelint\//);
    expect(lastHeaders['x-prometheus-scrape-timeout-seconds']).toBe('2.5');
  });

  it('streams the body and passes the Content-Type on', async () => {
    expect(await text('/metrics')).toEqual({ body: EXPOSITION, contentType: TEXT, url: `${base}/metrics` });
    expect((await text('/openmetrics')).contentType).toBe(
      'application/openmetrics-text; version=1.0.0; charset=utf-8',
    );
  });

  it('decompresses a gzip-encoded body', async () => {
    expect((await text('/gzip')).body).toBe(EXPOSITION);
  });

  it('reports a corrupt gzip body and an unsupported encoding', async () => {
    const corrupt = await failure('/bad-gzip');
    expect(corrupt.code).toBe('decompress');
    expect(corrupt.message).toBe(`${base}/bad-gzip: the gzip-encoded body is corrupt`);
    expect((await failure('/brotli')).message).toBe(`${base}/brotli: unsupported Content-Encoding "br"`);
  });

  it('reports a corrupt gzip body that failed before the body was read, not an uncaught error', async () => {
    // The CLI loads the parser between the headers and the first read: zlib may fail in that gap.
    const fetched = await fetchExposition(base + '/bad-gzip');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const read = async (): Promise<void> => {
      for await (const chunk of fetched.body) void chunk;
    };
    await expect(read()).rejects.toThrow(`${base}/bad-gzip: the gzip-encoded body is corrupt`);
  });

  it('sends the password of a URL as basic auth and never shows it', async () => {
    const secret = base.replace('http://', 'http://alice:s3cret@');
    const fetched = await fetchExposition(`${secret}/metrics`);
    for await (const chunk of fetched.body) void chunk;
    expect(lastHeaders.authorization).toBe(`Basic ${Buffer.from('alice:s3cret').toString('base64')}`);
    try {
      await fetchExposition(`${secret}/not-found`);
      expect.unreachable('a 404 must fail');
    } catch (error) {
      expect((error as Error).message).toBe(
        `${base.replace('http://', 'http://alice:xxxxx@')}/not-found: server returned HTTP status 404 Not Found`,
      );
    }
    expect(redactUrl(`${secret}/x`)).toBe(`${base.replace('http://', 'http://alice:xxxxx@')}/x`);
    expect(redactUrl(`${base}/x`)).toBe(`${base}/x`);
    expect(redactUrl('not a url')).toBe('not a url');
  });

  it('follows redirects, and stops a redirect loop', async () => {
    expect(await text('/redirect')).toEqual({ body: EXPOSITION, contentType: TEXT, url: `${base}/metrics` });
    const loop = await failure('/loop');
    expect(loop.code).toBe('too-many-redirects');
    expect(loop.message).toBe(`${base}/loop: stopped after 10 redirects`);
    const ftp = await failure('/to-ftp');
    expect(ftp.code).toBe('invalid-url');
    expect(ftp.message).toBe(
      `${base}/to-ftp: redirected to ftp://files.invalid/metrics: unsupported scheme ftp: (http: or https: only)`,
    );
  });

  it('aborts past the size limit: by Content-Length, while streaming, and after decompression', async () => {
    for (const path of ['/big', '/big-chunked', '/gzip-bomb']) {
      const error = await failure(path, { maxBytes: 1024 });
      expect(error.code, path).toBe('too-large');
      expect(error.message).toBe(`${base}${path}: body larger than the limit of 1 KiB`);
    }
    expect((await text('/big', { maxBytes: 4096 })).body).toHaveLength(4096);
  });

  it('times out while waiting for the headers and while reading the body', async () => {
    for (const path of ['/hang', '/stall']) {
      const error = await failure(path, { timeoutMs: 200 });
      expect(error.code, path).toBe('timeout');
      expect(error.message).toBe(`${base}${path}: timed out after 200ms`);
    }
  });

  it('reports a body cut short', async () => {
    const error = await failure('/cut');
    expect(error.code).toBe('network');
    expect(error.message.startsWith(`${base}/cut: `)).toBe(true);
  });

  it('rejects a Content-Type that is not an exposition format, or none, unless a fallback is given', async () => {
    const html = await failure('/html');
    expect(html.code).toBe('content-type');
    expect(html.message).toBe(
      `${base}/html: Content-Type "text/html; charset=utf-8" is not an exposition format (expected text/plain; version=0.0.4 or application/openmetrics-text)`,
    );
    expect((await failure('/protobuf')).code).toBe('content-type');
    const none = await failure('/no-type');
    expect(none.message).toContain('no Content-Type is not an exposition format');
    expect(await text('/no-type', { fallbackFormat: 'text' })).toMatchObject({
      body: EXPOSITION,
      contentType: 'text/plain; version=0.0.4; charset=utf-8',
    });
  });

  it('reports HTTP error statuses with the status', async () => {
    const error = await failure('/error');
    expect(error).toMatchObject({ code: 'http-status', status: 500 });
    expect(error.message).toBe(`${base}/error: server returned HTTP status 500 Internal Server Error`);
    expect((await failure('/not-found')).status).toBe(404);
  });

  it('reports a refused connection', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const url = `http://127.0.0.1:${port}/metrics`;
    await expect(fetchExposition(url)).rejects.toMatchObject({
      code: 'connection-refused',
      message: `${url}: connection refused`,
    });
  });

  it('rejects URLs that are not http(s)', async () => {
    await expect(fetchExposition('not a url')).rejects.toMatchObject({
      code: 'invalid-url',
      message: 'not a url: not a valid URL',
    });
    await expect(fetchExposition('ftp://127.0.0.1/metrics')).rejects.toMatchObject({
      code: 'invalid-url',
      message: 'ftp://127.0.0.1/metrics: unsupported scheme ftp: (http: or https: only)',
    });
  });

  it('rejects a timeout or size limit that is not positive', async () => {
    await expect(fetchExposition(`${base}/metrics`, { timeoutMs: 0 })).rejects.toThrow(
      'fetch timeout must be a positive number of milliseconds, got 0',
    );
    await expect(fetchExposition(`${base}/metrics`, { maxBytes: Number.NaN })).rejects.toThrow(RangeError);
  });
});
