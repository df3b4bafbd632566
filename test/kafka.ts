/** Helpers for integration tests that talk to the real broker started by test/global-setup.ts. */
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { inject } from 'vitest';

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

export async function createTopic(name: string, partitions = 1): Promise<void> {
  const admin = kafka().admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic: name, numPartitions: partitions }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}
