/**
 * stale-timestamps: explicit timestamps that Prometheus will not treat as current. Older than the lookback
 * (default 5m), a sample is invisible to instant queries from the moment it is ingested, and once it is older than
 * about an hour before the newest data it is dropped as out of bounds; ahead of now beyond the allowed clock skew,
 * it shadows the real values that follow. Queued pipelines produce the first when they lag, skewed producer clocks
 * the second. The first few are reported with their positions, then one summary per direction.
 */
import { z } from 'zod';
import type { SampleEvent } from '../../exposition/types.js';
import { formatDuration, parseDuration } from '../../exposition/duration.js';
import type { Rule } from '../types.js';

const duration = (fallback: string) =>
  z
    .string()
    .refine((text) => parseDuration(text) !== undefined, {
      message: 'must be a Prometheus duration such as 5m or 1h30m',
    })
    .default(fallback);

const schema = z.strictObject({
  /** Samples older than this before now are stale (Prometheus' query lookback delta, 5m by default). */
  lookback: duration('5m'),
  /** Samples further than this ahead of now are in the future. */
  futureSkew: duration('1m'),
  /** The reference time in milliseconds since the epoch; defaults to the time the rule starts (tests set it). */
  now: z.number().finite().optional(),
  /** Findings reported one by one per direction before a single summary. */
  maxReported: z.int().min(0).max(1000).default(5),
});

type Direction = 'old' | 'future';

const UNITS_MS = [365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000];

/** A distance for people: its two largest units, at least 1s (`3y1w`, `2h5m`, `1m30s`). */
function roughly(ms: number): number {
  let rest = Math.max(1000, ms);
  let kept = 0;
  let units = 0;
  for (const unit of UNITS_MS) {
    const count = Math.floor(rest / unit);
    if (count === 0 && units === 0) continue;
    kept += count * unit;
    rest -= count * unit;
    if (++units === 2) break;
  }
  return kept;
}

export const staleTimestamps: Rule<typeof schema> = {
  meta: {
    id: 'stale-timestamps',
    description: 'Explicit timestamps older than the lookback or ahead of now beyond the allowed clock skew.',
    defaultSeverity: 'warn',
    appliesTo: ['exposition'],
    messages: {
      old: 'Sample {{name}} is timestamped {{age}} before now, more than the {{lookback}} lookback: queries never see it as current, and past about an hour Prometheus drops it as out of bounds.',
      future:
        'Sample {{name}} is timestamped {{ahead}} ahead of now, more than the allowed {{skew}} clock skew: it hides the real values that follow until time catches up.',
      moreOld:
        '{{more}} more samples are older than the {{lookback}} lookback, the first of them here ({{total}} in all, the oldest {{worst}} before now).',
      moreFuture:
        '{{more}} more samples are ahead of now beyond the {{skew}} skew, the first of them here ({{total}} in all, the furthest {{worst}} ahead).',
    },
    schema,
  },
  create(context) {
    const { maxReported } = context.options;
    const lookbackMs = parseDuration(context.options.lookback) ?? 300_000;
    const skewMs = parseDuration(context.options.futureSkew) ?? 60_000;
    const now = context.options.now ?? Date.now();
    const state: Record<
      Direction,
      { total: number; worstMs: number; firstUnreported: SampleEvent | undefined }
    > = {
      old: { total: 0, worstMs: 0, firstUnreported: undefined },
      future: { total: 0, worstMs: 0, firstUnreported: undefined },
    };
    const human = (ms: number): string => formatDuration(roughly(ms));

    return {
      sample(event) {
        const ts = event.timestampMs;
        if (ts === undefined) return;
        let direction: Direction;
        let distance: number;
        if (now - ts > lookbackMs) {
          direction = 'old';
          distance = now - ts;
        } else if (ts - now > skewMs) {
          direction = 'future';
          distance = ts - now;
        } else {
          return;
        }
        const entry = state[direction];
        entry.total++;
        entry.worstMs = Math.max(entry.worstMs, distance);
        if (entry.total <= maxReported) {
          context.report({
            messageId: direction,
            data:
              direction === 'old'
                ? { name: event.name, age: human(distance), lookback: context.options.lookback }
                : { name: event.name, ahead: human(distance), skew: context.options.futureSkew },
            range: event.timestampRange ?? event.range,
            at: event,
          });
        } else {
          entry.firstUnreported ??= event;
        }
      },
      expositionEnd() {
        for (const direction of ['old', 'future'] as const) {
          const entry = state[direction];
          const first = entry.firstUnreported;
          if (first === undefined) continue;
          context.report({
            messageId: direction === 'old' ? 'moreOld' : 'moreFuture',
            data: {
              more: entry.total - maxReported,
              total: entry.total,
              worst: human(entry.worstMs),
              lookback: context.options.lookback,
              skew: context.options.futureSkew,
            },
            range: first.timestampRange ?? first.range,
            at: first,
          });
        }
      },
    };
  },
};

export default staleTimestamps;
