import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { fileResult } from '../engine.js';
import { rules } from '../rules/index.js';
import type { LintMessage } from '../types.js';
import { escapeData, escapeProperty } from './github.js';
import { reporters } from './index.js';
import type { ReporterContext } from './types.js';

const message = (over: Partial<LintMessage>): LintMessage => ({
  ruleId: 'single-massive-target',
  messageId: 'gatewayJob',
  severity: 'warn',
  message: 'Job "exposer" funnels many apps',
  line: 3,
  column: 15,
  endLine: 3,
  endColumn: 22,
  ...over,
});

const results = [
  fileResult('/repo/deploy/prometheus.yml', 'config', [
    message({}),
    message({
      ruleId: 'scrape-timeout',
      messageId: 'timeoutGreater',
      severity: 'error',
      message: 'timeout 15s > 10s, 100%: refused',
      line: 9,
      column: 21,
      endLine: 9,
      endColumn: 24,
    }),
  ]),
  fileResult('/repo/clean.yml', 'config', []),
  fileResult('/repo/metrics dir/big.prom', 'exposition', [
    message({
      ruleId: 'parse-error',
      messageId: 'exposition',
      severity: 'error',
      message: 'bad\nvalue',
      line: 12,
      column: 1,
      endLine: 12,
      endColumn: 1,
    }),
  ]),
];
const context: ReporterContext = { cwd: '/repo', color: false, rules, version: '0.1.0' };

describe('text reporter', () => {
  it('prints file, line:col, severity, message, rule id and a summary, without colour', () => {
    const out = reporters.text(results, context);
    expect(out).toContain('/repo/deploy/prometheus.yml\n');
    expect(out).toContain('  3:15  warning  Job "exposer" funnels many apps  single-massive-target\n');
    expect(out).toContain('  9:21  error    timeout 15s > 10s, 100%: refused  scrape-timeout\n');
    expect(out).not.toContain('/repo/clean.yml');
    expect(out).toMatch(/✖ 3 problems \(2 errors, 1 warning\)\n$/);
    expect(out).not.toContain('\u001b[');
  });
  it('colours only when asked', () => {
    expect(reporters.text(results, { ...context, color: true })).toContain('\u001b[31merror');
  });
  it('prints nothing when there is nothing to say', () => {
    expect(reporters.text([fileResult('/repo/a.yml', 'config', [])], context)).toBe('');
  });
});

describe('json reporter', () => {
  it("has ESLint's shape", () => {
    const parsed = JSON.parse(reporters.json(results, context));
    expect(parsed).toHaveLength(3);
    expect(parsed[0]).toMatchObject({
      filePath: '/repo/deploy/prometheus.yml',
      errorCount: 1,
      warningCount: 1,
    });
    expect(parsed[0].messages[0]).toEqual({
      ruleId: 'single-massive-target',
      severity: 1,
      message: 'Job "exposer" funnels many apps',
      line: 3,
      column: 15,
      endLine: 3,
      endColumn: 22,
      messageId: 'gatewayJob',
    });
    expect(parsed[0].messages[1].severity).toBe(2);
    expect(parsed[1].messages).toEqual([]);
  });
});

describe('github reporter', () => {
  it('writes one workflow command per finding with repo-relative paths and escaping', () => {
    const lines = reporters.github(results, context).trimEnd().split('\n');
    expect(lines).toEqual([
      '::warning file=deploy/prometheus.yml,line=3,col=15,endLine=3,endColumn=22,title=scrapelint single-massive-target::Job "exposer" funnels many apps (single-massive-target)',
      '::error file=deploy/prometheus.yml,line=9,col=21,endLine=9,endColumn=24,title=scrapelint scrape-timeout::timeout 15s > 10s, 100%25: refused (scrape-timeout)',
      '::error file=metrics dir/big.prom,line=12,col=1,endLine=12,endColumn=1,title=scrapelint parse-error::bad%0Avalue (parse-error)',
    ]);
    expect(escapeProperty('a:b,c%')).toBe('a%3Ab%2Cc%25');
    expect(escapeData('a\r\nb')).toBe('a%0D%0Ab');
  });
});

describe('sarif reporter', () => {
  const schema = JSON.parse(
    readFileSync(new URL('../../fixtures/sarif/sarif-schema-2.1.0.json', import.meta.url), 'utf8'),
  );
  const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
  (addFormatsModule as unknown as (a: Ajv) => void)(ajv);
  const validate = ajv.compile(schema);

  it('validates against the SARIF 2.1.0 JSON schema', () => {
    const log = JSON.parse(reporters.sarif(results, context));
    const valid = validate(log);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('the schema check can fail (a broken log is refused)', () => {
    const log = JSON.parse(reporters.sarif(results, context));
    log.runs[0].results[0].level = 'fatal';
    expect(validate(log)).toBe(false);
  });

  it('lists every rule with help and places results with repo-relative regions and fingerprints', () => {
    const log = JSON.parse(reporters.sarif(results, context));
    const run = log.runs[0];
    const ids = (run.tool.driver.rules as { id: string }[]).map((r) => r.id);
    expect(log.version).toBe('2.1.0');
    expect(run.tool.driver.name).toBe('scrapelint');
    expect(ids).toEqual(rules.map((r) => r.meta.id));
    for (const rule of run.tool.driver.rules) expect(rule.help.text).toMatch(/docs\/rules\//);
    expect(run.results).toHaveLength(3);
    const [first, , third] = run.results;
    expect(first.level).toBe('warning');
    expect(first.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'deploy/prometheus.yml', uriBaseId: '%SRCROOT%' },
      region: { startLine: 3, startColumn: 15, endLine: 3, endColumn: 22 },
    });
    expect(third.locations[0].physicalLocation.artifactLocation.uri).toBe('metrics%20dir/big.prom');
    expect(run.tool.driver.rules[first.ruleIndex].id).toBe('single-massive-target');
    expect(first.partialFingerprints['scrapelintFinding/v1']).toMatch(/^[0-9a-f]{32}:1$/);
  });

  it('keeps fingerprints when a finding moves to another line', () => {
    const moved = [fileResult('/repo/deploy/prometheus.yml', 'config', [message({ line: 30, endLine: 30 })])];
    const a = JSON.parse(reporters.sarif(results, context)).runs[0].results[0].partialFingerprints;
    const b = JSON.parse(reporters.sarif(moved, context)).runs[0].results[0].partialFingerprints;
    expect(b).toEqual(a);
  });

  it('writes suppressed findings as results with an inSource suppression and the same fingerprint', () => {
    const silenced = message({ suppressedBy: { justification: 'the lab exposer, on purpose' } });
    const bare = message({ line: 5, endLine: 5, suppressedBy: { justification: '' } });
    const withSuppressed = [fileResult('/repo/deploy/prometheus.yml', 'config', [], [bare, silenced])];
    const log = JSON.parse(reporters.sarif(withSuppressed, context));
    expect(validate(log)).toBe(true);
    const [first, second] = log.runs[0].results;
    expect(log.runs[0].results).toHaveLength(2);
    expect(first.suppressions).toEqual([{ kind: 'inSource', justification: 'the lab exposer, on purpose' }]);
    expect(second.suppressions).toEqual([{ kind: 'inSource' }]);
    expect(first.level).toBe('warning');
    // The same finding unsuppressed has the same fingerprint, and no suppression.
    const plain = JSON.parse(reporters.sarif(results, context)).runs[0].results[0];
    expect(first.partialFingerprints).toEqual(plain.partialFingerprints);
    expect(plain.suppressions).toBeUndefined();
    // After a suppressed twin, a finding is the second occurrence, as it would be were the first not suppressed.
    const twins = [
      fileResult('/repo/deploy/prometheus.yml', 'config', [message({ line: 7, endLine: 7 })], [silenced]),
    ];
    const [, twin] = JSON.parse(reporters.sarif(twins, context)).runs[0].results;
    expect(twin.partialFingerprints['scrapelintFinding/v1']).toMatch(/:2$/);
    expect(twin.suppressions).toBeUndefined();
  });

  it('validates with no results at all', () => {
    expect(validate(JSON.parse(reporters.sarif([], context)))).toBe(true);
  });
});
