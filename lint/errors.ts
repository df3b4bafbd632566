/**
 * The typed errors of scrapelint. Each becomes exit code 2 and one line on stderr in one place (lint/cli.ts);
 * the message names the file (or option) and the problem.
 */
export type ErrorKind = 'usage' | 'config' | 'io';

export class ScrapelintError extends Error {
  override readonly name = 'ScrapelintError';
  readonly exitCode = 2;
  constructor(
    readonly kind: ErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const usageError = (message: string): ScrapelintError => new ScrapelintError('usage', message);
export const configError = (message: string): ScrapelintError => new ScrapelintError('config', message);
export const ioError = (message: string, cause?: unknown): ScrapelintError =>
  new ScrapelintError('io', message, { cause });

/** `ENOENT: no such file ...` -> `no such file or directory`; other errors -> their message. */
export function describeIoError(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  switch (e?.code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    default:
      return e instanceof Error ? e.message : String(error);
  }
}
