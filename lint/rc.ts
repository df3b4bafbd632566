/**
 * Where scrapelint's settings come from: `--config FILE`, else the nearest `.scrapelintrc.yaml` upwards, else the
 * defaults; then `--rule id=severity` on top. The file itself is parsed by lint/rc-file.ts, imported only when
 * there is a file, so that a run without one (`--no-rc`, a pre-commit hook in a repository without a file) does
 * not load the yaml package.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { validateSettings } from './engine.js';
import type { LintSettings, RuleSetting } from './engine.js';
import { configError, describeIoError, ioError } from './errors.js';
import type { RcFile } from './rc-file.js';
import type { Severity } from './types.js';

export type { RcFile } from './rc-file.js';

export const RC_NAMES = ['.scrapelintrc.yaml', '.scrapelintrc.yml'] as const;

async function parseRc(text: string, path: string): Promise<RcFile> {
  const { parseRc: parse } = await import('./rc-file.js');
  return parse(text, path);
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
    rc = await parseRc(text, options.configFile);
  } else if (options.noConfig !== true) {
    const found = await findRc(options.cwd);
    if (found) rc = await parseRc(found.text, found.path);
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
