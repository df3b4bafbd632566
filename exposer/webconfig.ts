/**
 * `--web.config FILE`: the YAML of Prometheus's exporter-toolkit (`tls_server_config`, `basic_auth_users` with
 * bcrypt hashes), validated with zod. Unknown keys are errors, as in exporter-toolkit's strict unmarshalling.
 * Errors name the file, line, column and key. Relative file paths are resolved against the config's directory.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { LineCounter, isMap, isNode, isScalar, parseDocument } from 'yaml';
import { z } from 'zod';
import { formatPath } from './schema.js';

const BCRYPT = /^\$2[abxy]?\$\d\d\$[./A-Za-z0-9]{53}$/;

const tlsSchema = z.strictObject({
  cert_file: z.string({ error: 'expected a file path' }).min(1, 'is empty'),
  key_file: z.string({ error: 'expected a file path' }).min(1, 'is empty'),
  client_ca_file: z.string({ error: 'expected a file path' }).optional(),
  client_auth_type: z
    .enum(['NoClientCert', 'RequireAndVerifyClientCert'], {
      error:
        'expected NoClientCert or RequireAndVerifyClientCert (the other exporter-toolkit modes are not supported)',
    })
    .default('NoClientCert'),
  min_version: z.enum(['TLS12', 'TLS13'], { error: 'expected TLS12 or TLS13' }).default('TLS12'),
});

export const webConfigSchema = z.strictObject({
  tls_server_config: tlsSchema.optional(),
  basic_auth_users: z
    .record(
      z.string(),
      z
        .string({ error: 'expected a bcrypt hash' })
        .regex(BCRYPT, 'expected a bcrypt hash ($2y$10$...), not a password'),
    )
    .optional(),
  http_server_config: z
    .strictObject({
      headers: z.record(z.string(), z.string()).optional(),
    })
    .optional(),
});

export interface WebConfig {
  readonly tls?: {
    readonly certFile: string;
    readonly keyFile: string;
    readonly clientCaFile?: string;
    readonly clientAuthType: z.infer<typeof tlsSchema>['client_auth_type'];
    readonly minVersion: 'TLSv1.2' | 'TLSv1.3';
  };
  /** user -> bcrypt hash. */
  readonly users: ReadonlyMap<string, string>;
  /** Extra response headers. */
  readonly headers: ReadonlyMap<string, string>;
}

export class WebConfigError extends Error {
  override readonly name = 'WebConfigError';
}

/** Parses the YAML text of a web config; `file` is used in messages and to resolve relative paths. */
export function parseWebConfig(text: string, file: string): WebConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const pos = lineCounter.linePos(e.pos[0]);
    throw new WebConfigError(`${file}:${pos.line}:${pos.col}: ${e.message.split('\n')[0]}`);
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (error) {
    // The yaml library refuses to expand too many aliases (a "billion laughs" document) by throwing.
    throw new WebConfigError(
      `${file}: refused to expand aliases (more than 100, as in a "billion laughs" attack): ${(error as Error).message}`,
    );
  }
  const parsed = webConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    let path: PropertyKey[] = [...issue.path];
    let message = issue.message;
    let at = '';
    if (issue.code === 'unrecognized_keys') {
      const key = issue.keys[0] ?? '';
      const parent: unknown = doc.getIn(path as (string | number)[], true);
      const pair = isMap(parent)
        ? parent.items.find((item) => isScalar(item.key) && item.key.value === key)
        : undefined;
      if (pair !== undefined && isNode(pair.key) && pair.key.range) {
        const pos = lineCounter.linePos(pair.key.range[0]);
        at = `:${pos.line}:${pos.col}`;
      }
      path = [...path, key];
      message = 'unknown key';
    }
    // Point at the deepest node of the path that exists in the document.
    for (let n = path.length; n >= 0 && at === ''; n--) {
      const node: unknown = doc.getIn(path.slice(0, n) as (string | number)[], true);
      if (isNode(node) && node.range !== undefined && node.range !== null) {
        const pos = lineCounter.linePos(node.range[0]);
        at = `:${pos.line}:${pos.col}`;
        break;
      }
    }
    throw new WebConfigError(`${file}${at}: ${formatPath(path)}: ${message}`);
  }
  const c = parsed.data;
  const base = dirname(file);
  const users = new Map<string, string>();
  for (const name of Object.keys(c.basic_auth_users ?? {})) users.set(name, c.basic_auth_users![name]!);
  const tls = c.tls_server_config;
  return {
    ...(tls === undefined
      ? {}
      : {
          tls: {
            certFile: resolve(base, tls.cert_file),
            keyFile: resolve(base, tls.key_file),
            ...(tls.client_ca_file === undefined ? {} : { clientCaFile: resolve(base, tls.client_ca_file) }),
            clientAuthType: tls.client_auth_type,
            minVersion: tls.min_version === 'TLS13' ? 'TLSv1.3' : 'TLSv1.2',
          },
        }),
    users,
    headers: new Map(Object.entries(c.http_server_config?.headers ?? {})),
  };
}

export async function loadWebConfig(file: string): Promise<WebConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new WebConfigError(
      `${file}: cannot read the web config: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
  return parseWebConfig(text, file);
}
