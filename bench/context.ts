/** What every comparison is given by the runner. */
import type { Machine } from './lib.js';

export interface BenchContext {
  readonly smoke: boolean;
  /** Measured repetitions (after one warm-up). */
  readonly reps: number;
  /** Where generated inputs and bundles live (.cache/bench). */
  readonly cacheDir: string;
  readonly machine: Machine;
  /** Kafka bootstrap address, when a comparison needs the broker. */
  readonly brokers: string;
  readonly bundles: { readonly exposer: string; readonly parser: string; readonly scrapelint: string };
  log(line: string): void;
}

/** Runs `fn` for a warm-up and then `reps` times; `order` alternates which tool goes first. */
export async function alternate(
  reps: number,
  fn: (rep: number, warmUp: boolean, order: 0 | 1) => Promise<void>,
): Promise<void> {
  for (let rep = -1; rep < reps; rep++) await fn(rep, rep === -1, rep % 2 === 0 ? 0 : 1);
}
