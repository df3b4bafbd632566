/**
 * hygiene/unit-abbreviations: promlint's "metric names should not contain abbreviated units": `_ms`, `_kb`, `_s`
 * and the like are ambiguous; spell the (base) unit out.
 */
import { z } from 'zod';
import type { Rule } from '../../types.js';
import { eachFamily } from './families.js';
import { UNIT_ABBREVIATIONS } from './units.js';

const schema = z.strictObject({});

export const unitAbbreviations: Rule<typeof schema> = {
  meta: {
    id: 'hygiene/unit-abbreviations',
    description: 'Metric names with abbreviated units such as _ms or _kb (promlint).',
    defaultSeverity: 'off',
    appliesTo: ['exposition'],
    messages: {
      abbreviated:
        'Metric {{family}} should not contain the abbreviated unit "{{abbreviation}}": spell out the base unit (seconds, bytes, meters).',
    },
    schema,
  },
  create(context) {
    const { metadata, sample, expositionEnd } = eachFamily((family) => {
      const name = family.name.toLowerCase();
      for (const abbreviation of UNIT_ABBREVIATIONS) {
        if (name.includes(`_${abbreviation}_`) || name.endsWith(`_${abbreviation}`)) {
          context.report({
            messageId: 'abbreviated',
            data: { family: family.name, abbreviation },
            range: family.range,
            at: family.at,
          });
        }
      }
    });
    return { metadata, sample, expositionEnd };
  },
};

export default unitAbbreviations;
