import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lintConfigText } from '../config-engine.js';
import type { FileResult, LintMessage } from '../types.js';
import { detectKind } from './detect.js';

/** `line:column-endLine:endColumn ruleId` and the outer text the finding covers (single-line findings). */
function shown(text: string, result: FileResult): string[] {
  const lines = text.split('\n');
  return result.messages.map((m: LintMessage) => {
    const covered =
      m.line === m.endLine ? ` "${(lines[m.line - 1] ?? '').slice(m.column - 1, m.endColumn - 1)}"` : '';
    return `${m.line}:${m.column}-${m.endLine}:${m.endColumn} ${m.ruleId}${covered}`;
  });
}

const service = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: prometheus\n';

const pushgatewayJob = (indent: string): string =>
  [
    'global:',
    '  scrape_interval: 30s',
    '',
    'scrape_configs:',
    '  - job_name: pushgateway',
    '    honor_labels: true',
    '    static_configs:',
    '      - targets: [pushgateway:9091]',
  ]
    .map((l) => (l === '' ? '' : indent + l))
    .join('\n');

const configMap = (header: string, body: string, key = 'prometheus.yml'): string =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: prometheus-config\ndata:\n  ${key}: ${header}\n${body}\n`;

describe('Prometheus configurations inside ConfigMaps', () => {
  it('lints a literal block of a multi-document file, with exact positions in the outer file', () => {
    const text = `${service}---\n${configMap('|', pushgatewayJob('    '))}`;
    expect(detectKind('k8s/prometheus.yaml', text)).toBe('config');
    const result = lintConfigText(text, 'k8s/prometheus.yaml');
    // The job name stands on outer line 16 (`      - job_name: pushgateway`): column 15 of the block + 4.
    expect(shown(text, result)).toEqual([
      '16:19-16:30 honor-timestamps "pushgateway"',
      '16:19-16:30 missing-sample-limit "pushgateway"',
      '16:19-16:30 missing-up-series "pushgateway"',
      '16:19-16:30 single-massive-target "pushgateway"',
    ]);
    expect(result.model.recognized).toBe(true);
    expect(result.model.embedded.map((e) => [e.key, e.configMap, e.block])).toEqual([
      ['prometheus.yml', 'prometheus-config', { firstLine: 12, indent: 4 }],
    ]);
  });

  it('keeps exact positions with |- chomping, an explicit indentation indicator, deeper indentation and CRLF', () => {
    const deep = configMap('|-', pushgatewayJob('      ')).replace('  prometheus.yml', '    prometheus.yml');
    expect(shown(deep, lintConfigText(deep, 'c.yaml'))[0]).toBe('11:21-11:32 honor-timestamps "pushgateway"');
    const indicator = configMap('|2', `     # indented one more than the block\n${pushgatewayJob('    ')}`);
    expect(shown(indicator, lintConfigText(indicator, 'c.yaml'))[0]).toBe(
      '12:19-12:30 honor-timestamps "pushgateway"',
    );
    const crlf = configMap('|', pushgatewayJob('    ')).replace(/\n/g, '\r\n');
    expect(shown(crlf.replace(/\r/g, ''), lintConfigText(crlf, 'c.yaml'))[0]).toBe(
      '11:19-11:30 honor-timestamps "pushgateway"',
    );
  });

  it('maps a YAML error and a wrong type inside the block', () => {
    const text = configMap('|', '    global:\n      scrape_interval: [1m]\n    scrape_configs: [\n');
    const result = lintConfigText(text, 'c.yaml');
    expect(result.messages.map((m) => `${m.line}:${m.column} ${m.ruleId}`)).toEqual([
      '10:5 parse-error', // the end of the embedded text, where the yaml package reports the unclosed [
    ]);
    const typed = configMap('|', '    global:\n      scrape_interval: [1m]\n');
    expect(shown(typed, lintConfigText(typed, 'c.yaml'))).toEqual(['8:24-8:28 parse-error "[1m]"']);
  });

  it('honours suppression comments inside the embedded text, and reports unused ones there', () => {
    const body = pushgatewayJob('    ').replace(
      '    scrape_configs:\n',
      '    # scrapelint disable missing-sample-limit, honor-timestamps -- batch jobs only\n    scrape_configs:\n    # scrapelint disable-next-line missing-up-series, single-massive-target -- see above\n',
    );
    const text = `${configMap('|', `${body}\n    # scrapelint disable-next-line scrape-timeout -- nothing here`)}`;
    const result = lintConfigText(text, 'c.yaml');
    expect(shown(text, result)).toEqual([
      '17:5-17:66 unused-suppression "# scrapelint disable-next-line scrape-timeout -- nothing here"',
    ]);
    expect(result.suppressedMessages.map((m) => `${m.line}:${m.column} ${m.ruleId}`)).toEqual([
      '13:19 honor-timestamps',
      '13:19 missing-sample-limit',
      '13:19 missing-up-series',
      '13:19 single-massive-target',
    ]);
  });

  it("an embedded `disable` covers only its configuration; the outer file's comments cover everything", () => {
    const monitor =
      'apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata:\n  name: exposer\nspec:\n  endpoints:\n    - port: http\n';
    const inner = `    # scrapelint disable single-massive-target -- the ConfigMap's job only\n${pushgatewayJob('    ')}`;
    const text = `${monitor}---\n${configMap('|', inner)}`;
    const rules = (r: FileResult): string[] => r.messages.map((m) => `${m.line} ${m.ruleId}`);
    expect(rules(lintConfigText(text, 'c.yaml')).filter((s) => s.endsWith('single-massive-target'))).toEqual([
      '4 single-massive-target',
    ]);
    const outer = `# scrapelint disable single-massive-target -- the whole file\n${monitor}---\n${configMap('|', pushgatewayJob('    '))}`;
    const result = lintConfigText(outer, 'c.yaml');
    expect(rules(result).filter((s) => s.endsWith('single-massive-target'))).toEqual([]);
    expect(result.suppressedMessages.map((m) => `${m.line} ${m.ruleId}`)).toEqual([
      '5 single-massive-target',
      '20 single-massive-target',
    ]);
  });

  it('points at the key, and says so, when the scalar is folded or quoted', () => {
    const folded = configMap('>', pushgatewayJob('    ').replace('    global:', '    global: {}\n    # x'));
    const foldedResult = lintConfigText(folded, 'c.yaml');
    expect(foldedResult.messages.length).toBeGreaterThan(0);
    for (const m of foldedResult.messages) {
      expect(`${m.line}:${m.column}-${m.endLine}:${m.endColumn}`).toBe('6:3-6:17');
      expect(m.message).toContain('of prometheus.yml in ConfigMap prometheus-config');
      expect(m.message).toContain('cannot be mapped exactly into a folded (>) block scalar');
    }
    const quoted = configMap(
      JSON.stringify(
        'scrape_configs:\n  - job_name: pushgateway\n    honor_labels: true\n    static_configs: [{targets: [pg:9091]}]\n',
      ),
      '',
    );
    expect(detectKind('c.yaml', quoted)).toBe('config');
    expect(detectKind('c.yaml', folded)).toBe('config');
    const quotedResult = lintConfigText(quoted, 'c.yaml');
    expect(shown(quoted, quotedResult)).toContain('6:3-6:17 single-massive-target "prometheus.yml"');
    expect(quotedResult.messages[0]?.message).toContain('at line 2:15 of prometheus.yml');
    expect(quotedResult.messages[0]?.message).toContain('a quoted or plain scalar');
  });

  it('finds ConfigMaps in a kind: List, and several keys', () => {
    const job =
      'scrape_configs:\n        - job_name: pushgateway\n          static_configs: [{targets: [pg:9091]}]';
    const text = `apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: a}\n    data:\n      a.yml: |\n        ${job}\n      b.yaml: |\n        ${job}\n`;
    expect(detectKind('list.yaml', text)).toBe('config');
    const result = lintConfigText(text, 'list.yaml');
    expect(
      result.messages.filter((m) => m.ruleId === 'single-massive-target').map((m) => `${m.line}:${m.column}`),
    ).toEqual(['10:21', '14:21']);
  });

  it('leaves other ConfigMaps and other data alone', () => {
    const plain = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\ndata:\n  LOG_LEVEL: info\n';
    const otherYaml = 'apiVersion: v1\nkind: ConfigMap\ndata:\n  app.yml: |\n    server:\n      port: 8080\n';
    const notYamlKey =
      'apiVersion: v1\nkind: ConfigMap\ndata:\n  prometheus.conf: |\n    scrape_configs: []\n';
    for (const text of [plain, otherYaml, notYamlKey]) {
      expect(detectKind('cm.yaml', text)).toBeUndefined();
      const result = lintConfigText(text, 'cm.yaml');
      expect(result.messages).toEqual([]);
      expect(result.model.embedded).toEqual([]);
      expect(result.model.recognized).toBe(false);
    }
  });

  it('does not unpack ConfigMaps inside an embedded configuration', () => {
    const nested = configMap(
      '|',
      '    kind: ConfigMap\n    global: {}\n    data:\n      x.yml: "scrape_configs: [}"\n',
    );
    const result = lintConfigText(nested, 'c.yaml');
    expect(result.model.embedded).toHaveLength(1);
    expect(result.messages.filter((m) => m.ruleId === 'parse-error')).toEqual([]);
  });
});

describe('positions of embedded findings (property)', () => {
  it('point at the job name in the outer text, whatever the indentation, header, blank lines, comments and line ends', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 1, max: 6 }),
        fc.constantFrom('|', '|-', '|+', '| # the config'),
        fc.array(fc.constantFrom('', '# a comment', '# scrapelint is great'), { maxLength: 3 }),
        fc.boolean(),
        (documents, extra, header, before, crlf) => {
          const keyIndent = '  ';
          const indent = keyIndent + ' '.repeat(extra);
          const body = [
            ...before,
            'scrape_configs:',
            '  - job_name: pushgateway',
            '    static_configs: [{targets: [pg:9091]}]',
          ]
            .map((l) => (l === '' ? '' : indent + l))
            .join('\n');
          const lf = `${`${service}---\n`.repeat(documents)}${configMap(header, body)}`;
          const text = crlf ? lf.replace(/\n/g, '\r\n') : lf;
          const found = lintConfigText(text, 'c.yaml').messages.filter(
            (m) => m.ruleId === 'single-massive-target',
          );
          expect(found).toHaveLength(1);
          expect(shown(lf, { ...lintConfigText(text, 'c.yaml'), messages: found })[0]).toMatch(
            / "pushgateway"$/,
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("Secrets: the operator's additionalScrapeConfigs", () => {
  const additional =
    "- job_name: pushgateway\n  honor_labels: true\n  static_configs:\n  - targets: ['pg:9091']\n";
  const secret = (data: string): string =>
    `apiVersion: v1\nkind: Secret\nmetadata:\n  name: additional-scrape-configs\n${data}`;

  it('decodes a base64 data value and reports its findings at the key, saying where inside they are', () => {
    const text = secret(
      `data:\n  prometheus-additional.yaml: ${Buffer.from(additional).toString('base64')}\n`,
    );
    expect(detectKind('additional-scrape-configs.yaml', text)).toBe('config');
    const result = lintConfigText(text, 'additional-scrape-configs.yaml');
    expect(result.model.recognized).toBe(true);
    expect(shown(text, result)).toEqual([
      '6:3-6:29 honor-timestamps "prometheus-additional.yaml"',
      '6:3-6:29 missing-sample-limit "prometheus-additional.yaml"',
      '6:3-6:29 missing-up-series "prometheus-additional.yaml"',
      '6:3-6:29 single-massive-target "prometheus-additional.yaml"',
    ]);
    for (const m of result.messages) {
      expect(m.message).toContain(
        '(at line 1:13 of prometheus-additional.yaml in Secret additional-scrape-configs; the position cannot be mapped exactly into a base64-encoded Secret value)',
      );
    }
  });

  it('maps stringData literal blocks exactly, as a ConfigMap', () => {
    const body = additional
      .trimEnd()
      .split('\n')
      .map((l) => `    ${l}`)
      .join('\n');
    const text = secret(`stringData:\n  prometheus-additional.yaml: |\n${body}\n`);
    expect(shown(text, lintConfigText(text, 's.yaml'))).toEqual([
      '7:17-7:28 honor-timestamps "pushgateway"',
      '7:17-7:28 missing-sample-limit "pushgateway"',
      '7:17-7:28 missing-up-series "pushgateway"',
      '7:17-7:28 single-massive-target "pushgateway"',
    ]);
  });

  it('leaves other Secrets alone: not base64, not text, or not a configuration', () => {
    for (const data of [
      'data:\n  x.yaml: "%%%%"\n',
      `data:\n  x.yaml: ${Buffer.from([0xff, 0xfe, 0x00, 0x80]).toString('base64')}\n`,
      `data:\n  x.yaml: ${Buffer.from('password: hunter2\n').toString('base64')}\n`,
      `data:\n  token: ${Buffer.from(additional).toString('base64')}\n`,
    ]) {
      const result = lintConfigText(secret(data), 's.yaml');
      expect(result.model.recognized).toBe(false);
      expect(result.messages).toEqual([]);
    }
  });
});
