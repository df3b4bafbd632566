/**
 * The exposition and docs fixtures produce exactly the findings their `expected.yaml` lists (rule, message id,
 * line, column), through the engine paths the CLI uses, with the default rules and `--hygiene`.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { lintDocsModel, lintExpositionStream } from '../engine.js';
import type { FileResult } from '../types.js';
import { parseDocs } from './docs.js';
import { readFileChunks } from './exposition.js';

const Expected = z.record(
  z.string(),
  z.array(
    z.strictObject({
      ruleId: z.string(),
      messageId: z.string(),
      line: z.int().positive(),
      column: z.int().positive(),
    }),
  ),
);

const shape = (result: FileResult) =>
  result.messages.map(({ ruleId, messageId, line, column }) => ({ ruleId, messageId, line, column }));

for (const kind of ['expositions', 'docs'] as const) {
  const dir = fileURLToPath(new URL(`../../fixtures/${kind}/`, import.meta.url));
  const expected = Expected.parse(parse(readFileSync(`${dir}expected.yaml`, 'utf8')));
  const files = readdirSync(dir).filter((name) => name !== 'expected.yaml');

  describe(`fixtures/${kind}`, () => {
    it('lists every fixture in expected.yaml, and nothing else', () => {
      expect(Object.keys(expected).sort()).toEqual([...files].sort());
    });

    for (const name of files) {
      it(`${name} produces the expected findings`, async () => {
        const result =
          kind === 'docs'
            ? lintDocsModel(parseDocs(readFileSync(dir + name, 'utf8'), name), {})
            : await lintExpositionStream(readFileChunks(dir + name), {
                filePath: name,
                settings: { hygiene: true },
              });
        expect(shape(result)).toEqual(expected[name]);
      });
    }
  });
}
