import { z } from 'zod';
import { defineRule } from '../define-rule.js';
import { describeReasons, gatewayReasons } from '../gateway-like.js';
import { defaultsFor, enforcesLimit, isZeroLimit } from '../operator-defaults.js';
import type { Located } from '../types.js';

/** 0, `0`, `0B`, `0MB`, `0MiB`: no limit. */
const isZero = (limit: Located<string | number> | Located<number> | undefined): boolean =>
  isZeroLimit(limit?.value);

export default defineRule({
  meta: {
    id: 'missing-sample-limit',
    description: 'A gateway-like job without sample_limit or body_size_limit.',
    defaultSeverity: 'warn',
    appliesTo: ['config'],
    messages: {
      noLimit:
        'Gateway-like job "{{job}}" ({{reasons}}) has no {{sampleLimit}} or {{bodySizeLimit}}: one runaway app behind it grows the single target without bound, and no limit can be set per app (when one trips, the scrape fails for every app).',
    },
    schema: z.strictObject({}),
  },
  create(context) {
    return {
      config(model) {
        const globalLimited = !isZero(model.global.sampleLimit) || !isZero(model.global.bodySizeLimit);
        for (const job of model.jobs) {
          const reasons = gatewayReasons(job, model.operatorDefaults);
          if (reasons.length === 0) continue;
          // The Prometheus resource's enforcedSampleLimit / enforcedBodySizeLimit caps every operator job.
          if (enforcesLimit(defaultsFor(job, model.operatorDefaults))) continue;
          if (job.sampleLimit !== undefined || job.bodySizeLimit !== undefined) {
            if (!isZero(job.sampleLimit) || !isZero(job.bodySizeLimit)) continue;
          } else if (globalLimited && job.origin === 'prometheus') continue;
          const operator = job.origin !== 'prometheus';
          context.report({
            messageId: 'noLimit',
            data: {
              job: job.name.value,
              reasons: describeReasons(reasons),
              sampleLimit: operator ? 'sampleLimit' : 'sample_limit',
              bodySizeLimit: operator ? 'bodySizeLimit' : 'body_size_limit',
            },
            range: job.sampleLimit?.range ?? job.bodySizeLimit?.range ?? job.name.range,
          });
        }
      },
    };
  },
});
