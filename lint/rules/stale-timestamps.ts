/**
 * stale-timestamps: explicit timestamps that Prometheus will not treat as current. Older than the lookback
 * (default 5m), a sample is invisible to instant queries from the moment it is ingested, and once it is older than
 * about an hour before the newest data it is dropped as out of bounds; ahead of now beyond the allowed clock skew,
 * it shadows the real values that follow. Queued pipelines produce the first when they lag, skewed producer clocks
 * the second. The first few are reported with their positions, then one summary per direction; samples a
 * suppression comment silences are listed and summed up apart (lint/listing.ts), never in the room of shown ones.
 */
import { z } from 'zod';
import type { SampleEvent } from '../../exposition/types.js';
import { formatDuration, parseDuration } from '../../exposition/duration.js';
import { createListing } from '../listing.js';
import type { Listing } from '../listing.js';
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
  /**
   * Findings reported one by one per direction before a single summary; those a suppression comment silences are
   * listed and summed up apart.
   */
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
    const listed = (): Listing<SampleEvent, { worstMs: number }> =>
      createListing(context, {
        max: maxReported,
        range: (event: SampleEvent) => event.timestampRange ?? event.range,
        data: () => ({ worstMs: 0 }),
      });
    const listings: Record<Direction, Listing<SampleEvent, { worstMs: number }>> = {
      old: listed(),
      future: listed(),
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
        const listing = listings[direction];
        const group = listing.groupOf(event);
        group.data.worstMs = Math.max(group.data.worstMs, distance);
        if (!listing.take(group, event)) return;
        context.report({
          messageId: direction,
          data:
            direction === 'old'
              ? { name: event.name, age: human(distance), lookback: context.options.lookback }
              : { name: event.name, ahead: human(distance), skew: context.options.futureSkew },
          range: event.timestampRange ?? event.range,
          at: event,
        });
      },
      expositionEnd() {
        for (const direction of ['old', 'future'] as const) {
          for (const { first, more, total, groups } of listings[direction].summaries()) {
            context.report({
              messageId: direction === 'old' ? 'moreOld' : 'moreFuture',
              data: {
                more,
                total,
                worst: human(Math.max(...groups.map((g) => g.data.worstMs))),
                lookback: context.options.lookback,
                skew: context.options.futureSkew,
              },
              range: first.timestampRange ?? first.range,
              at: first,
            });
          }
        }
      },
    };
  },
};

export default staleTimestamps;
