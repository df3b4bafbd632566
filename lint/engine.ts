/**
 * The engine: resolves which rules run with which severity and options, runs their visitors over a source's
 * model (or, for expositions, over the parser's event stream), fills message templates, applies suppression
 * comments and places every finding at 1-based line:column.
 * Data flows one way: file -> source -> rules -> findings -> reporter.
 */
import type { z } from 'zod';
import type {
  DocsModel,
  FileResult,
  Finding,
  LintMessage,
  ReportDescriptor,
  Rule,
  Severity,
  SourceKind,
} from './types.js';
import { configError } from './errors.js';
import { formatMessage } from './messages.js';
import { LineIndex, locateOnLine } from './positions.js';
import type { Location } from './positions.js';
import { rules as registry } from './rules/index.js';
import type { ConfiguredRule } from './sources/exposition.js';
import {
  parseCommentDirective,
  parseMarkdownDirectives,
  silences,
  StreamedDirectives,
} from './suppressions.js';
import type { Directive } from './suppressions.js';

export const UNUSED_SUPPRESSION = 'unused-suppression';

/** A rule's setting from `.scrapelintrc.yaml` or `--rule`. */
export interface RuleSetting {
  readonly severity?: Severity;
  readonly options?: unknown;
}

export interface LintSettings {
  readonly rules?: Readonly<Record<string, RuleSetting>>;
  /** Turns the `hygiene/*` rules on (they are off unless this or their own setting says otherwise). */
  readonly hygiene?: boolean;
}

export interface ResolvedRule extends ConfiguredRule {
  readonly rule: Rule;
}

export function findRule(id: string, list: readonly Rule[] = registry): Rule | undefined {
  return list.find((rule) => rule.meta.id === id);
}

/** The severity a rule runs with when nothing but `--hygiene` is said about it. */
export function defaultSeverity(rule: Rule, hygiene: boolean): Severity {
  if (rule.meta.id.startsWith('hygiene/')) {
    if (!hygiene) return 'off';
    return rule.meta.defaultSeverity === 'off' ? 'warn' : rule.meta.defaultSeverity;
  }
  return rule.meta.defaultSeverity;
}

export function describeZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message}`)
    .join('; ');
}

/** Checks settings against the registry: unknown rule ids and invalid options are configuration errors. */
export function validateSettings(
  settings: LintSettings,
  origin: string,
  list: readonly Rule[] = registry,
): void {
  for (const [id, setting] of Object.entries(settings.rules ?? {})) {
    const rule = findRule(id, list);
    if (rule === undefined)
      throw configError(`${origin}: unknown rule "${id}" (scrapelint rules lists them)`);
    if (setting.options !== undefined) {
      const parsed = rule.meta.schema.safeParse(setting.options);
      if (!parsed.success)
        throw configError(`${origin}: invalid options for rule ${id}: ${describeZodError(parsed.error)}`);
    }
  }
}

/** The enabled rules for one kind of input, with validated options. */
export function resolveRules(
  settings: LintSettings,
  kind: SourceKind,
  list: readonly Rule[] = registry,
): ResolvedRule[] {
  const resolved: ResolvedRule[] = [];
  for (const rule of list) {
    if (!rule.meta.appliesTo.includes(kind)) continue;
    const setting = settings.rules?.[rule.meta.id];
    const severity = setting?.severity ?? defaultSeverity(rule, settings.hygiene ?? false);
    if (severity === 'off') continue;
    const parsed = rule.meta.schema.safeParse(setting?.options ?? {});
    if (!parsed.success) {
      throw configError(`invalid options for rule ${rule.meta.id}: ${describeZodError(parsed.error)}`);
    }
    resolved.push({ rule, severity, options: parsed.data });
  }
  return resolved;
}

function findingFrom(
  rule: Rule,
  severity: Exclude<Severity, 'off'>,
  filePath: string,
  d: ReportDescriptor,
): Finding {
  const template = rule.meta.messages[d.messageId];
  if (template === undefined)
    throw new Error(`rule ${rule.meta.id} reported unknown messageId "${d.messageId}"`);
  return {
    ruleId: rule.meta.id,
    messageId: d.messageId,
    severity: d.severity ?? severity,
    message: formatMessage(template, d.data),
    filePath,
    range: d.range,
    ...(d.at === undefined ? {} : { at: d.at }),
  };
}

export function place(finding: Finding, index: LineIndex | undefined): LintMessage {
  const location: Location =
    finding.at !== undefined
      ? locateOnLine(finding.range, finding.at)
      : (index?.locate(finding.range) ?? { line: 1, column: 1, endLine: 1, endColumn: 1 });
  return {
    ruleId: finding.ruleId,
    messageId: finding.messageId,
    severity: finding.severity,
    message: finding.message,
    ...location,
  };
}

/** Findings in file order (line, column, rule id). */
export const byPosition = (a: LintMessage, b: LintMessage): number =>
  a.line - b.line || a.column - b.column || a.ruleId.localeCompare(b.ruleId);

export function fileResult(
  filePath: string,
  kind: SourceKind,
  messages: readonly LintMessage[],
  suppressedMessages: readonly LintMessage[] = [],
): FileResult {
  const sorted = [...messages].sort(byPosition);
  return {
    filePath,
    kind,
    messages: sorted,
    suppressedMessages: [...suppressedMessages].sort(byPosition),
    errorCount: sorted.filter((m) => m.severity === 'error').length,
    warningCount: sorted.filter((m) => m.severity === 'warn').length,
  };
}

/** Runs `visit` for each rule, turning a rule's crash into an error that names it. */
export function runRules(
  resolved: readonly ResolvedRule[],
  filePath: string,
  kind: SourceKind,
  visit: (visitor: ReturnType<Rule['create']>) => void,
  /** The file's directives and line table, for the rules' `context.isSuppressed` (none: nothing is). */
  suppression?: { readonly directives: StreamedDirectives; readonly index: LineIndex },
): Finding[] {
  const findings: Finding[] = [];
  for (const { rule, severity, options } of resolved) {
    const ruleId = rule.meta.id;
    try {
      const visitor = rule.create({
        options,
        filePath,
        sourceKind: kind,
        report: (d) => findings.push(findingFrom(rule, severity, filePath, d)),
        isSuppressed: (range, at) =>
          suppression !== undefined &&
          suppression.directives.size > 0 &&
          suppression.directives.silence(ruleId, at?.line ?? suppression.index.position(range.start).line),
      });
      visit(visitor);
    } catch (error) {
      throw new Error(`rule ${rule.meta.id} failed on ${filePath}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  return findings;
}

/** The unused-suppression rule (when among `list`) and the severity it runs with. */
function unusedSuppression(
  settings: LintSettings,
  list: readonly Rule[],
): { rule: Rule | undefined; severity: Severity } {
  const rule = findRule(UNUSED_SUPPRESSION, list);
  const severity = rule
    ? (settings.rules?.[UNUSED_SUPPRESSION]?.severity ?? rule.meta.defaultSeverity)
    : 'off';
  return { rule, severity };
}

/** Splits placed findings into reported and suppressed ones and reports unused or unknown directives. */
export function applyDirectives(
  messages: readonly LintMessage[],
  directives: readonly Directive[],
  /** The file's line table; undefined for streamed input, whose directives carry their `lineStart`. */
  index: LineIndex | undefined,
  settings: LintSettings,
  list: readonly Rule[] = registry,
  /** Directives already known to have silenced a finding (streamed input: findings past the cap are dropped). */
  alreadyUsed: ReadonlySet<Directive> = new Set(),
): { messages: LintMessage[]; suppressed: LintMessage[] } {
  if (directives.length === 0) return { messages: [...messages], suppressed: [] };
  const kept: LintMessage[] = [];
  const suppressed: LintMessage[] = [];
  const used = new Set<Directive>(alreadyUsed);
  for (const message of messages) {
    const directive = directives.find((d) => silences(d, message.ruleId, message.line));
    if (directive === undefined) kept.push(message);
    else {
      used.add(directive);
      suppressed.push({ ...message, suppressedBy: { justification: directive.justification } });
    }
  }
  const { rule: unusedRule, severity } = unusedSuppression(settings, list);
  if (unusedRule && severity !== 'off') {
    const report = (
      messageId: string,
      data: Record<string, string>,
      range: { start: number; end: number },
      at: Directive,
    ): void => {
      const descriptor =
        at.lineStart === undefined
          ? { messageId, data, range }
          : { messageId, data, range, at: { line: at.line, lineStart: at.lineStart } };
      kept.push(place(findingFrom(unusedRule, severity, '', descriptor), index));
    };
    for (const directive of directives) {
      let unknown = 0;
      directive.ruleIds.forEach((id, i) => {
        if (findRule(id, list) === undefined && findRule(id) === undefined) {
          unknown++;
          report('unknownRule', { ruleId: id }, directive.idRanges[i] ?? directive.range, directive);
        }
      });
      // A directive that names only unknown rules is reported once, as such.
      if (!used.has(directive) && (unknown === 0 || unknown < directive.ruleIds.length)) {
        const what = directive.ruleIds.length > 0 ? directive.ruleIds.join(', ') : 'all rules';
        report(
          directive.kind === 'disable' ? 'unusedFile' : 'unused',
          { rules: what },
          directive.range,
          directive,
        );
      }
    }
  }
  return { messages: kept, suppressed };
}

/** Lints a docs model (Markdown with mermaid flowcharts) already parsed. */
export function lintDocsModel(
  model: DocsModel,
  settings: LintSettings = {},
  list: readonly Rule[] = registry,
): FileResult {
  const resolved = resolveRules(settings, 'docs', list);
  const index = new LineIndex(model.text);
  const directives = StreamedDirectives.of(parseMarkdownDirectives(model.text));
  const findings = runRules(resolved, model.filePath, 'docs', (visitor) => visitor.docs?.(model), {
    directives,
    index,
  });
  const placed = findings.map((f) => place(f, index));
  const { messages, suppressed } = applyDirectives(
    placed,
    directives.list,
    index,
    settings,
    list,
    directives.used,
  );
  return fileResult(model.filePath, 'docs', messages, suppressed);
}

/** A YAML or Markdown file that could not be read as such. */
export function lintSourceError(
  text: string,
  filePath: string,
  kind: SourceKind,
  problem: { message: string; range: { start: number; end: number } },
  settings: LintSettings = {},
  list: readonly Rule[] = registry,
): FileResult {
  const findings = runRules(resolveRules(settings, kind, list), filePath, kind, (v) =>
    v.sourceError?.(problem),
  );
  const index = new LineIndex(text);
  return fileResult(
    filePath,
    kind,
    findings.map((f) => place(f, index)),
  );
}

export interface ExpositionInputOptions {
  readonly filePath: string;
  readonly contentType?: string;
  /** The body's size in bytes when known (a file, a redirected stdin): the parser sizes its tables for it. */
  readonly sizeHint?: number;
  readonly settings?: LintSettings;
  readonly maxFindingsPerRule?: number;
  /** The rules to choose from (default: all registered). */
  readonly rules?: readonly Rule[];
}

/**
 * Suppression directives honoured per exposition; more are counted and reported once (a file of directives must
 * not grow memory without bound).
 */
export const MAX_EXPOSITION_DIRECTIVES = 1000;

/** Streams an exposition through the parser and the enabled rules; never holds the whole body. */
export async function lintExpositionStream(
  input: AsyncIterable<Buffer | string>,
  options: ExpositionInputOptions,
): Promise<FileResult> {
  const settings = options.settings ?? {};
  const list = options.rules ?? registry;
  const resolved = resolveRules(settings, 'exposition', list);
  // Loaded on first use: config and docs linting do not need the exposition parser.
  const { lintExposition, RuleOptionsError } = await import('./sources/exposition.js');
  // Directives arrive as comment events (text 0.0.4): the whole-file ones may come after the findings they
  // silence, so they are applied once the stream has ended, to the (bounded) findings kept by then. Those seen
  // before a finding tell the source to keep it apart from the rule's cap of shown findings.
  const directives = new StreamedDirectives();
  let extraDirectives: Directive | undefined;
  let extraCount = 0;
  try {
    const { findings } = await lintExposition(input, {
      filePath: options.filePath,
      rules: resolved,
      ...(options.contentType === undefined ? {} : { contentType: options.contentType }),
      ...(options.sizeHint === undefined ? {} : { sizeHint: options.sizeHint }),
      ...(options.maxFindingsPerRule === undefined ? {} : { maxFindingsPerRule: options.maxFindingsPerRule }),
      // duplicate-series needs identities; without it, keep memory flat.
      trackDuplicates: resolved.some((r) => r.rule.meta.id === 'duplicate-series'),
      isSuppressed: (ruleId, line) => directives.size > 0 && directives.silence(ruleId, line),
      onComment(comment) {
        if (!comment.text.includes('scrapelint')) return;
        const directive = parseCommentDirective(comment);
        if (directive === undefined) return;
        if (directives.size < MAX_EXPOSITION_DIRECTIVES) directives.add(directive);
        else {
          extraDirectives ??= directive;
          extraCount++;
        }
      },
    });
    const placed = findings.map((f) => place(f, undefined));
    const { messages, suppressed } = applyDirectives(
      placed,
      directives.list,
      undefined,
      settings,
      list,
      directives.used,
    );
    const { rule: unusedRule, severity: unusedSeverity } = unusedSuppression(settings, list);
    if (extraDirectives !== undefined && unusedRule !== undefined && unusedSeverity !== 'off') {
      const first = extraDirectives;
      const finding = findingFrom(unusedRule, unusedSeverity, options.filePath, {
        messageId: 'tooMany',
        data: { count: extraCount, max: MAX_EXPOSITION_DIRECTIVES },
        range: first.range,
        at: { line: first.line, lineStart: first.lineStart ?? 0 },
      });
      messages.push(place(finding, undefined));
    }
    return fileResult(options.filePath, 'exposition', messages, suppressed);
  } catch (error) {
    if (error instanceof RuleOptionsError) throw configError(error.message);
    throw error;
  }
}
