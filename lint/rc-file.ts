/**
 * The contents of `.scrapelintrc.yaml` (or `--config FILE`): which rules run, how severe, with which options, and
 * which files are ignored. zod is the single source of truth for the file's shape. Finding the file and `--rule`
 * are in lint/rc.ts, which imports this module (and the yaml package) only when there is a file to read.
 *
 *   hygiene: true
 *   ignore: ['vendor/**']
 *   rules:
 *     single-massive-target: error
 *     missing-up-series: [warn, { sourceLabels: [job, instance, app] }]
 *     scrape-timeout: { severity: error, options: { lookback: 10m } }
 */
import { isMap, isNode, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Document } from 'yaml';
import { z } from 'zod';
import { describeZodError, findRule } from './engine.js';
import type { LintSettings, RuleSetting } from './engine.js';
import { configError } from './errors.js';
import type { Severity } from './types.js';

const severity = z
  .union([z.enum(['off', 'warn', 'error']), z.literal(0), z.literal(1), z.literal(2)])
  .transform((s): Severity => (s === 0 ? 'off' : s === 1 ? 'warn' : s === 2 ? 'error' : s));

const ruleEntry = z.union(
  [
    severity.transform((s): RuleSetting => ({ severity: s })),
    z
      .tuple([severity])
      .rest(z.unknown())
      .transform((t): RuleSetting => (t.length > 1 ? { severity: t[0], options: t[1] } : { severity: t[0] })),
    z
      .strictObject({ severity: severity.optional(), options: z.unknown().optional() })
      .transform((o): RuleSetting => ({
        ...(o.severity === undefined ? {} : { severity: o.severity }),
        ...(o.options === undefined ? {} : { options: o.options }),
      })),
  ],
  {
    // zod's own words for a failed union are "Invalid input": say what a rule's entry may be.
    error: (issue) =>
      issue.code === 'invalid_union'
        ? `expected off, warn or error (or 0, 1, 2), [severity, options] or { severity, options }, not ${JSON.stringify(issue.input)}`
        : undefined,
  },
);

const RC_KEYS = ['hygiene', 'ignore', 'rules'];

export const rcSchema = z.strictObject(
  {
    hygiene: z.boolean().optional(),
    ignore: z.array(z.string().min(1)).optional(),
    rules: z.record(z.string(), ruleEntry).optional(),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown key "${issue.keys[0] ?? ''}" (the keys are ${RC_KEYS.join(', ')})`
        : undefined,
  },
);

export interface RcFile {
  readonly path?: string;
  readonly settings: LintSettings;
  readonly ignore: readonly string[];
}

type RcPath = readonly PropertyKey[];

/**
 * Where in the rc text a path of its data is, as `line:column` (1-based): the node at the path, or the deepest
 * one that exists (a missing key points at the mapping that lacks it); `key` points at a mapping's key instead
 * of its value (an unknown key or rule id).
 */
function locate(doc: Document, lines: LineCounter, path: RcPath, key?: string): string {
  let node: unknown = doc.contents;
  let at: number = doc.contents?.range?.[0] ?? 0;
  const steps = key === undefined ? path : [...path, key];
  for (const [i, step] of steps.entries()) {
    if (!isMap(node) && !isSeq(node)) break;
    const pair = isMap(node)
      ? node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(step))
      : undefined;
    const child = isMap(node) ? pair?.value : node.items[Number(step)];
    if (key !== undefined && i === steps.length - 1 && pair !== undefined && isNode(pair.key)) {
      at = pair.key.range?.[0] ?? at;
      break;
    }
    if (!isNode(child)) {
      // A key with no value (`hygiene:`) points at its key.
      if (pair !== undefined && isNode(pair.key)) at = pair.key.range?.[0] ?? at;
      break;
    }
    node = child;
    at = child.range?.[0] ?? at;
  }
  const { line, col } = lines.linePos(at);
  return `${line}:${col}`;
}

/** The path of a zod issue, reaching into the first unknown key of an unrecognized_keys issue. */
function issueWhere(issue: z.core.$ZodIssue): { path: RcPath; key?: string } {
  if (issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined)
    return { path: issue.path, key: issue.keys[0] };
  return { path: issue.path };
}

/**
 * Parses and validates rc text; every problem is a configuration error naming the file and the place in it
 * (`file:line:column: message`, as the findings are placed), from the positions the `yaml` package keeps.
 */
export function parseRc(text: string, path: string): RcFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, lineCounter: lines, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax !== undefined) {
    const { line, col } = lines.linePos(Math.min(syntax.pos[0], text.length));
    throw configError(`${path}:${line}:${col}: invalid YAML: ${syntax.message.split('\n')[0] ?? ''}`);
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (error) {
    throw configError(
      `${path}:${locate(doc, lines, [])}: invalid YAML: ${(error as Error).message.split('\n')[0] ?? ''}`,
    );
  }
  const parsed = rcSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    if (issue === undefined) throw configError(`${path}: invalid`);
    const { path: at, key } = issueWhere(issue);
    const where = at.length > 0 ? ` at ${at.map(String).join('.')}` : '';
    throw configError(`${path}:${locate(doc, lines, at, key)}: ${issue.message}${where}`);
  }
  for (const [id, setting] of Object.entries(parsed.data.rules ?? {})) {
    const rule = findRule(id);
    if (rule === undefined) {
      throw configError(
        `${path}:${locate(doc, lines, ['rules'], id)}: unknown rule "${id}" (scrapelint rules lists them)`,
      );
    }
    if (setting.options === undefined) continue;
    const options = rule.meta.schema.safeParse(setting.options);
    if (options.success) continue;
    // Options stand second in the list form ([warn, {...}]), under `options` in the mapping form.
    const entry = doc.getIn(['rules', id]);
    const base: RcPath = isSeq(entry) ? ['rules', id, 1] : ['rules', id, 'options'];
    const first = options.error.issues[0];
    const { path: inner, key } = first === undefined ? { path: [] } : issueWhere(first);
    throw configError(
      `${path}:${locate(doc, lines, [...base, ...inner], key)}: invalid options for rule ${id}: ${describeZodError(options.error)}`,
    );
  }
  const settings: LintSettings = {
    ...(parsed.data.hygiene === undefined ? {} : { hygiene: parsed.data.hygiene }),
    ...(parsed.data.rules === undefined ? {} : { rules: parsed.data.rules }),
  };
  return { path, settings, ignore: parsed.data.ignore ?? [] };
}
