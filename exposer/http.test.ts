import { Agent, get, type IncomingHttpHeaders } from 'node:http';
import { Gauge } from 'prom-client';
import { gunzipSync } from 'node:zlib';
import bcrypt from 'bcryptjs';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { acceptsGzip, createApp, parseListen, startServer } from './http.js';
import { createExposerMetrics } from './metrics.js';
import type { PushMessage } from './schema.js';
import { DEFAULT_STORE_OPTIONS, Store, type StoreOptions } from './store.js';
import { parseWebConfig } from './webconfig.js';

const T0 = 1_764_000_000_000;

function setup(options: Partial<StoreOptions> = {}, extra: Partial<Parameters<typeof createApp>[0]> = {}) {
  const metrics = createExposerMetrics();
  const store = new Store({ ...DEFAULT_STORE_OPTIONS, ...options }, metrics);
  let ready: { ready: boolean; reason?: string } = { ready: true };
  const app = createApp({ store, metrics, readiness: () => ready, now: () => T0, ...extra });
  const push = (m: Partial<PushMessage>) =>
    store.apply(
      { job: 'j', instance: 'i', op: 'replace', labels: [], families: [], format: 'json', bytes: 0, ...m },
      { partition: 3, offset: '42', recordTimestampMs: T0 - 2000, nowMs: T0 },
    );
  return { app, store, metrics, push, setReady: (r: typeof ready) => (ready = r) };
}

/** A GET that does not decompress (supertest and fetch both would). */
function rawGet(
  url: string,
  headers: Record<string, string>,
): Promise<{ headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

const g = (name: string, value: number, labels: [string, string][] = []) => ({
  name,
  type: 'gauge' as const,
  help: `Help of ${name}.`,
  samples: [{ name, labels, value }],
});

describe('GET /metrics', () => {
  it('serves text 0.0.4 by default: pushed series first, then the exposer own metrics', async () => {
    const { app, push } = setup();
    push({ families: [g('temp', 21.5)] });
    const res = await request(app).get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(
      res.text.startsWith('# HELP temp Help of temp.\n# TYPE temp gauge\ntemp{instance="i",job="j"} 21.5\n'),
    ).toBe(true);
    expect(res.text).toContain('\nexposer_series 1\n');
    expect(res.text).toContain(
      '\nexposer_source_last_push_timestamp_seconds{job="j",instance="i"} 1763999998\n',
    );
    expect(res.text).toContain('# TYPE process_cpu_user_seconds_total counter');
    expect(res.text).not.toContain('# EOF');
  });

  it('serves OpenMetrics when Accept asks for it, ending in # EOF', async () => {
    const { app, push } = setup();
    push({ families: [g('temp', 1)] });
    const res = await request(app)
      .get('/metrics')
      .set('Accept', 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5')
      .expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/openmetrics-text; version=1\.0\.0/);
    expect(res.text.endsWith('# EOF\n')).toBe(true);
    expect(res.text).toContain('# TYPE process_cpu_user_seconds counter\nprocess_cpu_user_seconds_total ');
    expect(res.text.match(/# EOF/g)).toHaveLength(1);
  });

  it('compresses with gzip when Accept-Encoding allows it, and not when q=0', async () => {
    const { app, push } = setup();
    push({ families: [g('temp', 1)] });
    const server = await startServer(app, { listen: '127.0.0.1:0' });
    try {
      const zipped = await rawGet(`${server.url}/metrics`, { 'accept-encoding': 'gzip' });
      expect(zipped.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(zipped.body).toString()).toContain('temp{instance="i",job="j"} 1\n');
      const plain = await rawGet(`${server.url}/metrics`, { 'accept-encoding': 'gzip;q=0, identity' });
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.body.toString()).toContain('temp{instance="i",job="j"} 1\n');
    } finally {
      await server.close();
    }
  });

  it('answers HEAD with headers and no body, and does not drain', async () => {
    const { app, push } = setup({ timestamps: 'drain' });
    push({ families: [g('temp', 1)] });
    const head = await request(app).head('/metrics').expect(200);
    expect(head.headers['content-type']).toMatch(/^text\/plain/);
    expect(head.headers['content-encoding']).toBeUndefined();
    expect(head.text ?? '').toBe('');
    // The headers a GET would get, Content-Encoding included.
    const gzipped = await request(app).head('/metrics').set('Accept-Encoding', 'gzip').expect(200);
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    const res = await request(app).get('/metrics').expect(200);
    expect(res.text).toContain(`temp{instance="i",job="j"} 1 ${T0 - 2000}\n`);
    const again = await request(app).get('/metrics').expect(200);
    expect(again.text).not.toContain('temp{');
  });

  it.each(['post', 'put', 'delete', 'patch'] as const)(
    'refuses %s with 405 and an Allow header',
    async (method) => {
      const { app } = setup();
      const res = await request(app)[method]('/metrics').expect(405);
      expect(res.headers.allow).toBe('GET, HEAD');
    },
  );

  it('counts scrapes and their size in the self-metrics', async () => {
    const { app, metrics } = setup();
    await request(app).get('/metrics').expect(200);
    const text = await metrics.registry.metrics();
    expect(text).toContain('exposer_scrapes_total{format="text"} 1');
    expect(text).toContain('exposer_scrape_response_bytes_count 1');
    expect(text).toContain('exposer_scrape_render_seconds_count 1');
  });
});

/**
 * Holds every scrape inside the handler (its self-metrics collection waits on a gate) until released, so that a
 * test decides how many scrapes are in flight at once.
 */
function holdScrapes(metrics: ReturnType<typeof createExposerMetrics>) {
  let release = (): void => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  let entered = 0;
  new Gauge({
    name: 'test_gate',
    help: 'Holds scrapes until the test releases them.',
    registers: [metrics.registry],
    async collect() {
      entered++;
      await released;
    },
  });
  return { release, entered: () => entered };
}

/** Yields to the event loop until `check` holds (at most 2,000 turns). */
async function until(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  throw new Error(`${what}: never happened`);
}

const valueOf = async (metric: {
  get(): Promise<{ values: readonly { value: number }[] }>;
}): Promise<number | undefined> => (await metric.get()).values[0]?.value;

describe('the cap on concurrent scrapes (web.max-requests)', () => {
  it('answers 503 with a short reason over the limit, 200 under it, and counts both', async () => {
    const { app, metrics } = setup({}, { maxRequests: 2 });
    const gate = holdScrapes(metrics);
    const held = [request(app).get('/metrics'), request(app).get('/metrics')].map((r) =>
      r.then((res) => res),
    );
    await until('two scrapes in flight', () => gate.entered() === 2);
    expect(await valueOf(metrics.scrapesInFlight)).toBe(2);

    const refused = await request(app).get('/metrics').expect(503);
    expect(refused.headers['content-type']).toMatch(/^text\/plain/);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.text).toBe(
      'Too many concurrent scrapes: the limit is 2 (web.max-requests); try again later\n',
    );
    await request(app).head('/metrics').expect(503);
    // Other endpoints are not limited.
    await request(app).get('/-/healthy').expect(200);
    expect(await valueOf(metrics.scrapesRefused)).toBe(2);

    gate.release();
    expect((await Promise.all(held)).map((r) => r.status)).toEqual([200, 200]);
    await until('no scrape in flight', async () => (await valueOf(metrics.scrapesInFlight)) === 0);
    const after = await request(app).get('/metrics').expect(200);
    expect(after.text).toContain('\nexposer_scrapes_in_flight 1\n');
    expect(after.text).toContain('\nexposer_scrapes_refused_total 2\n');
    // Refused scrapes are not served scrapes.
    expect(after.text).toContain('exposer_scrapes_total{format="text"} 2\n');
  });

  it.each([0, undefined])('serves every concurrent scrape when the limit is %s', async (maxRequests) => {
    const { app, metrics } = setup({}, maxRequests === undefined ? {} : { maxRequests });
    const gate = holdScrapes(metrics);
    const held = Array.from({ length: 50 }, () =>
      request(app)
        .get('/metrics')
        .then((res) => res.status),
    );
    await until('fifty scrapes in flight', () => gate.entered() === 50);
    expect(await valueOf(metrics.scrapesInFlight)).toBe(50);
    gate.release();
    expect(await Promise.all(held)).toEqual(held.map(() => 200));
  });

  it('frees the slot of a client that goes away in the middle of a scrape', async () => {
    const { app, metrics } = setup({}, { maxRequests: 1 });
    const gate = holdScrapes(metrics);
    const server = await startServer(app, { listen: '127.0.0.1:0' });
    try {
      const gone = get(`${server.url}/metrics`);
      gone.on('error', () => undefined);
      await until('one scrape in flight', () => gate.entered() === 1);
      await request(server.url).get('/metrics').expect(503);
      gone.destroy();
      await until('the slot is free again', async () => (await valueOf(metrics.scrapesInFlight)) === 0);
      gate.release();
      await request(server.url).get('/metrics').expect(200);
    } finally {
      gate.release();
      await server.close();
    }
  });

  it('does not count a client that left while authentication was running', async () => {
    // bcrypt cost 12: the check takes long enough for the client to go away before the handler runs.
    const slow = parseWebConfig(
      `basic_auth_users:\n  alice: ${bcrypt.hashSync('s3cret', 12)}\n`,
      '/etc/web.yml',
    );
    const { app, metrics } = setup({}, { maxRequests: 1, webConfig: slow });
    const server = await startServer(app, { listen: '127.0.0.1:0' });
    const authorization = `Basic ${Buffer.from('alice:s3cret').toString('base64')}`;
    try {
      const gone = get(`${server.url}/metrics`, { headers: { authorization } });
      gone.on('error', () => undefined);
      await new Promise((resolve) => setTimeout(resolve, 100));
      gone.destroy();
      // Long enough for the abandoned request's bcrypt check to end and its handler to run.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect(await valueOf(metrics.scrapesInFlight)).not.toBe(1);
      await request(server.url).get('/metrics').set('Authorization', authorization).expect(200);
    } finally {
      await server.close();
    }
  });
});

describe('stalled clients and shutdown', () => {
  /** A GET whose outcome is kept: the status it got, or the error that ended it (a closed connection). */
  function scrape(url: string, agent?: Agent): Promise<string> {
    return new Promise((resolve) => {
      get(`${url}/metrics`, agent === undefined ? {} : { agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(`status ${res.statusCode ?? 0}`));
        res.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      }).on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });
  }

  it('closes a scrape on which nothing moves for the stall timeout, and frees its slot', async () => {
    const { app, metrics } = setup({}, { maxRequests: 1 });
    const gate = holdScrapes(metrics);
    const server = await startServer(app, { listen: '127.0.0.1:0', stallTimeoutMs: 200 });
    try {
      const stalled = scrape(server.url);
      await until('one scrape in flight', () => gate.entered() === 1);
      // Nothing is written on that connection: the server gives up on it.
      expect(await stalled).toBe('ECONNRESET');
      await until('the slot is free again', async () => (await valueOf(metrics.scrapesInFlight)) === 0);
    } finally {
      gate.release();
      await server.close();
    }
  });

  it('close() lets a scrape in flight finish within the grace period', async () => {
    const { app, metrics, push } = setup();
    push({ families: [g('temp', 21.5)] });
    const gate = holdScrapes(metrics);
    const server = await startServer(app, { listen: '127.0.0.1:0', shutdownGraceMs: 600_000 });
    // As Prometheus does, the client keeps its connection open: close() must not wait for it to go.
    const agent = new Agent({ keepAlive: true, timeout: 600_000 });
    try {
      const inFlight = scrape(server.url, agent);
      await until('one scrape in flight', () => gate.entered() === 1);
      const closed = server.close();
      gate.release();
      expect(await inFlight).toBe('status 200');
      await closed;
    } finally {
      agent.destroy();
    }
  });

  it('close() ends after the grace period even when a client never lets its scrape finish', async () => {
    const { app, metrics } = setup();
    const gate = holdScrapes(metrics);
    const server = await startServer(app, { listen: '127.0.0.1:0', shutdownGraceMs: 100 });
    try {
      const stalled = scrape(server.url);
      await until('one scrape in flight', () => gate.entered() === 1);
      await server.close();
      expect(await stalled).toBe('ECONNRESET');
    } finally {
      gate.release();
    }
  });
});

describe('health, readiness, sources, status page', () => {
  it('/-/healthy is 200; /-/ready is 503 with the reason until ready', async () => {
    const { app, setReady } = setup();
    await request(app).get('/-/healthy').expect(200, 'OK\n');
    setReady({ ready: false, reason: 'replaying partition 2' });
    await request(app).get('/-/ready').expect(503, 'Not ready: replaying partition 2\n');
    setReady({ ready: true });
    await request(app).get('/-/ready').expect(200, 'Ready\n');
    await request(app).post('/-/ready').expect(405);
  });

  it('/api/v1/sources lists each source with labels, series, push time, age and partition', async () => {
    const { app, push } = setup({ sourceTtlMs: 60_000 });
    push({
      labels: [
        ['__proto__x', 'p'],
        ['constructor', 'c'],
      ],
      families: [g('temp', 1), g('hum', 2)],
    });
    const res = await request(app).get('/api/v1/sources').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({
      status: 'success',
      series: 2,
      ttl_seconds: 60,
      timestamps: 'none',
      data: [
        {
          job: 'j',
          instance: 'i',
          labels: { __proto__x: 'p', constructor: 'c' },
          series: 2,
          families: 2,
          last_push_time: new Date(T0 - 2000).toISOString(),
          last_push_timestamp_seconds: (T0 - 2000) / 1000,
          age_seconds: 2,
          expires_in_seconds: 58,
          partition: 3,
          offset: '42',
        },
      ],
    });
  });

  it('GET / is an HTML page listing sources with everything escaped', async () => {
    const { app, push } = setup({ sourceTtlMs: 3000 });
    push({ instance: '<script>alert(1)</script>', families: [g('temp', 1)] });
    const res = await request(app).get('/').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(res.text).not.toContain('<script>');
    expect(res.text).toContain('name="viewport"');
    expect(res.text).toMatch(/<tr class="aging">/);
  });

  it('unknown paths are 404 without a stack trace', async () => {
    const { app } = setup();
    await request(app).get('/nope').expect(404, 'Not found\n');
  });

  it('an error inside a handler is a plain 500 without a stack trace', async () => {
    const { app } = setup(
      {},
      {
        readiness: () => {
          throw new Error('secret internals at /srv/x.ts:1');
        },
      },
    );
    const res = await request(app).get('/-/ready').expect(500);
    expect(res.text).toBe('Internal error\n');
  });
});

describe('authentication', () => {
  const hash = bcrypt.hashSync('s3cret', 4);
  const webConfig = parseWebConfig(`basic_auth_users:\n  alice: ${hash}\n`, '/etc/web.yml');

  it('basic auth: 401 with a challenge without or with wrong credentials, 200 with the right ones', async () => {
    const { app } = setup({}, { webConfig });
    const res = await request(app).get('/metrics').expect(401);
    expect(res.headers['www-authenticate']).toContain('Basic');
    await request(app).get('/metrics').auth('alice', 'wrong').expect(401);
    await request(app).get('/metrics').auth('bob', 's3cret').expect(401);
    await request(app).get('/metrics').auth('alice', 's3cret').expect(200);
    // Cached verification answers the same.
    await request(app).get('/').auth('alice', 's3cret').expect(200);
    await request(app).get('/').set('Authorization', 'Basic !!!').expect(401);
  });

  it('bearer token: 401 unless the token matches exactly', async () => {
    const { app } = setup({}, { bearerToken: 'tok-123' });
    const res = await request(app).get('/metrics').expect(401);
    expect(res.headers['www-authenticate']).toContain('Bearer');
    await request(app).get('/metrics').set('Authorization', 'Bearer tok-12').expect(401);
    await request(app).get('/metrics').set('Authorization', 'Bearer tok-1234').expect(401);
    await request(app).get('/metrics').set('Authorization', 'Bearer tok-123').expect(200);
  });

  it('with both configured, either credential works', async () => {
    const { app } = setup({}, { webConfig, bearerToken: 'tok' });
    await request(app).get('/-/healthy').set('Authorization', 'Bearer tok').expect(200);
    await request(app).get('/-/healthy').auth('alice', 's3cret').expect(200);
    await request(app).get('/-/healthy').auth('alice', 'tok').expect(401);
  });
});

describe('helpers and server', () => {
  it.each([
    [undefined, false],
    ['gzip', true],
    ['deflate, gzip;q=0.5', true],
    ['gzip;q=0', false],
    ['*', true],
    ['*;q=0', false],
    ['br', false],
  ])('acceptsGzip(%j) is %s', (header, expected) => {
    expect(acceptsGzip(header)).toBe(expected);
  });

  it.each([
    ['127.0.0.1:9464', { host: '127.0.0.1', port: 9464 }],
    ['[::1]:80', { host: '::1', port: 80 }],
    [':9464', { host: undefined, port: 9464 }],
  ])('parseListen(%j)', (listen, expected) => {
    expect(parseListen(listen)).toEqual(expected);
  });

  it.each(['9464', 'host', 'host:99999', 'a:b'])('parseListen refuses %j with an example', (listen) => {
    expect(() => parseListen(listen)).toThrow(/is not host:port \(e\.g\. 127\.0\.0\.1:9464/);
  });

  it('startServer serves on 127.0.0.1 and closes', async () => {
    const { app } = setup();
    const server = await startServer(app, { listen: '127.0.0.1:0' });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(`${server.url}/-/healthy`);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-powered-by')).toBeNull();
    } finally {
      await server.close();
    }
  });

  it('startServer refuses a listen address in use', async () => {
    const { app } = setup();
    const first = await startServer(app, { listen: '127.0.0.1:0' });
    try {
      const listen = first.url.replace('http://', '');
      await expect(startServer(app, { listen })).rejects.toThrow(
        `cannot listen on ${listen} (EADDRINUSE): another process already listens there: stop it or choose another listen address`,
      );
    } finally {
      await first.close();
    }
  });

  it('startServer names an address this host does not have', async () => {
    const { app } = setup();
    // 192.0.2.0/24 is TEST-NET-1: no host has it.
    await expect(startServer(app, { listen: '192.0.2.1:0' })).rejects.toThrow(
      'cannot listen on 192.0.2.1:0 (EADDRNOTAVAIL): no interface of this host has that address',
    );
  });

  it('startServer fails clearly when the TLS files are missing', async () => {
    const { app } = setup();
    const webConfig = parseWebConfig(
      'tls_server_config:\n  cert_file: missing.crt\n  key_file: missing.key\n',
      '/nonexistent/web.yml',
    );
    await expect(startServer(app, { listen: '127.0.0.1:0', webConfig })).rejects.toThrow(
      'cannot read tls_server_config.cert_file /nonexistent/missing.crt: ENOENT',
    );
  });
});
