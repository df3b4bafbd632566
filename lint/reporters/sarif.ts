/**
 * SARIF 2.1.0 for GitHub code scanning: driver rules with help, results with physicalLocation/region (repo-relative
 * URIs under %SRCROOT%) and partialFingerprints that survive moving lines. Findings silenced by a suppression
 * comment are results too, with an `inSource` suppression carrying the comment's reason (as ESLint's SARIF
 * formatter writes them): a viewer that reads suppressions shows them as suppressed instead of losing track of
 * them, and a finding keeps its fingerprint whether it is suppressed or not.
 */
import { createHash } from 'node:crypto';
import { byPosition } from '../engine.js';
import type { LintMessage, Severity } from '../types.js';
import { repoPath } from './github.js';
import type { Reporter } from './types.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
const level = (s: Severity): 'error' | 'warning' | 'note' =>
  s === 'error' ? 'error' : s === 'warn' ? 'warning' : 'note';

/** A URI reference for a path: percent-encodes what a URI cannot hold, keeps `/`. */
function toUri(path: string): string {
  if (/^[a-z]+:\/\//i.test(path)) return path;
  return path.split('/').map(encodeURIComponent).join('/');
}

/** A suppression by a comment in the file itself, with the reason written after `--` when there is one. */
function inSource(justification: string): { kind: 'inSource'; justification?: string } {
  return justification === '' ? { kind: 'inSource' } : { kind: 'inSource', justification };
}

export const sarifReporter: Reporter = (results, { cwd, rules, version }) => {
  const ruleIndex = new Map(rules.map((rule, index) => [rule.meta.id, index]));
  const driverRules = rules.map((rule) => ({
    id: rule.meta.id,
    name: rule.meta.id.replace(/(^|[-/])([a-z])/g, (_, _sep: string, c: string) => c.toUpperCase()),
    shortDescription: { text: rule.meta.description },
    fullDescription: { text: rule.meta.description },
    help: {
      text: `${rule.meta.description} See docs/rules/${rule.meta.id}.md.`,
      markdown: `${rule.meta.description} See [docs/rules/${rule.meta.id}.md](docs/rules/${rule.meta.id}.md).`,
    },
    defaultConfiguration: {
      level: level(rule.meta.defaultSeverity),
      enabled: rule.meta.defaultSeverity !== 'off',
    },
    properties: { tags: ['prometheus', 'scrapelint'] },
  }));
  const sarifResults: unknown[] = [];
  for (const result of results) {
    const path = repoPath(result.filePath, cwd);
    const seen = new Map<string, number>();
    // One sequence in file order, so that a finding's occurrence number (in its fingerprint) does not depend on
    // which of the findings before it are suppressed.
    const suppressed = new Set(result.suppressedMessages);
    const all: LintMessage[] = [...result.messages, ...result.suppressedMessages].sort(byPosition);
    for (const m of all) {
      const base = createHash('sha256')
        .update(`${m.ruleId}\0${path}\0${m.message}`)
        .digest('hex')
        .slice(0, 32);
      const occurrence = (seen.get(base) ?? 0) + 1;
      seen.set(base, occurrence);
      const index = ruleIndex.get(m.ruleId);
      sarifResults.push({
        ruleId: m.ruleId,
        ...(index === undefined ? {} : { ruleIndex: index }),
        level: level(m.severity),
        message: { text: m.message },
        locations: [
          {
            physicalLocation: {
              artifactLocation: {
                uri: toUri(path),
                ...(path.startsWith('/') || path.includes('://') ? {} : { uriBaseId: '%SRCROOT%' }),
              },
              region: {
                startLine: m.line,
                startColumn: m.column,
                endLine: m.endLine,
                endColumn: Math.max(m.endColumn, m.column),
              },
            },
          },
        ],
        partialFingerprints: { 'scrapelintFinding/v1': `${base}:${occurrence}` },
        ...(suppressed.has(m) ? { suppressions: [inSource(m.suppressedBy?.justification ?? '')] } : {}),
      });
    }
  }
  const log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'scrapelint',
            version,
            semanticVersion: version,
            informationUri: 'https://prometheus.io/docs/practices/pushing/',
            rules: driverRules,
          },
        },
        originalUriBaseIds: {
          '%SRCROOT%': {
            uri: `${toUri(cwd.split('\\').join('/')).replace(/\/?$/, '/')}`.replace(/^(?!file:)/, 'file://'),
          },
        },
        results: sarifResults,
        columnKind: 'utf16CodeUnits',
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
};
