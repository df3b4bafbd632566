/**
 * The exposition source: streams a body (file, stdin, HTTP response) through the exposition parser and hands
 * every event to the rules' visitors, without ever holding the whole body. Two ways in:
 * - the engine builds an `ExpositionSink` from its enabled rules and passes it as `sink` (lint/types.ts);
 * - callers without an engine (tests, scripts) pass `rules` and get the findings back.
 * Findings are bounded: at most `maxFindingsPerRule` per rule, then one closing finding that counts the rest. A
 * finding that a suppression comment already seen silences (`isSuppressed`) is kept apart, under a cap of its own:
 * a file with many suppressed findings of a rule never hides the ones it did not suppress.
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { ExpositionParser } from '../../exposition/index.js';
import type {
  CommentEvent,
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
import type { ConfiguredRule, SuppressionCheck } from './configured-rule.js';

export { RuleOptionsError } from './configured-rule.js';
export type { ConfiguredRule, SuppressionCheck } from './configured-rule.js';

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
  /** The body's size in bytes, when known: the parser allocates its duplicate table for it (ParseOptions). */
  readonly sizeHint?: number;
  /**
   * Called with each comment line (text 0.0.4 only: OpenMetrics has no free comments), e.g. to read suppression
   * directives. Comments are rare lines: this costs the sample path nothing.
   */
  readonly onComment?: (event: CommentEvent) => void;
  /**
   * Whether a suppression directive seen so far silences a finding of `ruleId` at `line` (1-based). Asked once per
   * finding, never per sample; silenced findings do not count toward the cap of the findings that are shown.
   */
  readonly isSuppressed?: SuppressionCheck;
}

export interface ExpositionLintResult {
  /**
   * In report order; each capped rule ends with one `truncated` finding that counts what was left out (and, when
   * suppressed findings overflowed their own cap, one that counts those, at a suppressed position).
   */
  readonly findings: Finding[];
  readonly summary: ParseSummary;
}

export const DEFAULT_MAX_FINDINGS_PER_RULE = 100;
/** The messageId of the closing "and N more" finding of a capped rule. */
export const TRUNCATED_MESSAGE_ID = 'truncated';

/**
 * The visitors of one event kind, called in rule order. Hot path (once per sample per rule): plain arrays, one
 * try per event; a visitor that throws is named in the error.
 */
class Dispatch<E> {
  readonly #visits: ((event: E) => void)[] = [];
  readonly #ruleIds: string[] = [];

  add(ruleId: string, visit: (event: E) => void): void {
    this.#visits.push(visit);
    this.#ruleIds.push(ruleId);
  }

  run(event: E): void {
    const visits = this.#visits;
    let i = 0;
    try {
      for (; i < visits.length; i++) (visits[i] as (event: E) => void)(event);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new Error(`rule ${this.#ruleIds[i] ?? '?'} failed: ${detail}`, { cause: error });
    }
  }
}

/** What a rule's cap left out: of its shown findings, or of those a suppression comment silenced. */
interface Omitted {
  readonly ruleId: string;
  readonly suppressed: boolean;
  count: number;
  first: Finding | undefined;
}

/**
 * Builds a sink that dispatches events to the visitors of `rules` and collects their findings (bounded).
 * Exported so that an engine can reuse it; `lintExposition` uses it when given `rules`.
 */
export function createRuleSink(
  rules: readonly ConfiguredRule[],
  {
    filePath,
    maxFindingsPerRule = DEFAULT_MAX_FINDINGS_PER_RULE,
    onComment,
    isSuppressed,
  }: {
    filePath: string;
    maxFindingsPerRule?: number;
    onComment?: (event: CommentEvent) => void;
    isSuppressed?: SuppressionCheck;
  },
): { sink: ExpositionSink; findings(): Finding[] } {
  const findings: Finding[] = [];
  const closing: Finding[] = [];
  const onSample = new Dispatch<SampleEvent>();
  const onMetadata = new Dispatch<MetadataEvent>();
  const onFact = new Dispatch<FactEvent>();
  const onDiagnostic = new Dispatch<Diagnostic>();
  const onEnd = new Dispatch<ParseSummary>();
  const omittedByRule: Omitted[] = [];

  for (const configured of rules) {
    const ruleId = configured.rule.meta.id;
    const omitted: Omitted = { ruleId, suppressed: false, count: 0, first: undefined };
    const omittedSuppressed: Omitted = { ruleId, suppressed: true, count: 0, first: undefined };
    omittedByRule.push(omitted, omittedSuppressed);
    let kept = 0;
    let keptSuppressed = 0;
    const visitor = bindRule(
      configured,
      filePath,
      'exposition',
      (finding) => {
        // Once per finding (never per sample); `at` is where the engine places it (line 1 without one). When the
        // rule has just asked `context.isSuppressed` about this place, the answer is remembered (no second lookup).
        if (isSuppressed?.(ruleId, finding.at?.line ?? 1) === true) {
          if (keptSuppressed < maxFindingsPerRule) {
            keptSuppressed++;
            findings.push(finding);
          } else {
            omittedSuppressed.count++;
            omittedSuppressed.first ??= finding;
          }
        } else if (kept < maxFindingsPerRule) {
          kept++;
          findings.push(finding);
        } else {
          omitted.count++;
          omitted.first ??= finding;
        }
      },
      isSuppressed,
    );
    if (visitor.sample) onSample.add(ruleId, visitor.sample.bind(visitor));
    if (visitor.metadata) onMetadata.add(ruleId, visitor.metadata.bind(visitor));
    if (visitor.fact) onFact.add(ruleId, visitor.fact.bind(visitor));
    if (visitor.diagnostic) onDiagnostic.add(ruleId, visitor.diagnostic.bind(visitor));
    if (visitor.expositionEnd) onEnd.add(ruleId, visitor.expositionEnd.bind(visitor));
  }

  const sink: ExpositionSink = {
    event(event) {
      switch (event.kind) {
        case 'sample':
          onSample.run(event);
          break;
        case 'help':
        case 'type':
        case 'unit':
          onMetadata.run(event);
          break;
        case 'fact':
          onFact.run(event);
          break;
        case 'diagnostic':
          onDiagnostic.run(event);
          break;
        case 'comment':
          onComment?.(event);
          break;
      }
    },
    end(summary) {
      onEnd.run(summary);
      // Findings reported at the end (summaries) may also overflow: count them before closing.
      for (const omitted of omittedByRule) {
        if (omitted.count === 0 || omitted.first === undefined) continue;
        const first = omitted.first;
        closing.push({
          ruleId: omitted.ruleId,
          messageId: TRUNCATED_MESSAGE_ID,
          severity: first.severity,
          message: `and ${omitted.count} more ${omitted.suppressed ? 'suppressed ' : ''}${omitted.count === 1 ? 'finding' : 'findings'} of ${omitted.ruleId} (only the first ${maxFindingsPerRule} are listed)`,
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
    (options.rules === undefined || options.rules.length === 0) && options.onComment === undefined
      ? undefined
      : createRuleSink(options.rules ?? [], {
          filePath: options.filePath,
          ...(options.maxFindingsPerRule === undefined
            ? {}
            : { maxFindingsPerRule: options.maxFindingsPerRule }),
          ...(options.onComment === undefined ? {} : { onComment: options.onComment }),
          ...(options.isSuppressed === undefined ? {} : { isSuppressed: options.isSuppressed }),
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
      ...(options.sizeHint === undefined ? {} : { sizeHint: options.sizeHint }),
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
