import { z } from 'zod';
import { defineRule } from '../define-rule.js';
import { isFederation } from '../gateway-like.js';

/** Strings every "match anything" regex matches: metric names, label values, odd characters. */
const PROBES = ['a', 'up', 'node_cpu_seconds_total', 'job:http_requests:rate5m', 'X-1', '0', 'a b'];
const MATCHER =
  /\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)\s*(,|$)/y;

function unquote(quoted: string): string {
  const body = quoted.slice(1, -1);
  return quoted.startsWith('`') ? body : body.replace(/\\(.)/g, '$1');
}

function fullRegex(source: string): RegExp | undefined {
  try {
    return new RegExp(`^(?:${source})$`, 's');
  } catch {
    return undefined;
  }
}

/** Whether a series selector such as `{__name__=~".+"}` selects every series (true) or restricts them. */
export function selectsEverything(selector: string): boolean {
  const text = selector.trim();
  const open = text.indexOf('{');
  if (open !== 0 || !text.endsWith('}')) return false; // a metric name restricts the selection
  const inner = text.slice(1, -1).trim();
  if (inner === '') return true;
  MATCHER.lastIndex = 0;
  let position = 0;
  while (position < inner.length) {
    MATCHER.lastIndex = position;
    const match = MATCHER.exec(inner);
    if (match === null) return false;
    const [, , op, quoted = '""'] = match;
    const value = unquote(quoted);
    if (op === '=') return false;
    if (op === '!=' && value !== '') return false;
    if (op === '=~') {
      const re = fullRegex(value);
      if (re === undefined || !PROBES.every((p) => re.test(p))) return false;
    }
    if (op === '!~') {
      const re = fullRegex(value);
      if (re === undefined || PROBES.some((p) => re.test(p))) return false;
    }
    position = MATCHER.lastIndex;
  }
  return true;
}

export default defineRule({
  meta: {
    id: 'federation-scrape-all',
    description: 'A /federate job whose match[] selects every series.',
    defaultSeverity: 'warn',
    appliesTo: ['config'],
    messages: {
      selectsAll:
        'Federation job "{{job}}" asks for match[]={{selector}}, which selects every series: the source Prometheus becomes one massive target that must serve its whole head within scrape_timeout or the scrape fails (every series lost), and this Prometheus then parses and ingests it on one core. Federate aggregated series only (e.g. {__name__=~"job:.+"}).',
    },
    schema: z.strictObject({}),
  },
  create(context) {
    return {
      config(model) {
        for (const job of model.jobs) {
          if (!isFederation(job)) continue;
          for (const selector of job.params?.value['match[]'] ?? []) {
            if (selectsEverything(selector.value)) {
              context.report({
                messageId: 'selectsAll',
                data: { job: job.name.value, selector: selector.value },
                range: selector.range,
              });
            }
          }
        }
      },
    };
  },
});
