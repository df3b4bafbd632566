/**
 * The URL fetch's defaults, apart from lint/sources/fetch.ts so that the command line can print them in `--help`
 * without loading node:http, node:https and node:zlib (fetch.ts is imported only when a URL is linted).
 */
export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_BYTES = 100 * 1024 * 1024;
