/**
 * Every rule, registered by id. Adding a rule: one import and one entry in `rules` (a test fails when a rule
 * file, its test or its doc page is missing from here or there).
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
import federationScrapeAll from './federation-scrape-all.js';
import honorTimestamps from './honor-timestamps.js';
import missingSampleLimit from './missing-sample-limit.js';
import missingUpSeries from './missing-up-series.js';
import parseError from './parse-error.js';
import scrapeTimeout from './scrape-timeout.js';
import singleMassiveTarget from './single-massive-target.js';
import unusedSuppression from './unused-suppression.js';

export const rules: readonly Rule[] = [
  singleMassiveTarget,
  missingUpSeries,
  honorTimestamps,
  missingSampleLimit,
  scrapeTimeout,
  federationScrapeAll,
  parseError,
  unusedSuppression,
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
