import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { defineRule } from './define-rule.js';
import { lintConfigText } from './config-engine.js';
import { defaultSeverity, resolveRules, validateSettings } from './engine.js';
import { ScrapelintError } from './errors.js';
import { rules } from './rules/index.js';

const probe = defineRule({
  meta: {
    id: 'probe',
    description: 'reports every job, for engine tests',
    defaultSeverity: 'warn',
    appliesTo: ['config'],
    messages: { job: 'job {{name}} ({{missing}})', loud: 'loud {{name}}' },
    schema: z.strictObject({ loud: z.boolean().default(false) }),
  },
  create(context) {
    return {
      config(model) {
        for (const job of model.jobs) {
          context.report({
            messageId: context.options.loud ? 'loud' : 'job',
            data: { name: job.name.value },
            range: job.name.range,
            ...(context.options.loud ? { severity: 'error' as const } : {}),
          });
        }
      },
    };
  },
});
const crashing = defineRule({
  meta: { ...probe.meta, id: 'crashing' },
  create() {
    return {
      config() {
        throw new Error('boom');
      },
    };
  },
});
const wrongMessage = defineRule({
  meta: { ...probe.meta, id: 'wrong-message' },
  create(context) {
    return { config: (model) => context.report({ messageId: 'nope', range: model.jobs[0]!.range }) };
  },
});

const yaml = 'scrape_configs:\n  - job_name: a\n  - job_name: b\n';

describe('engine', () => {
  it('fills templates, keeps unknown placeholders, places findings, sorts them', () => {
    const result = lintConfigText(yaml, 'p.yml', {}, [probe]);
    expect(
      result.messages.map(
        (m) => `${m.line}:${m.column}-${m.endLine}:${m.endColumn} ${m.severity} ${m.message}`,
      ),
    ).toEqual(['2:15-2:16 warn job a ({{missing}})', '3:15-3:16 warn job b ({{missing}})']);
    expect(result).toMatchObject({ errorCount: 0, warningCount: 2, kind: 'config', filePath: 'p.yml' });
  });
  it('validates options with the rule schema and lets a finding raise its severity', () => {
    const result = lintConfigText(yaml, 'p.yml', { rules: { probe: { options: { loud: true } } } }, [probe]);
    expect(result.messages.map((m) => `${m.severity} ${m.message}`)).toEqual([
      'error loud a',
      'error loud b',
    ]);
    expect(() =>
      lintConfigText(yaml, 'p.yml', { rules: { probe: { options: { loud: 'yes' } } } }, [probe]),
    ).toThrow(/invalid options for rule probe: loud: /);
  });
  it('off turns a rule off', () => {
    expect(
      lintConfigText(yaml, 'p.yml', { rules: { probe: { severity: 'off' } } }, [probe]).messages,
    ).toEqual([]);
  });
  it('a crashing rule is named; an unknown messageId is a bug named after its rule', () => {
    expect(() => lintConfigText(yaml, 'p.yml', {}, [crashing])).toThrow(
      'rule crashing failed on p.yml: boom',
    );
    expect(() => lintConfigText(yaml, 'p.yml', {}, [wrongMessage])).toThrow(/unknown messageId "nope"/);
  });
  it('hygiene rules are off unless --hygiene or their own setting', () => {
    const hygiene = rules.filter((r) => r.meta.id.startsWith('hygiene/'));
    for (const rule of hygiene) {
      expect(defaultSeverity(rule, false)).toBe('off');
      expect(defaultSeverity(rule, true)).not.toBe('off');
    }
    const ids = (settings: Parameters<typeof resolveRules>[0]) =>
      resolveRules(settings, 'exposition').map((r) => r.rule.meta.id);
    expect(ids({}).some((id) => id.startsWith('hygiene/'))).toBe(false);
    if (hygiene[0]) {
      expect(ids({ hygiene: true })).toContain(hygiene[0].meta.id);
      expect(ids({ rules: { [hygiene[0].meta.id]: { severity: 'error' } } })).toContain(hygiene[0].meta.id);
    }
  });
  it('validateSettings names the origin, the rule and the problem', () => {
    expect(() => validateSettings({ rules: { nope: { severity: 'warn' } } }, '.scrapelintrc.yaml')).toThrow(
      ScrapelintError,
    );
    expect(() => validateSettings({ rules: { nope: {} } }, 'x.yaml')).toThrow('x.yaml: unknown rule "nope"');
    expect(() =>
      validateSettings({ rules: { 'scrape-timeout': { options: { lookback: 'soon' } } } }, 'x.yaml'),
    ).toThrow(/^x\.yaml: invalid options for rule scrape-timeout: lookback: /);
  });
});
