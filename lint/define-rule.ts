import type { z } from 'zod';
import type { Rule } from './types.js';

/** Identity with inference: the options type of `create` comes from `meta.schema`. */
export function defineRule<Schema extends z.ZodType>(rule: Rule<Schema>): Rule<Schema> {
  return rule;
}
