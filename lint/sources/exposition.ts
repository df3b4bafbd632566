/**
 * The exposition source: streams a body (file, stdin, HTTP response) through the exposition parser and hands
 * every event to the rules' visitors, without ever holding the whole body. Two ways in:
 * - the engine builds an `ExpositionSink` from its enabled rules and passes it as `sink` (lint/types.ts);
 * - callers without an engine (tests, scripts) pass `rules` and get the findings back.
 * Findings are bounded: at most `maxFindingsPerRule` per rule, then one closing finding that counts the rest.
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { ExpositionParser } from '../../exposition/index.js';
import type {
  Diagnostic,
  FactEvent,
  Format,
  MetadataEvent,
  ParseEvent,
  ParseSummary,
  SampleEvent,
} from '../../exposition/types.js';
import type { ExpositionSink, Finding } from '../types.js';
import { bindRule } from './configured-rule.js';
import { fetchExposition } from './fetch.js';
import type { FetchOptions } from './fetch.js';
import type { ConfiguredRule } from './configured-rule.js';

export { RuleOptionsError } from './configured-rule.js';
export type { ConfiguredRule } from './configured-rule.js';

export interface LintExpositionOptions {
  /** Shown in findings: a path, a URL or `<stdin>`. */
  readonly filePath: string;
  /** The HTTP Content-Type of a fetched body. */
  readonly contentType?: string;
  /** Forces the format (else from contentType, else detected). */
  readonly format?: Format;
  /** Rules to run; their findings come back in the result. */
  readonly rules?: readonly ConfiguredRule[];
  /** A sink built by the engine, fed every event and the summary (see lint/types.ts `ExpositionSink`). */
  readonly sink?: ExpositionSink;
  /** Findings kept per rule before the rest are only counted. Default 100. */
  readonly maxFindingsPerRule?: number;
  /** Whether the parser tracks series identities for duplicate-series facts. Default true. */
  readonly trackDuplicates?: boolean;
}

export interface ExpositionLintResult {
  /** In report order; each capped rule ends with one `truncated` finding that counts what was left out. */
  readonly findings: Finding[];
  readonly summary: ParseSummary;
}

export const DEFAULT_MAX_FINDINGS_PER_RULE = 100;
/** The messageId of the closing "and N more" finding of a capped rule. */
export const TRUNCATED_MESSAGE_ID = 'truncated';

type Visit<E> = (event: E) => void;

/**
 * Builds a sink that dispatches events to the visitors of `rules` and collects their findings (bounded).
 * Exported so that an engine can reuse it; `lintExposition` uses it when given `rules`.
 */
export function createRuleSink(
  rules: readonly ConfiguredRule[],
  {
    filePath,
    maxFindingsPerRule = DEFAULT_MAX_FINDINGS_PER_RULE,
  }: { filePath: string; maxFindingsPerRule?: number },
): { sink: ExpositionSink; findings(): Finding[] } {
  const findings: Finding[] = [];
  const closing: Finding[] = [];
  const onSample: Visit<Extract<ParseEvent, { kind: 'sample' }>>[] = [];
  const onMetadata: Visit<Extract<ParseEvent, { kind: 'help' | 'type' | 'unit' }>>[] = [];
  const onFact: Visit<Extract<ParseEvent, { kind: 'fact' }>>[] = [];
  const onDiagnostic: Visit<Extract<ParseEvent, { kind: 'diagnostic' }>>[] = [];
  const onEnd: Visit<ParseSummary>[] = [];
  const omittedByRule: { ruleId: string; count: number; first: Finding | undefined }[] = [];

  for (const configured of rules) {
    const ruleId = configured.rule.meta.id;
    const omitted: { ruleId: string; count: number; first: Finding | undefined } = {
      ruleId,
      count: 0,
      first: undefined,
    };
    omittedByRule.push(omitted);
    let kept = 0;
    const visitor = bindRule(configured, filePath, 'exposition', (finding) => {
      if (kept < maxFindingsPerRule) {
        kept++;
        findings.push(finding);
      } else {
        omitted.count++;
        omitted.first ??= finding;
      }
    });
    const guard = <E>(visit: ((event: E) => void) | undefined): Visit<E> | undefined =>
      visit === undefined
        ? undefined
        : (event: E): void => {
            try {
              visit.call(visitor, event);
            } catch (error) {
              const detail = error instanceof Error ? error.message : String(error);
              throw new Error(`rule ${ruleId} failed: ${detail}`, { cause: error });
            }
          };
    const sample = guard<SampleEvent>(visitor.sample?.bind(visitor));
    const metadata = guard<MetadataEvent>(visitor.metadata?.bind(visitor));
    const fact = guard<FactEvent>(visitor.fact?.bind(visitor));
    const diagnostic = guard<Diagnostic>(visitor.diagnostic?.bind(visitor));
    const end = guard<ParseSummary>(visitor.expositionEnd?.bind(visitor));
    if (sample) onSample.push(sample);
    if (metadata) onMetadata.push(metadata);
    if (fact) onFact.push(fact);
    if (diagnostic) onDiagnostic.push(diagnostic);
    if (end) onEnd.push(end);
  }

  const sink: ExpositionSink = {
    event(event) {
      switch (event.kind) {
        case 'sample':
          for (const visit of onSample) visit(event);
          break;
        case 'help':
        case 'type':
        case 'unit':
          for (const visit of onMetadata) visit(event);
          break;
        case 'fact':
          for (const visit of onFact) visit(event);
          break;
        case 'diagnostic':
          for (const visit of onDiagnostic) visit(event);
          break;
        case 'comment':
          break;
      }
    },
    end(summary) {
      for (const visit of onEnd) visit(summary);
      // Findings reported at the end (summaries) may also overflow: count them before closing.
      for (const omitted of omittedByRule) {
        if (omitted.count === 0 || omitted.first === undefined) continue;
        const first = omitted.first;
        closing.push({
          ruleId: omitted.ruleId,
          messageId: TRUNCATED_MESSAGE_ID,
          severity: first.severity,
          message: `and ${omitted.count} more ${omitted.count === 1 ? 'finding' : 'findings'} of ${omitted.ruleId} (only the first ${maxFindingsPerRule} are listed)`,
          filePath,
          range: first.range,
          ...(first.at === undefined ? {} : { at: first.at }),
        });
      }
    },
  };
  return { sink, findings: () => [...findings, ...closing] };
}

/**
 * Parses `input` chunk by chunk, feeding the rules (and/or the engine's sink) as events arrive. Errors of the
 * input itself (unreadable file, failed fetch) reject the promise unchanged; parse problems are diagnostics.
 */
export async function lintExposition(
  input: AsyncIterable<Buffer | string>,
  options: LintExpositionOptions,
): Promise<ExpositionLintResult> {
  const ruleSink =
    options.rules === undefined || options.rules.length === 0
      ? undefined
      : createRuleSink(options.rules, {
          filePath: options.filePath,
          ...(options.maxFindingsPerRule === undefined
            ? {}
            : { maxFindingsPerRule: options.maxFindingsPerRule }),
        });
  const sinks = [ruleSink?.sink, options.sink].filter((sink): sink is ExpositionSink => sink !== undefined);
  const onEvent =
    sinks.length === 1 && sinks[0] !== undefined
      ? sinks[0].event.bind(sinks[0])
      : (event: ParseEvent): void => {
          for (const sink of sinks) sink.event(event);
        };
  const parser = new ExpositionParser(
    {
      ...(options.format === undefined ? {} : { format: options.format }),
      ...(options.contentType === undefined ? {} : { contentType: options.contentType }),
      ...(options.trackDuplicates === undefined ? {} : { trackDuplicates: options.trackDuplicates }),
    },
    onEvent,
  );
  for await (const chunk of input) parser.write(chunk);
  const summary = parser.end();
  for (const sink of sinks) sink.end(summary);
  return { findings: ruleSink?.findings() ?? [], summary };
}

export type LintUrlOptions = FetchOptions &
  Omit<LintExpositionOptions, 'filePath' | 'contentType'> & {
    /** Shown in findings; defaults to the URL. */
    readonly filePath?: string;
  };

/** Fetches `url` as Prometheus would scrape it (lint/sources/fetch.ts) and lints the body as it streams in. */
export async function lintUrl(url: string, options: LintUrlOptions = {}): Promise<ExpositionLintResult> {
  const fetched = await fetchExposition(url, options);
  return lintExposition(fetched.body, {
    ...options,
    filePath: options.filePath ?? url,
    contentType: fetched.contentType,
  });
}

/** A file as a stream of 64 KiB chunks (never read whole). */
export function readFileChunks(path: string): AsyncIterable<Buffer> {
  return createReadStream(path, { highWaterMark: 64 * 1024 }) as AsyncIterable<Buffer>;
}

/** Standard input as a stream of chunks (for `scrapelint metrics -`). */
export function readStdinChunks(
  stdin: NodeJS.ReadableStream = process.stdin,
): AsyncIterable<Buffer | string> {
  return stdin as AsyncIterable<Buffer | string>;
}

/** A string (or a few) as an input stream: for tests and for documentation examples. */
export function chunksOf(...parts: readonly string[]): AsyncIterable<string> {
  return Readable.from(parts, { objectMode: true }) as AsyncIterable<string>;
}
