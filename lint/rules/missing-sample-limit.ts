import { z } from 'zod';
import { defineRule } from '../define-rule.js';
import { describeReasons, gatewayReasons } from '../gateway-like.js';
import { defaultsFor, isZeroLimit, limitsEveryJob } from '../operator-defaults.js';
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
        // Prometheus >= 2.45: `global.sample_limit` / `global.body_size_limit` are the limits of every job that
        // sets none of its own; a job's 0 counts as unset (config.go ScrapeConfig.Validate), so it inherits them.
        const globalLimited = !isZero(model.global.sampleLimit) || !isZero(model.global.bodySizeLimit);
        for (const job of model.jobs) {
          const reasons = gatewayReasons(job, model.operatorDefaults);
          if (reasons.length === 0) continue;
          if (!isZero(job.sampleLimit) || !isZero(job.bodySizeLimit)) continue;
          const operator = job.origin !== 'prometheus';
          if (!operator && globalLimited) continue;
          // A Prometheus resource's enforced limits, or its global spec.sampleLimit / spec.bodySizeLimit.
          if (operator && limitsEveryJob(defaultsFor(job, model.operatorDefaults))) continue;
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
