/**
 * vitest global setup of the `integration` project: one real Kafka broker for the whole run, unless
 * KAFKA_BROKERS names one. The broker is stopped at the end, on Ctrl-C, and — through a watchdog — even when
 * vitest itself dies without running its teardown.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startBroker, stopBroker, waitForBroker } from '../deploy/kafka/broker.js';
import { freePortPair } from './ports.js';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env['KAFKA_BROKERS'];
  if (external) {
    await waitForBroker(external, 30_000);
    project.provide('kafkaBrokers', external);
    return () => Promise.resolve();
  }
  const stateDir = mkdtempSync(join(tmpdir(), 'queuefront-kafka-'));
  const port = await freePortPair();
  const broker = await startBroker({ port, stateDir, fresh: true }, (line) =>
    process.stderr.write(`kafka: ${line}\n`),
  );
  // Kills the broker if this process goes away without tearing down (SIGKILL of vitest, a crash).
  const watchdog = spawn(
    'sh',
    [
      '-c',
      `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; kill ${broker.pid} 2>/dev/null; sleep 10; kill -9 ${broker.pid} 2>/dev/null`,
    ],
    { detached: true, stdio: 'ignore' },
  );
  watchdog.unref();
  process.env['KAFKA_BROKERS'] = broker.brokers;
  project.provide('kafkaBrokers', broker.brokers);
  let stopped = false;
  const teardown = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await stopBroker({ stateDir, graceMs: 15_000 });
    watchdog.kill();
    rmSync(stateDir, { recursive: true, force: true });
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void teardown().finally(() => process.exit(130));
    });
  }
  return teardown;
}
