/**
 * Every rule, registered by id. Adding a rule: one import and one entry in `rules` (a test fails when a rule
 * file, its test or its doc page is missing from here or there).
 */
import type { Rule } from '../types.js';
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
] as Rule[];
