import { z } from 'zod';
import { defineRule } from '../define-rule.js';
import { describeReasons, gatewayReasons } from '../gateway-like.js';
import { defaultsFor } from '../operator-defaults.js';

export default defineRule({
  meta: {
    id: 'honor-timestamps',
    description: 'A gateway-like job that honours pushed timestamps without tracking their staleness.',
    defaultSeverity: 'warn',
    appliesTo: ['config'],
    messages: {
      keepsTimestamps:
        'Gateway-like job "{{job}}" ({{reasons}}) keeps {{honor}} {{how}} without {{track}}: samples that carry their own timestamps get no staleness markers, so an app that died keeps showing its last values for the whole lookback (5m). Set {{track}}: true, or {{honor}}: false.',
    },
    schema: z.strictObject({}),
  },
  create(context) {
    return {
      config(model) {
        for (const job of model.jobs) {
          const reasons = gatewayReasons(job, model.operatorDefaults);
          if (reasons.length === 0) continue;
          // The Prometheus resource's overrideHonorTimestamps gives every operator job honor_timestamps: false.
          if (defaultsFor(job, model.operatorDefaults)?.overrideHonorTimestamps === true) continue;
          if (job.honorTimestamps?.value === false || job.trackTimestampsStaleness?.value === true) continue;
          const operator = job.origin !== 'prometheus';
          context.report({
            messageId: 'keepsTimestamps',
            data: {
              job: job.name.value,
              reasons: describeReasons(reasons),
              honor: operator ? 'honorTimestamps' : 'honor_timestamps',
              track: operator ? 'trackTimestampsStaleness' : 'track_timestamps_staleness',
              how: job.honorTimestamps === undefined ? 'true (the default)' : 'true',
            },
            range: job.honorTimestamps?.range ?? job.name.range,
          });
        }
      },
    };
  },
});
