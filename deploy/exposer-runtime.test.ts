import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseDockerfile, parseEnv } from './dockerfile.js';
import { EXPOSER_MALLOC_ENV, exposerRuntimeEnv } from './exposer-runtime.js';

const deployDir = dirname(fileURLToPath(import.meta.url));

/** The environment the image's last stage sets (later ENV instructions win, as in Docker). */
function imageEnv(): Record<string, string> {
  const { stages } = parseDockerfile(readFileSync(join(deployDir, 'Dockerfile'), 'utf8'));
  const runtime = stages.at(-1);
  const env: Record<string, string> = {};
  for (const instruction of runtime?.instructions ?? []) {
    if (instruction.keyword === 'ENV') Object.assign(env, parseEnv(instruction));
  }
  return env;
}

describe('exposer runtime settings', () => {
  it('the image starts node with the settings the benchmarks measure', () => {
    const env = imageEnv();
    for (const [name, value] of Object.entries(exposerRuntimeEnv())) expect(env[name]).toBe(value);
  });

  it('names glibc tunables with whole byte counts', () => {
    for (const [name, value] of Object.entries(EXPOSER_MALLOC_ENV)) {
      expect(name).toMatch(/^MALLOC_[A-Z_]+_$/);
      expect(value).toMatch(/^[1-9]\d*$/);
    }
  });
});
