import type { FileResult, Rule } from '../types.js';

export interface ReporterContext {
  /** Paths in reports are made relative to this (SARIF, GitHub) or kept as given (text, JSON). */
  readonly cwd: string;
  /** ANSI colour (text only): on a TTY and without NO_COLOR, decided by the caller. */
  readonly color: boolean;
  /** Every rule, for SARIF's driver.rules. */
  readonly rules: readonly Rule[];
  /** The tool's version for SARIF. */
  readonly version: string;
}

export type Reporter = (results: readonly FileResult[], context: ReporterContext) => string;

export const FORMATS = ['text', 'json', 'sarif', 'github'] as const;
export type FormatName = (typeof FORMATS)[number];
