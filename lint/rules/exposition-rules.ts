/**
 * The exposition and docs rules of this part of scrapelint, for registration in lint/rules/index.ts (and for tests
 * that run them without the engine).
 */
import type { Rule } from '../types.js';
import architectureQueue from './architecture-queue.js';
import duplicateSeries from './duplicate-series.js';
import baseUnits from './hygiene/base-units.js';
import camelCase from './hygiene/camel-case.js';
import counterTotal from './hygiene/counter-total.js';
import duplicateMetric from './hygiene/duplicate-metric.js';
import help from './hygiene/help.js';
import reservedChars from './hygiene/reserved-chars.js';
import reservedLabel from './hygiene/reserved-label.js';
import reservedSuffix from './hygiene/reserved-suffix.js';
import typeInName from './hygiene/type-in-name.js';
import unitAbbreviations from './hygiene/unit-abbreviations.js';
import staleTimestamps from './stale-timestamps.js';
import timestampedSamples from './timestamped-samples.js';

export const expositionRules: readonly Rule[] = [
  timestampedSamples,
  duplicateSeries,
  staleTimestamps,
  architectureQueue,
  help,
  counterTotal,
  reservedSuffix,
  reservedLabel,
  typeInName,
  reservedChars,
  camelCase,
  unitAbbreviations,
  baseUnits,
  duplicateMetric,
] as Rule[];

/** The `hygiene/*` rules: promtool check metrics (promlint) parity, off unless `--hygiene`. */
export const hygieneRules: readonly Rule[] = expositionRules.filter((rule) =>
  rule.meta.id.startsWith('hygiene/'),
);
