import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ScrapelintError } from './errors.js';
import { parseRc } from './rc-file.js';
import { parseRuleFlag } from './rc.js';

describe('parseRc', () => {
  it('reads the documented example', () => {
    const path = new URL('../docs/scrapelintrc.example.yaml', import.meta.url);
    const rc = parseRc(readFileSync(path, 'utf8'), 'docs/scrapelintrc.example.yaml');
    expect(rc.ignore).toEqual(['vendor/**', '**/testdata/**']);
    expect(rc.settings.hygiene).toBe(false);
    expect(rc.settings.rules).toEqual({
      'single-massive-target': { severity: 'error' },
      'federation-scrape-all': { severity: 'error' },
      'missing-up-series': { severity: 'warn', options: { sourceLabels: ['job', 'instance', 'app'] } },
      'scrape-timeout': { severity: 'error', options: { lookback: '10m' } },
      'stale-timestamps': { severity: 'off' },
    });
  });
  it('accepts numeric severities and an empty file', () => {
    expect(parseRc('rules:\n  parse-error: 2\n  missing-up-series: [0]\n', 'x').settings.rules).toEqual({
      'parse-error': { severity: 'error' },
      'missing-up-series': { severity: 'off' },
    });
    expect(parseRc('', 'empty.yaml').settings).toEqual({});
  });
  it.each([
    // Says what an entry may be (zod alone said "Invalid input").
    [
      'rules:\n  parse-error: loud\n',
      /^x\.yaml:2:16: expected off, warn or error \(or 0, 1, 2\), \[severity, options\] or \{ severity, options \}, not "loud" at rules\.parse-error$/,
    ],
    ['ignore: vendor\n', /^x\.yaml:1:9: .* at ignore$/],
    ['hygiene: maybe\n', /^x\.yaml:1:10: .*expected boolean.* at hygiene$/],
    ['# comment\nhygiene:\n', /^x\.yaml:2:9: .* at hygiene$/],
    [
      'hygiene: true\nignored: [a]\n',
      /^x\.yaml:2:1: unknown key "ignored" \(the keys are hygiene, ignore, rules\)$/,
    ],
    ['rules:\n  scrape-timeout: { severity: warn, optoins: {} }\n', /^x\.yaml:2:37: .*optoins/],
    ['ignore:\n  - ok\n  - 7\n', /^x\.yaml:3:5: .* at ignore\.1$/],
    ['rules:\n  parse-error: warn\n  nope: warn\n', /^x\.yaml:3:3: unknown rule "nope"/],
    [
      'rules:\n  scrape-timeout: [error, { lookback: soon }]\n',
      /^x\.yaml:2:39: invalid options for rule scrape-timeout: lookback/,
    ],
    [
      'rules:\n  scrape-timeout:\n    severity: error\n    options:\n      lookback: 12\n',
      /^x\.yaml:5:17: invalid options for rule scrape-timeout: lookback/,
    ],
    [
      'rules:\n  scrape-timeout: [error, { lookbak: 5m }]\n',
      /^x\.yaml:2:29: invalid options for rule scrape-timeout: .*lookbak/,
    ],
    ['rules: [\n', /^x\.yaml:2:1: invalid YAML/],
    ['hygiene: true\nhygiene: false\n', /^x\.yaml:2:1: invalid YAML: .*unique/i],
    ['- a list\n', /^x\.yaml:1:1: /],
  ])('refuses %j naming the file and the problem', (text, message) => {
    let error: unknown;
    try {
      parseRc(text, 'x.yaml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScrapelintError);
    expect((error as ScrapelintError).message).toMatch(message);
  });
});

describe('parseRuleFlag', () => {
  it('reads id=severity', () => {
    expect(parseRuleFlag('hygiene/help=error')).toEqual(['hygiene/help', 'error']);
    expect(parseRuleFlag('parse-error=0')).toEqual(['parse-error', 'off']);
  });
  it.each(['parse-error', 'parse-error=', '=warn', 'a=loud', 'a b=warn'])('refuses %j', (flag) => {
    expect(() => parseRuleFlag(flag)).toThrow(/expected id=off\|warn\|error/);
  });
});
