/**
 * Fetches an exposition the way Prometheus scrapes a target: the same `Accept` header, `Accept-Encoding: gzip`,
 * `X-Prometheus-Scrape-Timeout-Seconds`, one deadline for the whole scrape (headers and body), a limit on the
 * decompressed body (Prometheus' `body_size_limit`), redirects followed. The body is handed over as a stream of
 * decompressed chunks for the parser, never buffered whole. Every failure is a `FetchError` with a code and a
 * one-line message that names the URL.
 */
import { request as httpRequest } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { Format } from '../../exposition/types.js';
import { DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_MS } from './fetch-limits.js';

export { DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_MS };

/**
 * The Accept header of Prometheus 2.x (scrape/scrape.go `scrapeAcceptHeader`), which prefers OpenMetrics and
 * falls back to the text format. Prometheus 3 builds an equivalent header from `scrape_protocols`; protobuf is
 * left out here because the parser reads the text formats only.
 */
export const PROMETHEUS_ACCEPT_HEADER =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

const MAX_REDIRECTS = 10;
const USER_AGENT = 'scrapelint/0.1';

export type FetchErrorCode =
  | 'invalid-url'
  | 'timeout'
  | 'too-large'
  | 'http-status'
  | 'content-type'
  | 'connection-refused'
  | 'network'
  | 'decompress'
  | 'too-many-redirects';

/** A failed fetch: an input problem (exit code 2 in the CLI), `message` is one line naming the URL. */
export class FetchError extends Error {
  override readonly name = 'FetchError';
  constructor(
    readonly code: FetchErrorCode,
    readonly url: string,
    detail: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(`${url}: ${detail}`, options);
  }
}

export interface FetchOptions {
  /** The deadline of the whole fetch, headers and body (Prometheus' `scrape_timeout`). Default 10 s. */
  readonly timeoutMs?: number;
  /** The largest decompressed body accepted (Prometheus' `body_size_limit`). Default 100 MiB. */
  readonly maxBytes?: number;
  /**
   * The format to assume when the Content-Type is missing or not an exposition type (Prometheus 3's
   * `fallback_scrape_protocol`). Without it such a response is an error, as in Prometheus 3.
   */
  readonly fallbackFormat?: Format;
  /** Extra request headers (e.g. Authorization). */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface FetchedExposition {
  /** The URL the body came from (after redirects). */
  readonly url: string;
  readonly status: number;
  /** The Content-Type to give the parser: the response's, or the fallback format's. */
  readonly contentType: string;
  /** Decompressed chunks; iterate it to the end (or break) so the deadline timer is released. */
  readonly body: AsyncIterable<Buffer>;
}

const FALLBACK_CONTENT_TYPE: Record<Format, string> = {
  text: 'text/plain; version=0.0.4; charset=utf-8',
  openmetrics: 'application/openmetrics-text; version=1.0.0; charset=utf-8',
};

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** Turns socket and zlib errors into FetchErrors; FetchErrors pass through. */
function classify(error: unknown, url: string): FetchError {
  if (error instanceof FetchError) return error;
  const e = error as NodeJS.ErrnoException;
  switch (e?.code) {
    case 'ECONNREFUSED':
      return new FetchError('connection-refused', url, 'connection refused', undefined, { cause: error });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new FetchError('network', url, 'host not found', undefined, { cause: error });
    case 'ECONNRESET':
      return new FetchError('network', url, 'connection reset before the body ended', undefined, {
        cause: error,
      });
    case 'Z_DATA_ERROR':
    case 'Z_BUF_ERROR':
      return new FetchError('decompress', url, 'the gzip-encoded body is corrupt', undefined, {
        cause: error,
      });
    default:
      return new FetchError('network', url, e instanceof Error ? e.message : String(error), undefined, {
        cause: error,
      });
  }
}

/**
 * The URL as shown in messages and reports: a password in it (`http://user:pass@host/`, sent as basic auth) is
 * replaced by `xxxxx`, as Go's url.Redacted does for Prometheus; reports are uploaded and CI logs are public.
 */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password === '') return raw;
    url.password = 'xxxxx';
    return url.toString();
  } catch {
    return raw;
  }
}

function parseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new FetchError('invalid-url', raw, 'not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new FetchError('invalid-url', raw, `unsupported scheme ${url.protocol} (http: or https: only)`);
  }
  return url;
}

/**
 * Requests `rawUrl` and resolves once the headers are in and acceptable; the body is then streamed through
 * `body`. Rejects with a FetchError (status, content type, size announced by Content-Length, timeout, network).
 */
export async function fetchExposition(
  rawUrl: string,
  options: FetchOptions = {},
): Promise<FetchedExposition> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new RangeError(`fetch timeout must be a positive number of milliseconds, got ${timeoutMs}`);
  }
  if (!Number.isFinite(maxBytes) || maxBytes <= 0) {
    throw new RangeError(`fetch size limit must be a positive number of bytes, got ${maxBytes}`);
  }
  let url = parseUrl(rawUrl);
  const shown = redactUrl(rawUrl);

  // One deadline for the whole scrape; whatever is in flight when it passes is destroyed with a timeout error.
  let inFlight: { destroy(error?: Error): void } | undefined;
  let timedOut = false;
  const timeoutError = (): FetchError =>
    new FetchError('timeout', shown, `timed out after ${formatMs(timeoutMs)}`);
  const timer = setTimeout(() => {
    timedOut = true;
    inFlight?.destroy(timeoutError());
  }, timeoutMs);

  try {
    let response: IncomingMessage | undefined;
    for (let redirects = 0; ; redirects++) {
      response = await new Promise<IncomingMessage>((resolve, reject) => {
        const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
        const req = send(url, {
          method: 'GET',
          headers: {
            Accept: PROMETHEUS_ACCEPT_HEADER,
            'Accept-Encoding': 'gzip',
            'User-Agent': USER_AGENT,
            'X-Prometheus-Scrape-Timeout-Seconds': String(timeoutMs / 1000),
            ...options.headers,
          },
        });
        inFlight = req;
        req.once('response', resolve);
        req.once('error', (error) => reject(timedOut ? timeoutError() : classify(error, shown)));
        req.end();
      });
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if ([301, 302, 303, 307, 308].includes(status) && location !== undefined) {
        response.resume();
        if (redirects >= MAX_REDIRECTS) {
          throw new FetchError(
            'too-many-redirects',
            shown,
            `stopped after ${MAX_REDIRECTS} redirects`,
            status,
          );
        }
        const target = new URL(location, url);
        if (target.protocol !== 'http:' && target.protocol !== 'https:') {
          throw new FetchError(
            'invalid-url',
            shown,
            `redirected to ${target.toString()}: unsupported scheme ${target.protocol} (http: or https: only)`,
            status,
          );
        }
        url = target;
        continue;
      }
      break;
    }

    const status = response.statusCode ?? 0;
    if (status < 200 || status > 299) {
      response.destroy();
      throw new FetchError(
        'http-status',
        shown,
        `server returned HTTP status ${status} ${response.statusMessage ?? ''}`.trimEnd(),
        status,
      );
    }

    const header = response.headers['content-type'];
    const type = mediaType(header);
    let contentType: string;
    if ((type === 'text/plain' || type === 'application/openmetrics-text') && header !== undefined) {
      contentType = header;
    } else if (options.fallbackFormat !== undefined) {
      contentType = FALLBACK_CONTENT_TYPE[options.fallbackFormat];
    } else {
      response.destroy();
      const what =
        header === undefined || header.trim() === '' ? 'no Content-Type' : `Content-Type "${header}"`;
      throw new FetchError(
        'content-type',
        shown,
        `${what} is not an exposition format (expected text/plain; version=0.0.4 or application/openmetrics-text)`,
        status,
      );
    }

    const encoding = (response.headers['content-encoding'] ?? '').trim().toLowerCase();
    const length = Number(response.headers['content-length']);
    const tooLarge = (): FetchError =>
      new FetchError('too-large', shown, `body larger than the limit of ${formatBytes(maxBytes)}`, status);
    if ((encoding === '' || encoding === 'identity') && Number.isFinite(length) && length > maxBytes) {
      response.destroy();
      throw tooLarge();
    }
    let source: Readable = response;
    // An error of the body before it is read (a corrupt gzip stream fails as soon as its bytes arrive, and the
    // caller may load the parser first): kept here and thrown by `body`, never an uncaught 'error' event.
    let early: Error | undefined;
    if (encoding === 'gzip' || encoding === 'x-gzip') {
      const gunzip = createGunzip();
      response.on('error', (error) => gunzip.destroy(error));
      gunzip.on('error', (error) => {
        early ??= error;
      });
      source = response.pipe(gunzip);
    } else if (encoding !== '' && encoding !== 'identity') {
      response.destroy();
      throw new FetchError('decompress', shown, `unsupported Content-Encoding "${encoding}"`, status);
    }
    inFlight = {
      destroy(error) {
        source.destroy(error);
        response.destroy();
      },
    };

    const throwIfFailed = (): void => {
      if (early !== undefined) throw early;
    };
    const finalUrl = url.toString();
    const answered = response;
    async function* body(): AsyncGenerator<Buffer> {
      let seen = 0;
      try {
        throwIfFailed();
        for await (const chunk of source as AsyncIterable<Buffer>) {
          seen += chunk.length;
          if (seen > maxBytes) throw tooLarge();
          yield chunk;
        }
        if (timedOut) throw timeoutError();
        throwIfFailed();
        if (!answered.complete)
          throw new FetchError('network', shown, 'connection closed before the body ended');
      } catch (error) {
        throw timedOut ? timeoutError() : classify(error, shown);
      } finally {
        clearTimeout(timer);
        source.destroy();
        answered.destroy();
      }
    }
    return { url: finalUrl, status, contentType, body: body() };
  } catch (error) {
    clearTimeout(timer);
    throw timedOut ? timeoutError() : classify(error, shown);
  }
}
