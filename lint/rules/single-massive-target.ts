import { z } from 'zod';
import type { LinePosition, Range } from '../../exposition/types.js';
import { defineRule } from '../define-rule.js';
import { reportGatewayJobs } from '../gateway-like.js';

/**
 * What one massive target costs. scrape_timeout bounds the HTTP fetch only (Prometheus scrape.go scrapeAndReport:
 * the append runs after the timeout's cancel, and scrape_duration_seconds counts it); docs/architecture.md, Cost 3.
 */
const COST =
  'it must serve the whole body within scrape_timeout or the scrape fails (up 0, every sample lost); Prometheus then parses and ingests it on one core, and when fetch plus ingestion outlast the interval the next scrape starts late for every app at once';

export default defineRule({
  meta: {
    id: 'single-massive-target',
    description: 'A job or an exposition that funnels many apps through one endpoint: one massive target.',
    defaultSeverity: 'warn',
    appliesTo: ['config', 'exposition'],
    messages: {
      gatewayJob: `Job "{{job}}" funnels many apps through one endpoint ({{reasons}}): all their samples arrive as one target: ${COST}. Scrape each app as its own target.`,
      tooManySamples: `{{count}} samples behind one target (threshold {{threshold}}; sample {{threshold}} is here): ${COST}.`,
      largeBody: `The body is {{size}} characters (threshold {{threshold}}) from one target: ${COST}.`,
    },
    schema: z
      .strictObject({
        warnSamples: z.number().int().positive().default(10_000),
        errorSamples: z.number().int().positive().default(100_000),
        warnBytes: z.number().int().positive().default(5_000_000),
        errorBytes: z.number().int().positive().default(50_000_000),
      })
      .refine((o) => o.errorSamples >= o.warnSamples, { message: 'errorSamples must be >= warnSamples' })
      .refine((o) => o.errorBytes >= o.warnBytes, { message: 'errorBytes must be >= warnBytes' }),
  },
  create(context) {
    const { warnSamples, errorSamples, warnBytes, errorBytes } = context.options;
    let count = 0;
    let warnAt: { range: Range; at: LinePosition } | undefined;
    let errorAt: { range: Range; at: LinePosition } | undefined;
    const start = { range: { start: 0, end: 0 }, at: { line: 1, lineStart: 0 } };
    return {
      config(model) {
        reportGatewayJobs(model, (descriptor) => context.report(descriptor));
      },
      sample(event) {
        count++;
        if (count === warnSamples) warnAt = { range: event.nameRange, at: event };
        if (count === errorSamples) errorAt = { range: event.nameRange, at: event };
      },
      expositionEnd(summary) {
        const samples = Math.max(count, summary.samples);
        if (samples >= errorSamples) {
          const where = errorAt ?? start;
          context.report({
            messageId: 'tooManySamples',
            data: { count: samples, threshold: errorSamples },
            severity: 'error',
            ...where,
          });
        } else if (samples >= warnSamples) {
          context.report({
            messageId: 'tooManySamples',
            data: { count: samples, threshold: warnSamples },
            ...(warnAt ?? start),
          });
        }
        if (summary.length >= errorBytes) {
          context.report({
            messageId: 'largeBody',
            data: { size: summary.length, threshold: errorBytes },
            severity: 'error',
            ...start,
          });
        } else if (summary.length >= warnBytes) {
          context.report({
            messageId: 'largeBody',
            data: { size: summary.length, threshold: warnBytes },
            ...start,
          });
        }
      },
    };
  },
});
