import { z } from 'zod';
import type { LinePosition, Range } from '../../exposition/types.js';
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
    return {
      config(model) {
        reportGatewayJobs(model, (descriptor) => context.report(descriptor));
      },
      sample(event) {
        if (seen.size >= maxTracked) return;
        // One pass over the labels; the key is the source labels' values (absent: empty), NUL-separated.
        let key = '';
        let present = false;
        let firstLabel: Range | undefined;
        for (let i = 0; i < sourceLabels.length; i++) {
          const name = sourceLabels[i];
          let value = '';
          for (const label of event.labels) {
            if (label.name === name) {
              value = label.value;
              present = true;
              firstLabel ??= { start: label.nameRange.start, end: label.valueRange.end };
              break;
            }
          }
          key = i === 0 ? value : `${key}\u0000${value}`;
        }
        if (!present || seen.has(key)) return;
        seen.add(key);
        if (examples.length < 2) examples.push(describe(sourceLabels, key));
        if (seen.size === 2) secondAt = { range: firstLabel ?? event.nameRange, at: event };
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
