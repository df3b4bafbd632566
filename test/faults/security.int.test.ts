/**
 * R8: the exposer's HTTP side under hostile clients. TLS and basic/bearer auth are enforced when configured (and
 * compared in constant time), nothing administrative is reachable by default, malformed requests get short
 * answers without stack traces or paths, slow clients are cut off, and request and header sizes are bounded.
 * Exposers are started with `serve()` (the real wiring of flags, web config and token file) on the shared broker.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import bcrypt from 'bcryptjs';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type RunningExposer } from '../../exposer/serve.js';
import { projectRoot } from '../../scripts/project-root.js';
import { brokers, uniqueTopic } from '../kafka.js';
import { figure } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'queuefront-faults-tls-'));
const running: RunningExposer[] = [];
const TOKEN = 'a-long-random-bearer-token-0123456789';

async function start(extra: Record<string, unknown> = {}): Promise<RunningExposer> {
  const exposer = await serve(
    {
      flags: {
        brokers: brokers().split(','),
        topics: [uniqueTopic('faults-r8')],
        group: uniqueTopic('faults-r8-g'),
        listen: '127.0.0.1:0',
        ...extra,
      },
      env: {},
    },
    { logger: pino({ level: 'silent' }) },
  );
  running.push(exposer);
  return exposer;
}

afterAll(async () => {
  await Promise.all(running.map((e) => e.stop()));
  rmSync(dir, { recursive: true, force: true });
});

/** Sends raw bytes and collects whatever comes back until the server closes or `waitMs` passes. */
function raw(port: number, bytes: string | Buffer, waitMs = 3000): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let got = '';
    const done = (): void => {
      socket.destroy();
      resolve(got);
    };
    const timer = setTimeout(done, waitMs);
    socket.on('data', (d: Buffer) => (got += d.toString('latin1')));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(got);
    });
    socket.on('error', () => undefined);
    socket.write(bytes);
  });
}

const portOf = (url: string): number => Number(new URL(url).port);

/** What a response must never contain: stack frames, source or install paths, error class names. */
const LEAK =
  /\bat [\w.<>]+ \(|node_modules|\/work\/|\/home\/|\.ts:\d+|\.js:\d+|\b(Type|Range|Syntax)?Error\b/;

describe('R8 by default', () => {
  let exposer: RunningExposer;
  beforeAll(async () => {
    exposer = await start();
  });

  it('reaches nothing administrative: every write method is 405, admin-looking paths are 404', async () => {
    const answers: string[] = [];
    for (const path of ['/metrics', '/-/ready', '/-/healthy', '/api/v1/sources', '/']) {
      for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
        const response = await fetch(`${exposer.url}${path}`, {
          method,
          body: method === 'DELETE' ? null : '{}',
        });
        answers.push(`${method} ${path} ${response.status}`);
        expect(response.status, `${method} ${path}`).toBe(405);
        expect(response.headers.get('allow')).toBe('GET, HEAD');
      }
    }
    for (const path of [
      '/-/reload',
      '/-/quit',
      '/api/v1/admin/tsdb/delete_series',
      '/api/v1/admin/wipe',
      '/debug/pprof/',
      '/metrics/job/x',
      '/api/v1/sources/x',
      '/config',
      '/../../etc/passwd',
    ]) {
      for (const method of ['GET', 'POST', 'PUT', 'DELETE']) {
        const response = await fetch(`${exposer.url}${path}`, { method });
        answers.push(`${method} ${path} ${response.status}`);
        expect(response.status, `${method} ${path}`).toBe(404);
      }
    }
    expect(exposer.store.sourceCount()).toBe(0);
    figure('R8 nothing administrative by default', { requests: answers.length, non404or405: 0 });
  });

  it('answers malformed requests briefly, with no stack trace or internal path', async () => {
    const port = portOf(exposer.url);
    const cases: [string, string | Buffer, RegExp][] = [
      [
        'bad percent-encoding',
        'GET /%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
        /^HTTP\/1\.1 (400|404) /,
      ],
      [
        'bad percent-encoding on /metrics',
        'GET /metrics%ZZ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
        /^HTTP\/1\.1 (400|404) /,
      ],
      [
        'bad Content-Length',
        'GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n',
        /^HTTP\/1\.1 400 /,
      ],
      ['garbage request line', Buffer.from([0, 1, 2, 3, 0x0d, 0x0a, 0x0d, 0x0a]), /^HTTP\/1\.1 400 /],
      ['unknown HTTP version', 'GET /metrics HTTP/9.9\r\nHost: x\r\n\r\n', /^HTTP\/1\.1 (400|505) /],
      ['TRACE', 'TRACE /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', /^HTTP\/1\.1 405 /],
      [
        'absurd Accept',
        'GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAccept: application/openmetrics-text; version=;q=abc, */*;q=NaN\r\nAccept-Encoding: gzip;q=x\r\n\r\n',
        /^HTTP\/1\.1 200 /,
      ],
      ['header without a colon', 'GET /metrics HTTP/1.1\r\nHost: x\r\nnocolon\r\n\r\n', /^HTTP\/1\.1 400 /],
      ['NUL in a header value', 'GET /metrics HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n', /^HTTP\/1\.1 400 /],
      [
        'query string noise',
        'GET /api/v1/sources?__proto__[x]=1&a=%ZZ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
        /^HTTP\/1\.1 200 /,
      ],
      [
        'smuggling: both Content-Length and chunked',
        'POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
        /^HTTP\/1\.1 400 /,
      ],
    ];
    const seen: Record<string, string> = {};
    for (const [name, bytes, status] of cases) {
      const answer = await raw(port, bytes);
      seen[name] = answer.split('\r\n')[0] ?? '';
      expect(answer, name).toMatch(status);
      const body = answer.slice(answer.indexOf('\r\n\r\n') + 4);
      expect(LEAK.test(status.source.includes('200') ? '' : body), `${name}: ${body.slice(0, 300)}`).toBe(
        false,
      );
      if (!status.source.includes('200')) expect(body.length, name).toBeLessThan(200);
    }
    figure('R8 malformed requests', { cases: seen });
  });

  it('bounds header and request sizes: 431 for oversized headers or URLs, no body is ever read', async () => {
    const port = portOf(exposer.url);
    const bigHeader = await raw(
      port,
      `GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expect(bigHeader).toMatch(/^HTTP\/1\.1 431 /);
    const bigUrl = await raw(port, `GET /metrics?${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(bigUrl).toMatch(/^HTTP\/1\.1 431 /);
    const manyHeaders = await raw(
      port,
      `GET /metrics HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 3000 }, (_, i) => `X-${i}: v`).join('\r\n')}\r\n\r\n`,
    );
    expect(manyHeaders).toMatch(/^HTTP\/1\.1 431 /);
    // A 1 GB upload is answered 405 after its first bytes: the exposer has no body parser and reads no body.
    const upload = await raw(
      port,
      `POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: ${2 ** 30}\r\n\r\n${'a'.repeat(1024)}`,
      1500,
    );
    expect(upload).toMatch(/^HTTP\/1\.1 405 /);
    figure('R8 size limits', {
      bigHeader: bigHeader.split('\r\n')[0],
      bigUrl: bigUrl.split('\r\n')[0],
      manyHeaders: manyHeaders.split('\r\n')[0],
      upload1GiBAfter1KiB: upload.split('\r\n')[0],
    });
  });

  it('cuts off a client that sends its headers slowly (slowloris) before it finishes', async () => {
    // A fresh server: Node checks its header timeout on an interval that starts with the server, so the worst
    // case (a connection opened just after the server started) is what this measures.
    const fresh = await start();
    const port = portOf(fresh.url);
    const socket: Socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
    const started = Date.now();
    socket.write('GET /metrics HTTP/1.1\r\nHost: x\r\n');
    // The client would take 25 s to finish its headers, one header a second.
    let sent = 0;
    const closed = await new Promise<boolean>((resolve) => {
      const timer = setInterval(() => {
        if (sent >= 25) {
          clearInterval(timer);
          resolve(false);
          return;
        }
        sent++;
        socket.write(`X-Slow-${sent}: x\r\n`);
      }, 1000);
      socket.on('close', () => {
        clearInterval(timer);
        resolve(true);
      });
    });
    socket.destroy();
    figure('R8 slowloris', {
      cutOffAfterMs: Date.now() - started,
      headersSentBeforeCutOff: sent,
      answer: answer.split('\r\n')[0],
    });
    expect(closed).toBe(true);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  }, 60_000);
});

describe('R8 with TLS, basic auth and a bearer token', () => {
  let exposer: RunningExposer;
  let cert: Buffer;

  beforeAll(async () => {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    cert = readFileSync(join(dir, 'cert.pem'));
    const hash = bcrypt.hashSync('correct horse', 10);
    writeFileSync(
      join(dir, 'web.yml'),
      `tls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\nbasic_auth_users:\n  alice: ${JSON.stringify(hash)}\n`,
    );
    writeFileSync(join(dir, 'token'), `${TOKEN}\n`);
    exposer = await start({ webConfig: join(dir, 'web.yml'), bearerTokenFile: join(dir, 'token') });
  });

  function get(
    path: string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest(`${exposer.url}${path}`, { ca: cert, headers }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }
  const basic = (user: string, password: string): Record<string, string> => ({
    authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
  });

  it('serves HTTPS only, and refuses TLS older than 1.2', async () => {
    expect(exposer.url).toMatch(/^https:\/\//);
    const port = portOf(exposer.url);
    const cleartext = await raw(port, 'GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(cleartext).not.toMatch(/^HTTP\/1\.1 200/);
    const old = await new Promise<string>((resolve) => {
      const socket = tlsConnect({
        host: '127.0.0.1',
        port,
        ca: cert,
        maxVersion: 'TLSv1.1',
        minVersion: 'TLSv1',
      });
      socket.on('secureConnect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });
    expect(old).not.toBe('connected');
    figure('R8 TLS', { cleartextAnswer: cleartext.split('\r\n')[0] ?? '(closed)', tls11: old });
  });

  it('answers 401 to missing or wrong credentials on every endpoint, 200 to the right ones', async () => {
    const wrong: [string, Record<string, string>][] = [
      ['none', {}],
      ['wrong password', basic('alice', 'correct horsf')],
      ['unknown user', basic('mallory', 'correct horse')],
      ['empty password', basic('alice', '')],
      ['no colon', { authorization: `Basic ${Buffer.from('alice').toString('base64')}` }],
      ['not base64', { authorization: 'Basic %%%%' }],
      ['wrong token, same length', { authorization: `Bearer ${TOKEN.slice(0, -1)}X` }],
      ['wrong token, prefix', { authorization: `Bearer ${TOKEN.slice(0, 5)}` }],
      ['token in the wrong scheme', { authorization: `Basic ${TOKEN}` }],
      ['scheme only', { authorization: 'Bearer' }],
      ['huge token', { authorization: `Bearer ${'x'.repeat(8000)}` }],
    ];
    const statuses: Record<string, number> = {};
    for (const path of ['/metrics', '/-/ready', '/-/healthy', '/api/v1/sources', '/']) {
      for (const [name, headers] of wrong) {
        const response = await get(path, headers);
        statuses[`${path} ${name}`] = response.status;
        expect(response.status, `${path} ${name}`).toBe(401);
        expect(response.headers['www-authenticate']).toMatch(/^Basic realm=/);
        expect(response.body).toBe('Unauthorized\n');
      }
    }
    expect((await get('/metrics', basic('alice', 'correct horse'))).status).toBe(200);
    expect((await get('/metrics', { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    expect((await get('/-/healthy', { authorization: `bearer ${TOKEN}` })).status).toBe(200);
    figure('R8 auth', { wrongCredentialRequests: Object.keys(statuses).length, all401: true });
  });

  it('compares secrets in constant time: timingSafeEqual on token digests, bcrypt for passwords', () => {
    const source = readFileSync(join(projectRoot(), 'exposer', 'http.ts'), 'utf8');
    expect(source).toMatch(/timingSafeEqual\(sha256\(credentials\), tokenDigest\)/);
    expect(source).toMatch(/bcrypt\.compare\(password, hash \?\? dummy\)/);
    // No secret is ever compared with === or !== (which stops at the first differing byte).
    expect(source).not.toMatch(
      /\b(credentials|password|token|bearerToken|tokenDigest)\s*[!=]==(?!\s*undefined)|[!=]==\s*(credentials|password|token|bearerToken|tokenDigest)\b/,
    );
  });
});
