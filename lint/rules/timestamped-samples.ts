/**
 * timestamped-samples: samples that carry their own timestamp. Prometheus writes no staleness marker for them
 * (unless the job sets track_timestamps_staleness), so a series whose source has gone keeps answering queries
 * for the whole lookback; and a timestamp older than the newest sample of its series is dropped as out-of-order.
 * An exposer that replays queued samples with the producers' timestamps hits both.
 * The first `maxReported` are listed, the rest summed up in one finding; samples a suppression comment silences are
 * listed and counted apart (lint/listing.ts), so a silenced first line never hides a later one.
 */
import { z } from 'zod';
import type { SampleEvent } from '../../exposition/types.js';
import { createListing } from '../listing.js';
import type { Rule } from '../types.js';

const schema = z.strictObject({
  /**
   * Timestamped samples reported one by one (with their positions) before a single closing summary; those a
   * suppression comment silences are listed and summed up apart.
   */
  maxReported: z.int().min(0).max(1000).default(5),
});

export const timestampedSamples: Rule<typeof schema> = {
  meta: {
    id: 'timestamped-samples',
    description:
      'Samples with explicit timestamps lose staleness handling and are dropped when out of order.',
    defaultSeverity: 'warn',
    appliesTo: ['exposition'],
    messages: {
      timestamped:
        'Sample {{name}} carries an explicit timestamp: Prometheus puts no staleness marker on it, so when its source stops it stays visible for the 5m lookback instead of vanishing at the next scrape, and a value older than the newest one of its series is dropped as out-of-order.',
      more: '{{more}} more samples carry explicit timestamps, the first of them here ({{total}} of {{samples}} samples in all): none of their series gets staleness markers.',
    },
    schema,
  },
  create(context) {
    const listing = createListing(context, {
      max: context.options.maxReported,
      range: (event: SampleEvent) => event.timestampRange ?? event.range,
      data: () => undefined,
    });
    return {
      sample(event) {
        if (event.timestampMs === undefined) return;
        const group = listing.groupOf(event);
        if (!listing.take(group, event)) return;
        context.report({
          messageId: 'timestamped',
          data: { name: event.name },
          range: event.timestampRange ?? event.range,
          at: event,
        });
      },
      expositionEnd(summary) {
        for (const { first, more, total } of listing.summaries()) {
          context.report({
            messageId: 'more',
            data: { more, total, samples: summary.samples },
            range: first.timestampRange ?? first.range,
            at: first,
          });
        }
      },
    };
  },
};

export default timestampedSamples;
