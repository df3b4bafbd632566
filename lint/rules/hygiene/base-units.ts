/**
 * hygiene/base-units: promlint's `use base unit "seconds" instead of "milliseconds"`: Prometheus metrics use base
 * units (seconds, bytes, meters...), and the reader converts when displaying.
 */
import { z } from 'zod';
import type { Rule } from '../../types.js';
import { eachFamily } from './families.js';
import { metricUnit } from './units.js';

const schema = z.strictObject({});

export const baseUnits: Rule<typeof schema> = {
  meta: {
    id: 'hygiene/base-units',
    description: 'Metric names in non-base units such as milliseconds or kilobytes (promlint).',
    defaultSeverity: 'off',
    appliesTo: ['exposition'],
    messages: {
      nonBase: 'Metric {{family}} should use the base unit "{{base}}" instead of "{{unit}}".',
    },
    schema,
  },
  create(context) {
    const { metadata, sample, expositionEnd } = eachFamily((family) => {
      const found = metricUnit(family.name);
      if (found === undefined || found.unit === found.base) return;
      context.report({
        messageId: 'nonBase',
        data: { family: family.name, unit: found.unit, base: found.base },
        range: family.range,
        at: family.at,
      });
    });
    return { metadata, sample, expositionEnd };
  },
};

export default baseUnits;
