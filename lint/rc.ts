/**
 * `.scrapelintrc.yaml` (or `--config FILE`) and `--rule id=severity`: which rules run, how severe, with which
 * options, and which files are ignored. zod is the single source of truth for the file's shape.
 *
 *   hygiene: true
 *   ignore: ['vendor/**']
 *   rules:
 *     single-massive-target: error
 *     missing-up-series: [warn, { sourceLabels: [job, instance, app] }]
 *     scrape-timeout: { severity: error, options: { lookback: 10m } }
 */
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { validateSettings } from './engine.js';
import type { LintSettings, RuleSetting } from './engine.js';
import { configError, describeIoError, ioError } from './errors.js';
import type { Severity } from './types.js';

export const RC_NAMES = ['.scrapelintrc.yaml', '.scrapelintrc.yml'] as const;

const severity = z
  .union([z.enum(['off', 'warn', 'error']), z.literal(0), z.literal(1), z.literal(2)])
  .transform((s): Severity => (s === 0 ? 'off' : s === 1 ? 'warn' : s === 2 ? 'error' : s));

const ruleEntry = z.union([
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
]);

export const rcSchema = z.strictObject({
  hygiene: z.boolean().optional(),
  ignore: z.array(z.string().min(1)).optional(),
  rules: z.record(z.string(), ruleEntry).optional(),
});

export interface RcFile {
  readonly path?: string;
  readonly settings: LintSettings;
  readonly ignore: readonly string[];
}

/** Parses and validates rc text; every problem is a configuration error naming the file. */
export function parseRc(text: string, path: string): RcFile {
  let data: unknown;
  try {
    data = parseYaml(text, { prettyErrors: false, maxAliasCount: 100 }) ?? {};
  } catch (error) {
    throw configError(`${path}: invalid YAML: ${(error as Error).message.split('\n')[0] ?? ''}`);
  }
  const parsed = rcSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    throw configError(`${path}: ${issue?.message ?? 'invalid'}${where}`);
  }
  const settings: LintSettings = {
    ...(parsed.data.hygiene === undefined ? {} : { hygiene: parsed.data.hygiene }),
    ...(parsed.data.rules === undefined ? {} : { rules: parsed.data.rules }),
  };
  validateSettings(settings, path);
  return { path, settings, ignore: parsed.data.ignore ?? [] };
}

/** `id=off|warn|error` (or 0/1/2). */
export function parseRuleFlag(flag: string): [string, Severity] {
  const match = /^([^=\s]+)=(off|warn|error|0|1|2)$/.exec(flag.trim());
  if (match === null) throw configError(`--rule ${flag}: expected id=off|warn|error`);
  const [, id = '', value = ''] = match;
  const s: Severity =
    value === '0' ? 'off' : value === '1' ? 'warn' : value === '2' ? 'error' : (value as Severity);
  return [id, s];
}

async function findRc(cwd: string): Promise<{ path: string; text: string } | undefined> {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    for (const name of RC_NAMES) {
      const path = join(dir, name);
      try {
        return { path, text: await readFile(path, 'utf8') };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
          throw ioError(`${path}: ${describeIoError(error)}`, error);
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** Loads `--config FILE`, else the nearest `.scrapelintrc.yaml` upward from cwd, else defaults; then applies flags. */
export async function loadSettings(options: {
  cwd: string;
  configFile?: string | undefined;
  noConfig?: boolean | undefined;
  ruleFlags?: readonly string[] | undefined;
  hygiene?: boolean | undefined;
}): Promise<RcFile> {
  let rc: RcFile = { settings: {}, ignore: [] };
  if (options.configFile !== undefined) {
    const path = resolve(options.cwd, options.configFile);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw ioError(`${options.configFile}: ${describeIoError(error)}`, error);
    }
    rc = parseRc(text, options.configFile);
  } else if (options.noConfig !== true) {
    const found = await findRc(options.cwd);
    if (found) rc = parseRc(found.text, found.path);
  }
  const rules: Record<string, RuleSetting> = { ...rc.settings.rules };
  for (const flag of options.ruleFlags ?? []) {
    const [id, s] = parseRuleFlag(flag);
    rules[id] = { ...rules[id], severity: s };
  }
  const settings: LintSettings = { rules, hygiene: options.hygiene === true || rc.settings.hygiene === true };
  validateSettings(settings, '--rule');
  return { ...rc, settings };
}
