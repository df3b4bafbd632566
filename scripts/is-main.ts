import { realpathSync } from 'node:fs';

/** Whether the module at `filename` is the program node was started with (also through a bin symlink). */
export function isMain(filename: string): boolean {
  const started = process.argv[1];
  if (started === undefined) return false;
  let real = started;
  try {
    real = realpathSync(started);
  } catch {
    // keep the path as given
  }
  const strip = (path: string): string => path.replace(/\.[cm]?[jt]s$/, '');
  return strip(real) === strip(filename);
}
