/**
 * The HTTP side: /metrics (negotiated format, gzip, streamed from one snapshot), /-/healthy, /-/ready,
 * /api/v1/sources, the status page at /, basic auth (bcrypt) and bearer token, TLS.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { constants as zlibConstants, createGzip } from 'node:zlib';
import bcrypt from 'bcryptjs';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { contentTypeFor, negotiateFormat } from '../exposition/index.js';
import type { ExposerMetrics } from './metrics.js';
import { renderMetrics } from './render.js';
import { renderStatusPage } from './status-page.js';
import type { Store } from './store.js';
import type { WebConfig } from './webconfig.js';

export interface AppDeps {
  store: Store;
  metrics: ExposerMetrics;
  readiness: () => { ready: boolean; reason?: string };
  webConfig?: WebConfig;
  bearerToken?: string;
  /**
   * Scrapes of /metrics served at once (node_exporter's --web.max-requests); one more is answered 503 at once.
   * 0 or absent: no limit.
   */
  maxRequests?: number;
  now?: () => number;
  logger?: Logger;
}

const READ_METHODS = new Set(['GET', 'HEAD']);

export function createApp(deps: AppDeps): express.Express {
  const now = deps.now ?? Date.now;
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', false);

  const headers = deps.webConfig?.headers;
  if (headers !== undefined && headers.size > 0) {
    app.use((_req, res, next) => {
      for (const [name, value] of headers) res.setHeader(name, value);
      next();
    });
  }
  const auth = authenticator(deps.webConfig, deps.bearerToken);
  if (auth !== undefined) {
    app.use((req, res, next) => {
      auth.check(req.get('authorization')).then(
        (ok) => {
          if (ok) return next();
          res.status(401).set('WWW-Authenticate', auth.challenge).type('text/plain').send('Unauthorized\n');
        },
        (error: unknown) => next(error),
      );
    });
  }

  const readOnly =
    (handler: (req: Request, res: Response) => void | Promise<void>) =>
    async (req: Request, res: Response) => {
      if (!READ_METHODS.has(req.method)) {
        res
          .status(405)
          .set('Allow', 'GET, HEAD')
          .type('text/plain')
          .send(`Method ${req.method} not allowed\n`);
        return;
      }
      await handler(req, res);
    };

  const maxRequests = deps.maxRequests ?? 0;
  let inFlight = 0;
  app.all(
    '/metrics',
    readOnly(async (req, res) => {
      if (maxRequests > 0 && inFlight >= maxRequests) {
        // As promhttp does: refuse at once rather than queue, so that a burst cannot pile up snapshots in memory.
        deps.metrics.scrapesRefused.inc();
        res
          .status(503)
          .set('Retry-After', '1')
          .set('Cache-Control', 'no-store')
          .type('text/plain')
          .send(
            `Too many concurrent scrapes: the limit is ${maxRequests} (web.max-requests); try again later\n`,
          );
        return;
      }
      // A client that left while an earlier step (authentication) was running: its 'close' has already been
      // emitted and would never be seen below, leaking a slot for good.
      if (res.closed) return;
      inFlight++;
      deps.metrics.scrapesInFlight.set(inFlight);
      // 'close' comes once per response, whether the body was sent in full or the client went away.
      res.once('close', () => {
        inFlight--;
        deps.metrics.scrapesInFlight.set(inFlight);
      });
      const started = performance.now();
      const format = negotiateFormat(req.get('accept'));
      const selfMetrics = await deps.metrics.registry.getMetricsAsJSON();
      res.status(200);
      res.setHeader('Content-Type', contentTypeFor(format));
      res.setHeader('Vary', 'Accept, Accept-Encoding');
      res.setHeader('Cache-Control', 'no-store');
      const gzip = acceptsGzip(req.get('accept-encoding'));
      if (gzip) res.setHeader('Content-Encoding', 'gzip');
      if (req.method === 'HEAD') {
        // A HEAD never drains: it renders nothing, and answers the headers a GET would.
        res.end();
        return;
      }
      const chunks = renderMetrics(deps.store, format, now(), { selfMetrics });
      let bytes = 0;
      const counted = (function* () {
        for (const chunk of chunks) {
          bytes += Buffer.byteLength(chunk);
          yield chunk;
        }
      })();
      const source = Readable.from(counted);
      try {
        // Level 1: the scrape must finish within its timeout, and compression is its slowest step (bench P2: 1M
        // series took 2.45 s gzipped at the default level). On 100k series (6.3 MB) level 1 took 22-35 ms
        // against 66-96 ms at level 6, for 0.61 MB instead of 0.33 MB on the wire.
        if (gzip) await pipeline(source, createGzip({ level: zlibConstants.Z_BEST_SPEED }), res);
        else await pipeline(source, res);
      } catch (error) {
        deps.logger?.warn({ err: error }, 'scrape aborted before the body was sent');
        return;
      }
      deps.metrics.scrapes.inc({ format });
      deps.metrics.renderBytes.observe(bytes);
      deps.metrics.renderSeconds.observe((performance.now() - started) / 1000);
    }),
  );

  app.all(
    '/-/healthy',
    readOnly((_req, res) => {
      res.type('text/plain').send('OK\n');
    }),
  );

  app.all(
    '/-/ready',
    readOnly((_req, res) => {
      const r = deps.readiness();
      if (r.ready) res.type('text/plain').send('Ready\n');
      else
        res
          .status(503)
          .type('text/plain')
          .send(`Not ready: ${r.reason ?? 'starting'}\n`);
    }),
  );

  app.all(
    '/api/v1/sources',
    readOnly((_req, res) => {
      const nowMs = now();
      deps.store.expire(nowMs);
      const ttl = deps.store.ttlMs;
      const data = deps.store.sources(nowMs).map((s) => ({
        job: s.job,
        instance: s.instance,
        // Object.fromEntries defines own properties: a label named __proto__ stays a label.
        labels: Object.fromEntries(s.labels),
        series: s.series,
        families: s.families,
        last_push_time: new Date(s.lastPushMs).toISOString(),
        last_push_timestamp_seconds: s.lastPushMs / 1000,
        age_seconds: s.ageMs / 1000,
        expires_in_seconds: s.expiresInMs === undefined ? null : s.expiresInMs / 1000,
        partition: s.partition,
        offset: s.offset,
      }));
      res.set('Cache-Control', 'no-store').json({
        status: 'success',
        data,
        series: deps.store.seriesCount(),
        ttl_seconds: ttl / 1000,
        timestamps: deps.store.mode,
      });
    }),
  );

  app.all(
    '/',
    readOnly((_req, res) => {
      const nowMs = now();
      deps.store.expire(nowMs);
      const html = renderStatusPage({
        sources: deps.store.sources(nowMs),
        nowMs,
        ttlMs: deps.store.ttlMs,
        mode: deps.store.mode,
        series: deps.store.seriesCount(),
        ready: deps.readiness(),
      });
      res
        .set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'")
        .set('X-Content-Type-Options', 'nosniff')
        .set('Cache-Control', 'no-store')
        .type('text/html; charset=utf-8')
        .send(html);
    }),
  );

  app.use((_req: Request, res: Response) => {
    res.status(404).type('text/plain').send('Not found\n');
  });

  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    deps.logger?.error({ err: error }, 'request failed');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const status = httpStatusOf(error);
    res
      .status(status)
      .type('text/plain')
      .send(status < 500 ? 'Bad request\n' : 'Internal error\n');
  });

  return app;
}

function httpStatusOf(error: unknown): number {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}

/** True when Accept-Encoding admits gzip (`gzip` or `*` with q > 0). */
export function acceptsGzip(header: string | undefined): boolean {
  if (header === undefined) return false;
  let star = false;
  for (const part of header.split(',')) {
    const [token = '', ...params] = part.trim().split(';');
    let q = 1;
    for (const p of params) {
      const [k, v] = p.trim().split('=');
      if (k?.trim().toLowerCase() === 'q') q = Number(v);
    }
    const name = token.trim().toLowerCase();
    if (name === 'gzip' || name === 'x-gzip') return q > 0;
    if (name === '*') star = q > 0;
  }
  return star;
}

interface Authenticator {
  readonly challenge: string;
  check(authorization: string | undefined): Promise<boolean>;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/** Basic auth against bcrypt hashes (verified results are cached, as exporter-toolkit does) and/or a bearer token. */
function authenticator(
  webConfig: WebConfig | undefined,
  bearerToken: string | undefined,
): Authenticator | undefined {
  const users = webConfig?.users ?? new Map<string, string>();
  if (users.size === 0 && bearerToken === undefined) return undefined;
  const tokenDigest = bearerToken === undefined ? undefined : sha256(bearerToken);
  const verified = new Map<string, true>();
  // Unknown users still cost one bcrypt comparison, so that timing does not tell which users exist.
  const dummy = bcrypt.hashSync('not a password', 10);
  return {
    challenge: users.size > 0 ? 'Basic realm="exposer", charset="UTF-8"' : 'Bearer realm="exposer"',
    async check(authorization) {
      if (authorization === undefined) return false;
      const space = authorization.indexOf(' ');
      if (space === -1) return false;
      const scheme = authorization.slice(0, space).toLowerCase();
      const credentials = authorization.slice(space + 1).trim();
      if (scheme === 'bearer' && tokenDigest !== undefined) {
        return timingSafeEqual(sha256(credentials), tokenDigest);
      }
      if (scheme !== 'basic' || users.size === 0) return false;
      const decoded = Buffer.from(credentials, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon === -1) return false;
      const user = decoded.slice(0, colon);
      const password = decoded.slice(colon + 1);
      const hash = users.get(user);
      const cacheKey = sha256(`${user}\u0000${password}\u0000${hash ?? ''}`).toString('hex');
      if (hash !== undefined && verified.has(cacheKey)) return true;
      const ok = await bcrypt.compare(password, hash ?? dummy);
      if (ok && hash !== undefined) {
        if (verified.size >= 1024) verified.clear();
        verified.set(cacheKey, true);
        return true;
      }
      return false;
    },
  };
}

export interface ServerOptions {
  /** `host:port`, `[::1]:port`, or `:port` for every interface. */
  listen: string;
  webConfig?: WebConfig;
  /**
   * A connection on which nothing moves for this long is closed (default 60 s): a client that stops reading a
   * scrape would otherwise hold its socket, its snapshot and its --web.max-requests slot for good.
   */
  stallTimeoutMs?: number;
  /**
   * On close, responses still being sent get this long to finish (default 5 s: a 1M-series scrape takes about
   * 2.5 s, and the stop fits in `docker stop`'s 10 s); then their connections are closed, so that one stalled
   * client cannot keep the process from stopping.
   */
  shutdownGraceMs?: number;
}

export const DEFAULT_STALL_TIMEOUT_MS = 60_000;
export const DEFAULT_SHUTDOWN_GRACE_MS = 5000;

export interface RunningServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export function parseListen(listen: string): { host: string | undefined; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(listen.trim());
  const port = m === null ? NaN : Number(m[3]);
  if (m === null || port > 65535) {
    throw new Error(
      `listen address ${JSON.stringify(listen)} is not host:port (e.g. 127.0.0.1:9464, [::1]:9464, :9464)`,
    );
  }
  const host = m[1] ?? m[2];
  return { host: host === '' ? undefined : host, port };
}

/** Why the server could not listen, and what to do (Node says only `listen EADDRINUSE: address already in use`). */
function listenError(listen: string, error: NodeJS.ErrnoException): Error {
  const why: Record<string, string> = {
    EADDRINUSE: 'another process already listens there: stop it or choose another listen address',
    EACCES: 'not allowed to listen there (ports below 1024 need privileges): choose another port',
    EADDRNOTAVAIL: 'no interface of this host has that address: use 127.0.0.1, 0.0.0.0 or one of its own',
  };
  const hint = error.code === undefined ? undefined : why[error.code];
  return new Error(
    `cannot listen on ${listen} (${error.code ?? error.message})${hint === undefined ? '' : `: ${hint}`}`,
    {
      cause: error,
    },
  );
}

async function readTlsFile(key: string, file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    throw new Error(`cannot read ${key} ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {
      cause: error,
    });
  }
}

/** Starts HTTP (or HTTPS when the web config has a certificate) with bounded timeouts and header sizes. */
export async function startServer(app: express.Express, options: ServerOptions): Promise<RunningServer> {
  const { host, port } = parseListen(options.listen);
  const tls = options.webConfig?.tls;
  const common = {
    maxHeaderSize: 16 * 1024,
    requestTimeout: 30_000,
    headersTimeout: 10_000,
    keepAliveTimeout: 65_000,
    // Node enforces headersTimeout/requestTimeout only when it checks its connections (every 30 s by default):
    // a slow client would hold a socket for up to 40 s instead of 10.
    connectionsCheckingInterval: 1000,
  };
  let server: Server;
  if (tls !== undefined) {
    const cert = await readTlsFile('tls_server_config.cert_file', tls.certFile);
    const key = await readTlsFile('tls_server_config.key_file', tls.keyFile);
    const ca =
      tls.clientCaFile === undefined
        ? undefined
        : await readTlsFile('tls_server_config.client_ca_file', tls.clientCaFile);
    const wantsCert = tls.clientAuthType !== 'NoClientCert';
    server = createHttpsServer(
      {
        ...common,
        cert,
        key,
        ...(ca === undefined ? {} : { ca }),
        minVersion: tls.minVersion,
        requestCert: wantsCert,
        rejectUnauthorized: wantsCert,
      },
      app,
    );
  } else {
    server = createHttpServer(common, app);
  }
  // Inactivity, not duration: a slow scrape that keeps reading is never cut. With no 'timeout' listener, Node
  // destroys the socket, which ends the response ('close') and frees its slot.
  server.setTimeout(options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS);
  // Once closing, a keep-alive connection (Prometheus keeps its own open) is closed as soon as its response ends:
  // server.close() would otherwise wait for it until the client or the grace period closes it.
  let closing = false;
  server.on('request', (_req, res: ServerResponse) => {
    if (closing) res.shouldKeepAlive = false;
    res.once('close', () => {
      if (closing) setImmediate(() => server.closeIdleConnections());
    });
  });
  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', (error: NodeJS.ErrnoException) => rejectListen(listenError(options.listen, error)));
    server.listen(port, host, () => {
      server.off('error', rejectListen);
      resolveListen();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `${tls === undefined ? 'http' : 'https'}://${shownHost}:${address.port}`,
    server,
    close: () =>
      new Promise<void>((resolveClose, rejectClose) => {
        closing = true;
        // server.close() waits for every response in flight; a client that stopped reading would make it wait
        // forever. After the grace period, close what is left.
        const force = setTimeout(
          () => server.closeAllConnections(),
          options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS,
        );
        server.close((error) => {
          clearTimeout(force);
          if (error === undefined) resolveClose();
          else rejectClose(error);
        });
        server.closeIdleConnections();
      }),
  };
}
