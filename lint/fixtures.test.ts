/**
 * fixtures/configs: every file ends with the findings it must produce (`# scrapelint must report:` followed by
 * `#   line:col severity rule-id` lines, or `nothing`; `//` for `#` in Alloy files); good/ files must report
 * nothing, bad/ files something.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lintConfigText } from './config-engine.js';

const root = fileURLToPath(new URL('../fixtures/configs/', import.meta.url));
const walk = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : /\.(ya?ml|alloy)$/.test(e.name) ? [join(dir, e.name)] : [],
  );

function expected(text: string, comment: string): string[] {
  const marker = `${comment} scrapelint must report:`;
  const at = text.lastIndexOf(marker);
  if (at === -1) throw new Error('the fixture does not say what it must report');
  const rest = text.slice(at + marker.length);
  if (rest.replace(new RegExp(`^\\s*${comment}`, 'gm'), '').trim() === 'nothing') return [];
  return rest
    .split('\n')
    .map((l) => l.replace(new RegExp(`^${comment}\\s*`), '').trim())
    .filter((l) => l !== '');
}

const files = walk(root);

describe('fixtures/configs', () => {
  it('has good and bad fixtures', () => {
    expect(files.some((f) => f.includes('/good/'))).toBe(true);
    expect(files.filter((f) => f.includes('/bad/')).length).toBeGreaterThanOrEqual(5);
  });
  for (const path of files) {
    const name = relative(root, path);
    it(name, () => {
      const text = readFileSync(path, 'utf8');
      const want = expected(text, path.endsWith('.alloy') ? '//' : '#');
      if (name.startsWith('good/')) expect(want).toEqual([]);
      if (name.startsWith('bad/')) expect(want.length).toBeGreaterThan(0);
      const result = lintConfigText(text, path);
      expect(result.messages.map((m) => `${m.line}:${m.column} ${m.severity} ${m.ruleId}`)).toEqual(want);
    });
  }
});
