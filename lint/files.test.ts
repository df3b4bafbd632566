/**
 * Directory walks and globs meet symbolic links and special files (found by the user audit: a link to a config
 * was skipped without a word, and a glob that matched only links failed with "no files match").
 */
import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandPaths } from './files.js';

let dir: string;
let socket: Server;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'scrapelint-files-'));
  mkdirSync(join(dir, 'shared'));
  mkdirSync(join(dir, 'walk/sub'), { recursive: true });
  writeFileSync(join(dir, 'shared/prometheus.yml'), 'scrape_configs: []\n');
  writeFileSync(join(dir, 'walk/own.yml'), 'scrape_configs: []\n');
  symlinkSync('../shared/prometheus.yml', join(dir, 'walk/linked.yml'));
  symlinkSync('../nowhere.yml', join(dir, 'walk/dangling.yml'));
  symlinkSync('self.yml', join(dir, 'walk/self.yml'));
  // A link to an ancestor directory: walking into it would never end.
  symlinkSync('..', join(dir, 'walk/sub/up'));
  socket = createServer();
  await new Promise<void>((resolve) => socket.listen(join(dir, 'walk/socket.prom'), resolve));
});

afterAll(async () => {
  await new Promise<void>((resolve) => socket.close(() => resolve()));
});

async function expand(paths: string[]): Promise<{ files: string[]; skipped: string[] }> {
  const skipped: string[] = [];
  const files = await expandPaths(paths, dir, [], undefined, (path, why) => {
    skipped.push(`${path.slice(dir.length + 1)}: ${why}`);
  });
  return { files: files.map((f) => f.slice(dir.length + 1)), skipped };
}

describe('expandPaths and symbolic links', () => {
  it('a directory walk lints links to files, does not enter links to directories, notes the rest', async () => {
    expect(await expand(['walk'])).toEqual({
      files: ['walk/linked.yml', 'walk/own.yml'],
      skipped: [
        'walk/dangling.yml: a symbolic link to a file that does not exist (dangling)',
        'walk/self.yml: a loop of symbolic links',
        'walk/socket.prom: not a regular file (a FIFO, socket or device)',
      ],
    });
  });

  it('a glob matches links to files as the shell does', async () => {
    expect((await expand(['walk/link*.yml'])).files).toEqual(['walk/linked.yml']);
  });

  it('a dangling link named on the command line is an I/O error that says so', async () => {
    await expect(expand(['walk/dangling.yml'])).rejects.toThrow(
      'walk/dangling.yml: a symbolic link to ../nowhere.yml, which does not exist (dangling)',
    );
  });

  it('a link named on the command line is linted as its target file', async () => {
    expect(await expand(['walk/linked.yml'])).toEqual({ files: ['walk/linked.yml'], skipped: [] });
  });
});
