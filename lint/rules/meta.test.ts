/**
 * Every rule has its file, its test, its doc page and its index entry (eslint's checkRuleFiles), and sane meta.
 * Helpers in lint/rules/ (files whose default export is not a rule) are left alone.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REQUIRED_HEADINGS, headings } from '../rule-docs.js';
import type { Rule } from '../types.js';
import { rules } from './index.js';

const rulesDir = fileURLToPath(new URL('.', import.meta.url));
const root = join(rulesDir, '..', '..');

function ruleFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return ruleFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && entry.name !== 'index.ts'
      ? [path]
      : [];
  });
}

const isRule = (value: unknown): value is Rule =>
  typeof value === 'object' && value !== null && 'meta' in value && 'create' in value;

const files = ruleFiles(rulesDir);
const loaded = await Promise.all(
  files.map(async (path) => ({
    path,
    module: (await import(pathToFileURL(path).href)) as { default?: unknown },
  })),
);
const fileRules = loaded.filter((l) => isRule(l.module.default));

describe('rule files', () => {
  it('finds the rules', () => expect(fileRules.length).toBeGreaterThanOrEqual(7));

  for (const { path, module } of fileRules) {
    const rule = module.default as Rule;
    const id = relative(rulesDir, path).replace(/\.ts$/, '').split('\\').join('/');
    describe(id, () => {
      it('is named after its id', () => expect(rule.meta.id).toBe(id));
      it('is registered in lint/rules/index.ts', () => expect(rules).toContain(rule));
      it('has its test file next to it', () =>
        expect(existsSync(path.replace(/\.ts$/, '.test.ts'))).toBe(true));
      it('has docs/rules/<id>.md with the fixed headings', () => {
        const doc = join(root, 'docs', 'rules', `${id}.md`);
        expect(existsSync(doc), doc).toBe(true);
        expect(headings(readFileSync(doc, 'utf8'))).toEqual(expect.arrayContaining([...REQUIRED_HEADINGS]));
      });
    });
  }
});

describe('registered rules', () => {
  it('are all in the rules table of docs/scrapelint.md', () => {
    const guide = readFileSync(join(root, 'docs', 'scrapelint.md'), 'utf8');
    for (const rule of rules) {
      if (!rule.meta.id.startsWith('hygiene/'))
        expect(guide, rule.meta.id).toContain(`[${rule.meta.id}](rules/${rule.meta.id}.md)`);
    }
  });
  it('have unique ids', () => {
    const ids = rules.map((r) => r.meta.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
  for (const rule of rules) {
    describe(rule.meta.id, () => {
      it('lives in lint/rules/<id>.ts', () =>
        expect(existsSync(join(rulesDir, `${rule.meta.id}.ts`))).toBe(true));
      it('has sane meta: messages, default options, a severity, inputs', () => {
        expect(Object.keys(rule.meta.messages).length).toBeGreaterThan(0);
        expect(rule.meta.description.length).toBeGreaterThan(10);
        expect(['off', 'warn', 'error']).toContain(rule.meta.defaultSeverity);
        expect(rule.meta.appliesTo.length).toBeGreaterThan(0);
        expect(() => rule.meta.schema.parse({})).not.toThrow();
      });
    });
  }
});
