/** Turns the CLI's paths (files, directories, globs) into files, honouring ignore globs. */
import { readlink, stat } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';
import type { Entry, Options as GlobOptions } from 'fast-glob';
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
  'alloy',
  'river',
];
const ALWAYS_IGNORED = ['**/node_modules/**', '**/.git/**', '**/dist/**', '**/.cache/**'];

export const isUrl = (path: string): boolean => /^https?:\/\//i.test(path);

interface Globbing {
  readonly glob: (pattern: string, options: GlobOptions) => Promise<string[]>;
  /** Matches with their directory entries (objectMode). */
  readonly entries: (pattern: string, options: GlobOptions) => Promise<Entry[]>;
  readonly isDynamicPattern: (pattern: string) => boolean;
  readonly matcher: (patterns: string[]) => (path: string) => boolean;
}

let globbing: Promise<Globbing> | undefined;

/**
 * fast-glob and picomatch, loaded the first time a directory, a glob or an ignore pattern needs them: files named
 * one by one, `-` and URLs (a pre-commit hook's arguments, `scrapelint metrics -`) start without them.
 */
function loadGlobbing(): Promise<Globbing> {
  globbing ??= Promise.all([import('fast-glob'), import('picomatch')]).then(([fg, pm]) => ({
    glob: (pattern, options) => fg.default(pattern, options),
    entries: (pattern, options) => fg.default(pattern, { ...options, objectMode: true }),
    isDynamicPattern: (pattern) => fg.default.isDynamicPattern(pattern),
    matcher: (patterns) => pm.default(patterns, { dot: true }),
  }));
  return globbing;
}

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
  onSkipped: (path: string, why: string) => void = () => {},
): Promise<string[]> {
  const ignoredByUser = ignore.length === 0 ? () => false : (await loadGlobbing()).matcher([...ignore]);
  const relativeTo = (absolute: string): string | undefined => {
    const rel = relative(cwd, absolute).split(sep).join('/');
    return rel.startsWith('..') ? undefined : rel;
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
    const { entries, isDynamicPattern, matcher } = await loadGlobbing();
    if (kind === 'missing' && !isDynamicPattern(path)) {
      const target = await readlink(absolute).catch(() => undefined);
      throw ioError(
        target === undefined
          ? `${path}: no such file or directory`
          : `${path}: a symbolic link to ${target}, which does not exist (dangling)`,
      );
    }
    const ignored = matcher([...ALWAYS_IGNORED, ...ignore]);
    const isIgnored = (absolute: string): boolean => {
      const rel = relativeTo(absolute);
      return rel !== undefined && ignored(rel);
    };
    // Symbolic links to files are linted (the shell's glob and git take them as files); links to directories
    // are not walked into (a link to an ancestor would loop); dangling links and FIFOs are skipped with a note.
    const found = await entries(pattern, {
      cwd: kind === 'dir' ? absolute : cwd,
      absolute: true,
      onlyFiles: false,
      dot: false,
      ignore: ALWAYS_IGNORED,
      followSymbolicLinks: false,
    });
    const matches: string[] = [];
    for (const { path: entry, dirent } of found) {
      const match = resolve(entry);
      if (isIgnored(match)) continue;
      if (dirent.isFile()) matches.push(match);
      else if (dirent.isSymbolicLink()) {
        const target = await linkTarget(match);
        if (target === 'file') matches.push(match);
        else if (target !== 'directory') onSkipped(match, target);
      } else if (!dirent.isDirectory()) onSkipped(match, 'not a regular file (a FIFO, socket or device)');
    }
    const kept = matches.sort();
    if (kind === 'missing' && kept.length === 0) throw usageError(`no files match the pattern "${path}"`);
    // As ESLint: a directory that yields nothing is a usage error (a wrong path in a CI step, not a clean run).
    if (kind === 'dir' && kept.length === 0)
      throw usageError(
        `no files to lint in the directory "${path}": it holds no .${LINTABLE_EXTENSIONS.join(', .')} files outside node_modules, .git, dist, .cache${ignore.length > 0 ? ' and the ignore patterns' : ''}`,
      );
    kept.forEach(add);
  }
  return out;
}

/** What a symbolic link found in a walk leads to: 'file', 'directory', or why it leads to neither. */
async function linkTarget(path: string): Promise<string> {
  try {
    const target = await stat(path);
    return target.isFile()
      ? 'file'
      : target.isDirectory()
        ? 'directory'
        : 'a symbolic link to something that is not a regular file';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'a symbolic link to a file that does not exist (dangling)';
    if (code === 'ELOOP') return 'a loop of symbolic links';
    return `a symbolic link that cannot be followed: ${describeIoError(error)}`;
  }
}

/**
 * The regular files (symbolic links followed) that a path or glob names, relative to `dir`, sorted, as Prometheus'
 * filepath.Glob finds the files of `scrape_config_files`: a plain path that does not exist matches nothing.
 */
export async function globFiles(pattern: string, dir: string): Promise<string[]> {
  const { glob, isDynamicPattern } = await loadGlobbing();
  if (!isDynamicPattern(pattern)) {
    const absolute = resolve(dir, pattern);
    try {
      return (await stat(absolute)).isFile() ? [absolute] : [];
    } catch {
      return [];
    }
  }
  const matches = await glob(pattern, {
    cwd: dir,
    absolute: true,
    onlyFiles: true,
    dot: true,
    followSymbolicLinks: true,
    // Go's filepath.Glob has no recursive `**`: it is `*`, one path segment.
    globstar: false,
  });
  return matches.map((m) => resolve(m)).sort();
}

/** Whether an ignore glob of the configuration file (relative to `cwd`) matches a path. */
export async function ignoredBy(ignore: readonly string[], cwd: string): Promise<(path: string) => boolean> {
  if (ignore.length === 0) return () => false;
  const ignored = (await loadGlobbing()).matcher([...ignore]);
  return (path) => {
    const rel = relative(cwd, path).split(sep).join('/');
    return !rel.startsWith('..') && ignored(rel);
  };
}
