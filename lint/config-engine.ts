/**
 * The engine for Prometheus configuration, operator resource and Grafana Alloy files (lint/engine.ts runs the
 * rules; this module adds the YAML and Alloy readers, ConfigMap unpacking and the operator defaults). Apart so that linting expositions and docs
 * does not load the yaml package: lint/commands/lint.ts imports this module when a configuration is to be linted.
 */
import { applyDirectives, fileResult, place, resolveRules, runRules } from './engine.js';
import type { LintSettings } from './engine.js';
import { mergeOperatorDefaults } from './operator-defaults.js';
import { LineIndex } from './positions.js';
import { rules as registry } from './rules/index.js';
import { parseAlloy } from './sources/alloy.js';
import { parseConfig } from './sources/config.js';
import { isAlloy } from './sources/detect.js';
import type { ParsedConfig } from './sources/config.js';
import { toOuter } from './sources/configmap.js';
import { parseDirectives, StreamedDirectives } from './suppressions.js';
import type {
  FileResult,
  GlobalConfig,
  LintMessage,
  OperatorDefaults,
  Rule,
  SourceProblem,
} from './types.js';

/** Options of `lintConfigText` beyond the settings. */
export interface ConfigLintOptions {
  /** Lint the Prometheus configurations embedded in ConfigMaps (default true; false inside one). */
  readonly unpackConfigMaps?: boolean;
  /**
   * The `Prometheus` resources of the whole run, merged (lint/operator-defaults.ts). Default: those of this file.
   */
  readonly operatorDefaults?: OperatorDefaults | undefined;
  /** Named under `scrapelint config`: YAML that holds no configuration is a parse-error (ParseConfigOptions). */
  readonly requireConfig?: boolean;
  /** The file is one of another configuration's `scrape_config_files` (see `IncludedBy`). */
  readonly includedBy?: IncludedBy | undefined;
}

/**
 * The configuration whose `scrape_config_files` name a file: Prometheus gives the file's jobs that configuration's
 * `global`, and refuses a job name used twice anywhere in the set.
 */
export interface IncludedBy {
  /** The including file, as shown in messages. */
  readonly from: string;
  /** This file, as shown in messages. */
  readonly shownAs: string;
  readonly global: GlobalConfig;
  /** Job names taken so far (by the including file and the files read before), with where each was first found. */
  readonly jobNames: Map<string, string>;
}

/**
 * Lints a Prometheus configuration or operator resource file already read, and the Prometheus configurations
 * embedded in its ConfigMaps: each is linted as a file of its own (its suppression comments apply to it alone),
 * its findings are moved into the outer file (lint/sources/configmap.ts), and the outer file's own suppression
 * comments then apply to them as to any finding of the file.
 */
export function lintConfigText(
  text: string,
  filePath: string,
  settings: LintSettings = {},
  list: readonly Rule[] = registry,
  { unpackConfigMaps = true, operatorDefaults, requireConfig = false, includedBy }: ConfigLintOptions = {},
): FileResult & { model: ParsedConfig } {
  const alloy = includedBy === undefined && isAlloy(filePath, text);
  const read = alloy
    ? parseAlloy(text, filePath)
    : parseConfig(text, filePath, {
        unpackConfigMaps,
        requireConfig,
        scrapeConfigFile: includedBy !== undefined,
      });
  const parsed = includedBy === undefined ? read : asIncluded(read, includedBy);
  const defaults =
    operatorDefaults ?? mergeOperatorDefaults(parsed.prometheusResources.map((p) => p.defaults));
  const model: ParsedConfig = defaults === undefined ? parsed : { ...parsed, operatorDefaults: defaults };
  const resolved = resolveRules(settings, 'config', list);
  const index = new LineIndex(text);
  // Directives inside an embedded configuration apply to it (linted below); the outer file's to everything in it.
  const outer = parseDirectives(text, alloy ? '//' : '#').filter(
    (d) =>
      !model.embedded.some((e) => d.range.start >= e.valueRange.start && d.range.start < e.valueRange.end),
  );
  const directives = StreamedDirectives.of(outer);
  const findings = runRules(
    resolved,
    filePath,
    'config',
    (visitor) => {
      for (const problem of model.problems ?? []) visitor.sourceError?.(problem);
      visitor.config?.(model);
    },
    { directives, index },
  );
  const placed = findings.map((f) => place(f, index));
  const innerSuppressed: LintMessage[] = [];
  for (const embedded of model.embedded) {
    const inner = lintConfigText(embedded.text, filePath, settings, list, { unpackConfigMaps: false });
    const keyAt = index.locate(embedded.keyRange);
    const move = (message: LintMessage): LintMessage => {
      const { at, note } = toOuter(embedded, message, keyAt);
      return { ...message, ...at, ...(note === undefined ? {} : { message: message.message + note }) };
    };
    placed.push(...inner.messages.map(move));
    innerSuppressed.push(...inner.suppressedMessages.map(move));
  }
  const { messages, suppressed } = applyDirectives(placed, outer, index, settings, list, directives.used);
  suppressed.push(...innerSuppressed);
  return { ...fileResult(filePath, 'config', messages, suppressed), model };
}

/** A file of `scrape_config_files`: the including file's global, and its job names checked against the whole set. */
function asIncluded(parsed: ParsedConfig, { from, shownAs, global, jobNames }: IncludedBy): ParsedConfig {
  const problems: SourceProblem[] = [...(parsed.problems ?? [])];
  for (const job of parsed.jobs) {
    if (job.origin !== 'prometheus' || job.name.range === job.range) continue;
    const first = jobNames.get(job.name.value);
    if (first === undefined) jobNames.set(job.name.value, shownAs);
    else if (first !== shownAs)
      problems.push({
        message: `job_name "${job.name.value}" is used in ${first} too: Prometheus refuses the configuration ("found multiple scrape configs with job name")`,
        range: job.name.range,
      });
  }
  problems.sort((a, b) => a.range.start - b.range.start);
  return { ...parsed, global: { ...global, inheritedFrom: from }, problems };
}
