/** Turns the CLI's paths (files, directories, globs) into files, honouring ignore globs. */
import { stat } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';
import fg from 'fast-glob';
import picomatch from 'picomatch';
import { describeIoError, ioError, usageError } from './errors.js';

export const LINTABLE_EXTENSIONS = [
  'yml',
  'yaml',
  'md',
  'markdown',
  'prom',
  'metrics',
  'om',
  'openmetrics',
  'txt',
];
const ALWAYS_IGNORED = ['**/node_modules/**', '**/.git/**', '**/dist/**', '**/.cache/**'];

export const isUrl = (path: string): boolean => /^https?:\/\//i.test(path);

/**
 * Absolute paths of the files to lint, in a stable order; `-` and URLs pass through unchanged. Directory walks and
 * globs skip the built-in ignores (node_modules, .git, dist, .cache) and the `ignore` globs; a file named on the
 * command line is linted unless an `ignore` glob (the user's own choice) matches it: then `onIgnored` hears of it,
 * as ESLint warns of an ignored file it was given.
 */
export async function expandPaths(
  paths: readonly string[],
  cwd: string,
  ignore: readonly string[] = [],
  onIgnored: (path: string) => void = () => {},
): Promise<string[]> {
  const ignored = picomatch([...ALWAYS_IGNORED, ...ignore], { dot: true });
  const ignoredByUser = ignore.length === 0 ? () => false : picomatch([...ignore], { dot: true });
  const relativeTo = (absolute: string): string | undefined => {
    const rel = relative(cwd, absolute).split(sep).join('/');
    return rel.startsWith('..') ? undefined : rel;
  };
  const isIgnored = (absolute: string): boolean => {
    const rel = relativeTo(absolute);
    return rel !== undefined && ignored(rel);
  };
  const out: string[] = [];
  const seen = new Set<string>();
  const add = (path: string): void => {
    if (!seen.has(path)) {
      seen.add(path);
      out.push(path);
    }
  };
  for (const path of paths) {
    if (path === '-' || isUrl(path)) {
      add(path);
      continue;
    }
    const absolute = resolve(cwd, path);
    let kind: 'file' | 'dir' | 'missing' = 'missing';
    try {
      const s = await stat(absolute);
      kind = s.isDirectory() ? 'dir' : 'file';
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        throw ioError(`${path}: ${describeIoError(error)}`, error);
    }
    if (kind === 'file') {
      const rel = relativeTo(absolute);
      if (rel !== undefined && ignoredByUser(rel)) onIgnored(path);
      else add(absolute);
      continue;
    }
    const pattern = kind === 'dir' ? `**/*.{${LINTABLE_EXTENSIONS.join(',')}}` : path;
    if (kind === 'missing' && /^[a-z][a-z0-9+.-]*:\/\//i.test(path))
      throw usageError(`${path}: only http:// and https:// URLs can be fetched`);
    if (kind === 'missing' && !fg.isDynamicPattern(path)) throw ioError(`${path}: no such file or directory`);
    const matches = await fg(pattern, {
      cwd: kind === 'dir' ? absolute : cwd,
      absolute: true,
      onlyFiles: true,
      dot: false,
      ignore: ALWAYS_IGNORED,
      followSymbolicLinks: false,
    });
    const kept = matches
      .map((m) => resolve(m))
      .filter((m) => !isIgnored(m))
      .sort();
    if (kind === 'missing' && kept.length === 0) throw usageError(`no files match the pattern "${path}"`);
    kept.forEach(add);
  }
  return out;
}
