/**
 * hygiene/camel-case: promlint's "metric names / label names should be written in 'snake_case' not 'camelCase'".
 * Label names are reported once per family and label name.
 */
import { z } from 'zod';
import type { Rule } from '../../types.js';
import { eachFamily } from './families.js';

const schema = z.strictObject({});
const CAMEL = /[a-z][A-Z]/;

export const camelCase: Rule<typeof schema> = {
  meta: {
    id: 'hygiene/camel-case',
    description: 'Metric and label names in camelCase instead of snake_case (promlint).',
    defaultSeverity: 'off',
    appliesTo: ['exposition'],
    messages: {
      metric: "Metric {{family}} should be written in 'snake_case' not 'camelCase'.",
      label: "Label {{label}} of {{family}} should be written in 'snake_case' not 'camelCase'.",
    },
    schema,
  },
  create(context) {
    const families = eachFamily((family) => {
      if (!CAMEL.test(family.name)) return;
      context.report({
        messageId: 'metric',
        data: { family: family.name },
        range: family.range,
        at: family.at,
      });
    });
    const reported = new Set<string>();
    /** Label names already checked in this family, by position: consecutive samples mostly repeat them. */
    const checked: string[] = [];
    let checkedFamily = '';
    return {
      metadata: families.metadata,
      expositionEnd: families.expositionEnd,
      sample(event) {
        families.sample(event);
        if (event.family !== checkedFamily) {
          checkedFamily = event.family;
          checked.length = 0;
        }
        const labels = event.labels;
        for (let i = 0; i < labels.length; i++) {
          const label = labels[i]!;
          if (checked[i] === label.name) continue;
          checked[i] = label.name;
          if (!CAMEL.test(label.name)) continue;
          const key = `${event.family}\u0000${label.name}`;
          if (reported.has(key)) continue;
          reported.add(key);
          context.report({
            messageId: 'label',
            data: { family: event.family, label: label.name },
            range: label.nameRange,
            at: event,
          });
        }
      },
    };
  },
};

export default camelCase;
