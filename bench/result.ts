/**
 * What one comparison writes to `bench/results/<id>.json` and what RESULTS.md is made from: measured rows (ours
 * and the peer's, median with min and max), the targets with their verdicts, the commands and notes.
 */
import type { Machine, Stats } from './lib.js';

export const COMPARISON_IDS = ['P1', 'P2', 'P3', 'P4', 'P5'] as const;
export type ComparisonId = (typeof COMPARISON_IDS)[number];

export interface Row {
  /** What is measured, e.g. `check 1M series (95.2 MB)`. */
  readonly what: string;
  readonly unit: string;
  readonly ours: { readonly tool: string; readonly value: Stats };
  readonly peer?: { readonly tool: string; readonly value: Stats };
  /** peer/ours for times (how many times faster), ours/peer for shares; stated in `ratioLabel`. */
  readonly ratio?: number;
  readonly ratioLabel?: string;
}

export interface Target {
  readonly target: string;
  readonly measured: string;
  /** null: not measured in this run (the reason is in `measured`). */
  readonly met: boolean | null;
}

export interface ComparisonResult {
  readonly id: ComparisonId;
  readonly title: string;
  readonly date: string;
  readonly smoke: boolean;
  readonly reps: number;
  readonly machine: Machine;
  readonly commands: readonly string[];
  readonly rows: readonly Row[];
  readonly targets: readonly Target[];
  readonly notes: readonly string[];
  readonly seconds: number;
  /** Per-repetition figures, for whoever wants to look again. */
  readonly raw: Record<string, unknown>;
}

/** ratio helper that survives a zero or NaN denominator. */
export function ratioOf(numerator: number, denominator: number): number {
  return denominator > 0 && Number.isFinite(numerator) ? numerator / denominator : NaN;
}
