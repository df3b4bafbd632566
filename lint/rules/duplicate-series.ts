/**
 * duplicate-series: the same series (name and label set) more than once in one exposition, from the parser's
 * duplicate-series facts. With the same timestamp (or none) Prometheus keeps the first sample and rejects the
 * next as a duplicate; with different timestamps the exposition format leaves ingestion undefined. Exposers that
 * pass queued messages through unmerged produce both.
 *
 * The fact and the sample it concerns arrive as two events on the same line, in either order: the rule keeps only
 * the last sample and at most one pending fact, to name the series in the message.
 */
import { z } from 'zod';
import type { FactEvent, SampleEvent } from '../../exposition/types.js';
import type { Rule } from '../types.js';
import { seriesText } from './series-text.js';

const schema = z.strictObject({});

export const duplicateSeries: Rule<typeof schema> = {
  meta: {
    id: 'duplicate-series',
    description:
      'The same series more than once in one exposition: dropped as a duplicate, or undefined behaviour.',
    defaultSeverity: 'error',
    appliesTo: ['exposition'],
    messages: {
      duplicate:
        'Series {{series}} appears again (first at line {{firstLine}}): Prometheus keeps the first sample and rejects this one as a duplicate, so its value is lost.',
      differentTimestamps:
        'Series {{series}} appears again (first at line {{firstLine}}) with a different timestamp: the exposition format leaves several samples of one series in one scrape undefined, and Prometheus may drop them as out-of-order.',
    },
    schema,
  },
  create(context) {
    let lastSample: SampleEvent | undefined;
    let pending: FactEvent | undefined;

    const reportFact = (fact: FactEvent, sample: SampleEvent | undefined): void => {
      context.report({
        messageId: fact.sameTimestamp === false ? 'differentTimestamps' : 'duplicate',
        data: {
          series: sample === undefined ? `of ${fact.family}` : seriesText(sample),
          firstLine: fact.first?.line ?? '?',
        },
        range: sample?.range ?? fact.range,
        at: sample ?? fact,
      });
    };

    return {
      sample(event) {
        if (pending !== undefined) {
          reportFact(pending, pending.line === event.line ? event : undefined);
          pending = undefined;
        }
        lastSample = event;
      },
      fact(event) {
        if (event.code !== 'duplicate-series') return;
        if (pending !== undefined) reportFact(pending, undefined);
        if (lastSample !== undefined && lastSample.line === event.line) {
          reportFact(event, lastSample);
          pending = undefined;
        } else {
          pending = event;
        }
      },
      expositionEnd() {
        if (pending !== undefined) reportFact(pending, undefined);
        pending = undefined;
      },
    };
  },
};

export default duplicateSeries;
