/** Helpers for integration tests that talk to the real broker started by test/global-setup.ts. */
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { inject } from 'vitest';
import { createReadyTopic } from './topics.js';

export function brokers(): string {
  return process.env['KAFKA_BROKERS'] ?? inject('kafkaBrokers');
}

/** Topic names unique to a test, so that test files can run in parallel on one broker. */
export function uniqueTopic(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

export function kafka(clientId = 'queuefront-test'): Kafka {
  return new Kafka({ clientId, brokers: brokers().split(','), logLevel: logLevel.NOTHING });
}

/** Creates the topic on the suite's broker and waits until every partition has a leader (test/topics.ts). */
export function createTopic(name: string, partitions = 1): Promise<void> {
  return createReadyTopic(kafka(), name, partitions);
}
