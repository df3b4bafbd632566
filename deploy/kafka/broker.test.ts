import { createServer, type Server } from 'node:net';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BrokerError,
  checkJava,
  checkMaven,
  defaultOptions,
  kafkaVersion,
  newClusterId,
  startBroker,
} from './broker.js';

describe('the Kafka broker script (no broker started)', () => {
  let server: Server | undefined;
  const dirs: string[] = [];
  /** A temporary directory removed after the test. */
  const tempDir = (prefix: string): string => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    server?.close();
    server = undefined;
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('pins one 4.x Kafka version in pom.xml', () => {
    expect(kafkaVersion()).toMatch(/^4\.\d+\.\d+$/);
  });

  it('makes cluster ids the storage tool accepts: 22 base64url characters, never a leading - or _', () => {
    // 0xf8 and 0xfc as the first byte give '-' and '_' as the first character of plain base64url.
    for (const first of [0xf8, 0xfc, 0xff, 0x00, 0x7f]) {
      const bytes = Buffer.alloc(16, 0xab);
      bytes[0] = first;
      const id = newClusterId(bytes);
      expect(id).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]{21}$/);
      expect(bytes[0]).toBe(first); // the caller's bytes are not changed
    }
    expect(newClusterId()).not.toBe(newClusterId());
  });

  it('rejects a KAFKA_PORT that is not a port, naming the variable', () => {
    expect(() => defaultOptions({ KAFKA_PORT: 'abc' })).toThrow(/KAFKA_PORT=abc is not a port number/);
    expect(() => defaultOptions({ KAFKA_PORT: '70000' })).toThrow(BrokerError);
    expect(defaultOptions({}).port).toBe(9092);
  });

  it('refuses a taken port with the fix instead of starting a second broker', async () => {
    server = createServer();
    const port = await new Promise<number>((resolve) =>
      server!.listen(0, '127.0.0.1', () => resolve((server!.address() as { port: number }).port)),
    );
    const stateDir = tempDir('queuefront-broker-test-');
    await expect(startBroker({ port, stateDir })).rejects.toThrow(
      new RegExp(`port ${port} on 127.0.0.1 is taken by another process.*KAFKA_PORT`),
    );
  });

  it('names the fix when Java is older than 17 or missing, and accepts 17+', () => {
    const dir = tempDir('queuefront-java-');
    const fakeJava = (name: string, version: string): string => {
      const file = join(dir, name);
      writeFileSync(file, `#!/bin/sh\necho 'openjdk version "${version}" 2021-01-19' >&2\n`);
      chmodSync(file, 0o755);
      return file;
    };
    expect(() => checkJava(fakeJava('java11', '11.0.2'))).toThrow(
      /needs Java 17 or newer; found version "11/,
    );
    expect(() => checkJava(fakeJava('java8', '1.8.0_292'))).toThrow(/needs Java 17 or newer/);
    expect(() => checkJava(fakeJava('java17', '17.0.15'))).not.toThrow();
    expect(() => checkJava(fakeJava('java21', '21'))).not.toThrow();
    expect(() => checkJava(join(dir, 'no-java'))).toThrow(/java was not found.*openjdk-17/);
  });

  it('names the fix when Maven is missing', () => {
    expect(() => checkMaven('/nonexistent/mvn')).toThrow(/mvn was not found.*apt-get install maven/);
  });
});
