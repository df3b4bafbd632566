import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadWebConfig, parseWebConfig, WebConfigError } from './webconfig.js';

const HASH = '$2y$10$X0U0BLVHQ2bgqJg7uYFl2O0Z3cMYFlS1x8u4b7Nw0r.tKjH3T8d8e';

describe('parseWebConfig', () => {
  it('reads TLS files (relative to the config) and bcrypt users', () => {
    const c = parseWebConfig(
      `tls_server_config:\n  cert_file: tls/server.crt\n  key_file: /abs/server.key\n  min_version: TLS13\nbasic_auth_users:\n  alice: ${HASH}\n  constructor: ${HASH}\n`,
      '/etc/exposer/web.yml',
    );
    expect(c.tls).toEqual({
      certFile: '/etc/exposer/tls/server.crt',
      keyFile: '/abs/server.key',
      clientAuthType: 'NoClientCert',
      minVersion: 'TLSv1.3',
    });
    expect([...c.users.keys()]).toEqual(['alice', 'constructor']);
    expect(c.users.get('toString')).toBeUndefined();
  });

  it('accepts an empty file (no TLS, no auth)', () => {
    const c = parseWebConfig('', 'web.yml');
    expect(c.tls).toBeUndefined();
    expect(c.users.size).toBe(0);
  });

  it.each([
    [
      'basic_auth_users:\n  alice: hunter2\n',
      'web.yml:2:10: basic_auth_users.alice: expected a bcrypt hash ($2y$10$...), not a password',
    ],
    [
      'tls_server_config:\n  cert_file: a.crt\n',
      'web.yml:2:3: tls_server_config.key_file: expected a file path',
    ],
    [
      'tls_server_config:\n  cert_file: a\n  key_file: b\n  cert_fil: c\n',
      'web.yml:4:3: tls_server_config.cert_fil: unknown key',
    ],
    ['tls_config:\n  cert_file: a\n', 'web.yml:1:1: tls_config: unknown key'],
    [
      'tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: VerifyClientCertIfGiven\n',
      'web.yml:4:21: tls_server_config.client_auth_type: expected NoClientCert or RequireAndVerifyClientCert',
    ],
    ['basic_auth_users: [a, b]\n', 'web.yml:1:19: basic_auth_users:'],
    ['a: [\n', 'web.yml:'],
    ['a: 1\na: 2\n', 'web.yml:2:1: '],
  ])('refuses %j naming line, column and key', (text, message) => {
    expect(() => parseWebConfig(text, 'web.yml')).toThrow(WebConfigError);
    expect(() => parseWebConfig(text, 'web.yml')).toThrow(message);
  });

  it('loadWebConfig reads a file and names it when missing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'webcfg-'));
    const file = join(dir, 'web.yml');
    writeFileSync(file, `basic_auth_users:\n  bob: ${HASH}\n`);
    expect((await loadWebConfig(file)).users.has('bob')).toBe(true);
    await expect(loadWebConfig(join(dir, 'nope.yml'))).rejects.toThrow(
      `${join(dir, 'nope.yml')}: cannot read the web config: ENOENT`,
    );
  });
});
