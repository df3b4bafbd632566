/**
 * fixtures/real-world: configurations, operator resources, Helm values and expositions written after the shape of
 * what public projects ship (fixtures/real-world/README.md names each model; no text is copied). Each is linted through the CLI's own path (detection
 * by name and content, `--hygiene`, no rc file) and must produce exactly what `expected.yaml` lists: the kind it is
 * read as, the scrape jobs read from a config, and its findings (rule, severity, line, column). A change that adds a false positive on real input, loses
 * a true one, moves a position or stops recognising a file fails here.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { lintCommand } from './commands/lint.js';
import { lintConfigText } from './config-engine.js';

const root = fileURLToPath(new URL('../fixtures/real-world/', import.meta.url));

const Expected = z.record(
  z.string(),
  z.strictObject({
    kind: z.enum(['config', 'exposition', 'docs']),
    /** Configs: the scrape jobs read from the file (those of embedded configurations included). */
    jobs: z.array(z.string()).optional(),
    findings: z.array(
      z.strictObject({
        ruleId: z.string(),
        severity: z.enum(['warn', 'error']),
        line: z.int().positive(),
        column: z.int().positive(),
      }),
    ),
  }),
);

const expected = Expected.parse(parse(readFileSync(join(root, 'expected.yaml'), 'utf8')));
const files = ['configs', 'expositions'].flatMap((dir) =>
  readdirSync(join(root, dir)).map((name) => `${dir}/${name}`),
);

/** The names of the scrape jobs a config file yields, its embedded configurations' included. */
function jobsOf(name: string): string[] {
  const { model } = lintConfigText(readFileSync(join(root, name), 'utf8'), name);
  const embedded = model.embedded.flatMap(
    (e) => lintConfigText(e.text, name, {}, undefined, { unpackConfigMaps: false }).model.jobs,
  );
  return [...model.jobs, ...embedded].map((j) => j.name.value);
}

describe('fixtures/real-world', () => {
  it('lists every file in expected.yaml, and nothing else', () => {
    expect(Object.keys(expected).sort()).toEqual([...files].sort());
    expect(files.length).toBeGreaterThanOrEqual(15);
  });

  for (const name of files) {
    it(`${name} is read as what it is and produces the expected findings`, async () => {
      const result = await lintCommand({
        paths: [name],
        cwd: root,
        format: 'json',
        color: false,
        noConfig: true,
        hygiene: true,
      });
      // Recognised: linted, not skipped as of no known kind.
      expect(result.stderr).toBe('');
      expect(result.results).toHaveLength(1);
      const [file] = result.results;
      expect({
        kind: file?.kind,
        findings: file?.messages.map(({ ruleId, severity, line, column }) => ({
          ruleId,
          severity,
          line,
          column,
        })),
        ...(file?.kind === 'config' ? { jobs: jobsOf(name) } : {}),
      }).toEqual(expected[name]);
    });
  }
});
