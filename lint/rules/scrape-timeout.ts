import { z } from 'zod';
import { defineRule } from '../define-rule.js';
import { formatDuration, parseDuration } from '../../exposition/duration.js';
import { defaultsFor, OPERATOR_DEFAULT_INTERVAL } from '../operator-defaults.js';
import type { Located } from '../types.js';

const DEFAULT_INTERVAL_MS = 60_000;
const DEFAULT_TIMEOUT_MS = 10_000;

export default defineRule({
  meta: {
    id: 'scrape-timeout',
    description:
      'Scrape timeouts greater than the interval, invalid durations, intervals longer than the lookback.',
    defaultSeverity: 'error',
    appliesTo: ['config'],
    messages: {
      invalidDuration:
        '{{field}} "{{value}}" is not a Prometheus duration (digits with units y w d h m s ms, largest first, like 30s or 1m30s): Prometheus refuses the file.',
      timeoutGreater:
        'Scrape timeout {{timeout}} is greater than the scrape interval {{interval}} of job "{{job}}": Prometheus refuses the file ("scrape timeout greater than scrape interval").',
      resourceTimeoutGreater:
        'spec.scrapeTimeout {{timeout}} of Prometheus "{{name}}" is greater than its spec.scrapeInterval {{interval}}: the operator refuses to generate the configuration ("scrapeTimeout greater than scrapeInterval").',
      globalTimeoutGreater:
        'Global scrape_timeout {{timeout}} is greater than the global scrape_interval {{interval}}: Prometheus refuses the file.',
      intervalOverLookback:
        'Scrape interval {{interval}} {{of}}is longer than the {{lookback}} lookback: between two scrapes its series go stale and vanish from queries and graphs.',
    },
    schema: z.strictObject({
      lookback: z
        .string()
        .refine((value) => (parseDuration(value) ?? 0) > 0, {
          message: 'lookback must be a positive Prometheus duration',
        })
        .default('5m'),
    }),
  },
  create(context) {
    const lookbackMs = parseDuration(context.options.lookback) ?? 300_000;
    const duration = (located: Located<string> | undefined, field: string): number | undefined => {
      if (located === undefined) return undefined;
      const ms = parseDuration(located.value);
      if (ms === undefined) {
        context.report({
          messageId: 'invalidDuration',
          data: { field, value: located.value },
          range: located.range,
        });
      }
      return ms;
    };
    const overLookback = (located: Located<string>, ms: number, of: string): void => {
      if (ms > lookbackMs) {
        context.report({
          messageId: 'intervalOverLookback',
          data: { interval: located.value, of, lookback: formatDuration(lookbackMs) },
          range: located.range,
          severity: 'warn',
        });
      }
    };
    return {
      config(model) {
        const { global } = model;
        // A global of another file (this one is among its scrape_config_files): checked, and reported, there.
        const inherited = global.inheritedFrom !== undefined;
        const globalInterval = inherited
          ? parseDuration(global.scrapeInterval?.value ?? '')
          : duration(global.scrapeInterval, 'global scrape_interval');
        const globalTimeout = inherited
          ? parseDuration(global.scrapeTimeout?.value ?? '')
          : duration(global.scrapeTimeout, 'global scrape_timeout');
        const gInterval = globalInterval || DEFAULT_INTERVAL_MS;
        const gTimeout = globalTimeout || DEFAULT_TIMEOUT_MS;
        if (
          !inherited &&
          global.scrapeTimeout !== undefined &&
          globalTimeout !== undefined &&
          gTimeout > gInterval
        ) {
          context.report({
            messageId: 'globalTimeoutGreater',
            data: {
              timeout: global.scrapeTimeout.value,
              interval: global.scrapeInterval?.value ?? '1m (the default)',
            },
            range: global.scrapeTimeout.range,
          });
        }
        if (!inherited && global.scrapeInterval !== undefined && globalInterval !== undefined) {
          overLookback(global.scrapeInterval, globalInterval, '(global) ');
        }
        for (const resource of model.prometheusResources ?? []) {
          const interval = duration(resource.scrapeInterval, 'spec.scrapeInterval');
          const timeout = duration(resource.scrapeTimeout, 'spec.scrapeTimeout');
          if (resource.scrapeInterval !== undefined && interval !== undefined) {
            overLookback(resource.scrapeInterval, interval, `of Prometheus "${resource.name.value}" `);
          }
          if (resource.scrapeTimeout === undefined || timeout === undefined) continue;
          if (resource.scrapeInterval !== undefined && interval === undefined) continue;
          const effective = interval ?? parseDuration(OPERATOR_DEFAULT_INTERVAL) ?? 30_000;
          if (timeout > effective) {
            context.report({
              messageId: 'resourceTimeoutGreater',
              data: {
                name: resource.name.value,
                timeout: resource.scrapeTimeout.value,
                interval:
                  resource.scrapeInterval?.value ?? `${OPERATOR_DEFAULT_INTERVAL} (the operator default)`,
              },
              range: resource.scrapeTimeout.range,
            });
          }
        }
        for (const job of model.jobs) {
          const operator = job.origin !== 'prometheus';
          const intervalField = operator
            ? job.origin === 'ScrapeConfig'
              ? 'scrapeInterval'
              : 'interval'
            : 'scrape_interval';
          const timeoutField = operator ? 'scrapeTimeout' : 'scrape_timeout';
          const interval = duration(job.scrapeInterval, intervalField);
          const timeout = duration(job.scrapeTimeout, timeoutField);
          if (job.scrapeInterval !== undefined && interval !== undefined) {
            overLookback(job.scrapeInterval, interval, `of job "${job.name.value}" `);
          }
          if (job.scrapeTimeout === undefined || timeout === undefined || timeout === 0) continue;
          if (job.scrapeInterval !== undefined && interval === undefined) continue;
          let effectiveInterval = interval || gInterval;
          let inheritedFrom =
            global.inheritedFrom === undefined
              ? 'inherited'
              : globalInterval
                ? `from the global scrape_interval of ${global.inheritedFrom}`
                : `the default, as ${global.inheritedFrom} sets no global scrape_interval`;
          const inherits = job.inheritedScrapeInterval;
          if (!operator && job.scrapeInterval === undefined && inherits !== undefined) {
            // A values file's additionalScrapeConfigs job: the operator's global interval, not Prometheus' 1m.
            const inherited = parseDuration(inherits.value);
            if (inherited === undefined || inherited === 0) continue;
            effectiveInterval = inherited;
            inheritedFrom = inherits.operatorDefault
              ? 'the operator default, as no prometheusSpec.scrapeInterval is set'
              : 'from prometheusSpec.scrapeInterval';
          }
          if (operator && job.scrapeInterval === undefined) {
            // Operator jobs inherit the Prometheus resource's spec.scrapeInterval (default 30s): compare only when
            // that resource is in view.
            const defaults = defaultsFor(job, model.operatorDefaults);
            if (defaults === undefined) continue;
            const inherited = parseDuration(defaults.scrapeInterval ?? OPERATOR_DEFAULT_INTERVAL);
            if (inherited === undefined || inherited === 0) continue;
            effectiveInterval = inherited;
            inheritedFrom = `from ${defaults.source}${defaults.scrapeInterval === undefined ? ', the operator default' : ''}`;
          }
          if (timeout > effectiveInterval) {
            context.report({
              messageId: 'timeoutGreater',
              data: {
                timeout: job.scrapeTimeout.value,
                interval:
                  job.scrapeInterval?.value ?? `${formatDuration(effectiveInterval)} (${inheritedFrom})`,
                job: job.name.value,
              },
              range: job.scrapeTimeout.range,
            });
          }
        }
      },
    };
  },
});
