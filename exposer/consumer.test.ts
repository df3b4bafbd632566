import { createServer, type Socket } from 'node:net';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { KafkaIngest } from './consumer.js';
import { createExposerMetrics } from './metrics.js';
import { DEFAULT_STORE_OPTIONS, Store } from './store.js';

/** Yields to the event loop until `check` holds (at most 2,000 turns of 5 ms). */
async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`${what}: never happened`);
}

describe('KafkaIngest.stop()', () => {
  it('does not wait for a connection attempt to a broker that accepts and never answers', async () => {
    // A broker host that is up but whose Kafka is hung: kafkajs would wait out its request timeout and retries
    // (minutes) before the consumer loop noticed it was asked to stop.
    const sockets = new Set<Socket>();
    const blackHole = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
    const address = blackHole.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const metrics = createExposerMetrics();
    const ingest = new KafkaIngest(
      {
        brokers: [`127.0.0.1:${port}`],
        topics: ['metrics'],
        group: 'g',
        clientId: 'consumer-test',
        createTopic: true,
        partitions: 1,
        replayWindowMs: 60_000,
        maxMessageBytes: 1024 * 1024,
      },
      new Store(DEFAULT_STORE_OPTIONS, metrics),
      metrics,
      pino({ level: 'silent' }),
    );
    try {
      ingest.start();
      await until('the consumer reached the broker', () => sockets.size > 0);
      await ingest.stop();
      expect(ingest.readiness().ready).toBe(false);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => blackHole.close(resolve));
    }
    // Stopping takes milliseconds; waiting for the attempt would take at least kafkajs' 10 s request timeout.
  }, 5000);
});
