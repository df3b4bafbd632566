/** The exposition corpus (fixtures/exposition/cases.yaml): shared by the corpus test and the promtool test. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { projectRoot } from '../scripts/project-root.js';

const caseSchema = z.object({
  file: z.string(),
  format: z.enum(['text', 'openmetrics']),
  verdict: z.enum(['valid', 'invalid']),
  code: z.string().optional(),
  line: z.number().int().positive().optional(),
  errors: z.number().int().nonnegative().optional(),
  facts: z.array(z.enum(['duplicate-series', 'split-family', 'scraper-refuses'])).optional(),
  promtool: z.literal('newer').optional(),
  rule: z.string(),
});

export type CorpusCase = z.infer<typeof caseSchema>;

export const corpusDir = join(projectRoot(), 'fixtures', 'exposition');

export function loadCorpus(): CorpusCase[] {
  const raw: unknown = parseYaml(readFileSync(join(corpusDir, 'cases.yaml'), 'utf8'));
  return z.array(caseSchema).parse(raw);
}

export function readCase(entry: CorpusCase): Buffer {
  return readFileSync(join(corpusDir, entry.file));
}
