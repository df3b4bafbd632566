import { z } from 'zod';
import type { LinePosition, ParsedLabel, Range } from '../../exposition/types.js';
import { defineRule } from '../define-rule.js';
import { reportGatewayJobs } from '../gateway-like.js';

/** `{job="a",instance="b"}` from a key, leaving out labels the sample did not have. */
function describe(names: readonly string[], key: string): string {
  const values = key.split('\u0000');
  const parts = names.flatMap((name, i) => (values[i] ? [`${name}=${JSON.stringify(values[i])}`] : []));
  return `{${parts.join(',')}}`;
}

export default defineRule({
  meta: {
    id: 'missing-up-series',
    description: 'Many sources behind one target share one `up`: a dead source stays invisible.',
    defaultSeverity: 'warn',
    appliesTo: ['config', 'exposition'],
    messages: {
      gatewayJob:
        'Apps behind job "{{job}}" ({{reasons}}) get no `up` of their own, no scrape_* series and no per-app sample_limit: when one dies, nothing in Prometheus says so while the gateway still answers.',
      manySources:
        'Samples from {{count}} sources (distinct {{labels}}, e.g. {{first}} and {{second}}, the second here) behind one target: Prometheus records one `up` for all of them, so a dead source is invisible.',
    },
    schema: z.strictObject({
      /** Labels that name where a sample came from. */
      sourceLabels: z.array(z.string().min(1)).min(1).default(['job', 'instance']),
      /** Reported from this many distinct sources on. */
      minSources: z.number().int().min(2).default(2),
      /** Distinct sources counted at most (memory bound); the message then says "at least". */
      maxTracked: z.number().int().positive().default(10_000),
    }),
  },
  create(context) {
    const { sourceLabels, minSources, maxTracked } = context.options;
    const seen = new Set<string>();
    const examples: string[] = [];
    let secondAt: { range: Range; at: LinePosition } | undefined;
    /** The source label values of the last sample, and whether that sample's key was counted. */
    const values: string[] = sourceLabels.map(() => '');
    let previousCounted = false;
    return {
      config(model) {
        reportGatewayJobs(model, (descriptor) => context.report(descriptor));
      },
      sample(event) {
        if (seen.size >= maxTracked) return;
        // One pass over the labels into a reused array; an exposer writes a source's series together, so most
        // samples have the previous one's source values and need no key at all.
        let present = false;
        let same = true;
        let first: ParsedLabel | undefined;
        for (let i = 0; i < sourceLabels.length; i++) {
          const name = sourceLabels[i];
          let value = '';
          for (const label of event.labels) {
            if (label.name === name) {
              value = label.value;
              present = true;
              first ??= label;
              break;
            }
          }
          if (value !== values[i]) same = false;
          values[i] = value;
        }
        const skip = !present || (same && previousCounted);
        previousCounted = present;
        if (skip) return;
        // The key is the source labels' values (absent: empty), NUL-separated.
        const key = values.join('\u0000');
        if (seen.has(key)) return;
        seen.add(key);
        if (examples.length < 2) examples.push(describe(sourceLabels, key));
        if (seen.size === 2) {
          const range =
            first === undefined
              ? event.nameRange
              : { start: first.nameRange.start, end: first.valueRange.end };
          secondAt = { range, at: event };
        }
      },
      expositionEnd() {
        if (seen.size < minSources || secondAt === undefined) return;
        context.report({
          messageId: 'manySources',
          data: {
            count: seen.size >= maxTracked ? `at least ${maxTracked}` : seen.size,
            labels: sourceLabels.join('/'),
            first: examples[0] ?? '',
            second: examples[1] ?? '',
          },
          ...secondAt,
        });
      },
    };
  },
});
