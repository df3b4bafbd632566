/**
 * A delaying relay between two topics, standing for what sits between a pushing app and the exposer in real
 * deployments (a stream processor, MirrorMaker, a backlogged partition): it consumes `from` and re-produces each
 * record to `to` after `delayMs()` milliseconds, keeping key, value, headers and the original record timestamp
 * (so the exposer's propagation-delay histogram sees the whole delay). Records are released in order of their
 * release time: with `keepOrder` they never overtake each other; a random delay without it reorders them.
 */
import type { Message } from 'kafkajs';
import { consumer, producer, uniqueName, type Scope } from './stack.js';

export interface RelayOptions {
  readonly brokers: string;
  readonly from: string;
  readonly to: string;
  /** Milliseconds to hold the record now arriving; read for every record, so a scenario can change it. */
  readonly delayMs: () => number;
  /**
   * Never release a record before one that arrived earlier (a lagging consumer catching up keeps the order).
   * Without it, lowering the delay or a random delay reorders records (jitter).
   */
  readonly keepOrder?: boolean;
}

export interface Relay {
  /** Records re-produced so far. */
  readonly forwarded: () => number;
}

export async function startRelay(options: RelayOptions, scope: Scope): Promise<Relay> {
  const out = producer(options.brokers);
  await out.connect();
  const input = consumer(options.brokers, uniqueName('lab-relay'));
  await input.connect();
  const held: { releaseAt: number; message: Message }[] = [];
  let forwarded = 0;
  let lastRelease = 0;
  let sending = false;
  const timer = setInterval(() => {
    if (sending || held.length === 0) return;
    const now = Date.now();
    held.sort((a, b) => a.releaseAt - b.releaseAt);
    let due = 0;
    while (due < held.length && held[due]!.releaseAt <= now) due++;
    if (due === 0) return;
    const batch = held.splice(0, due).map((h) => h.message);
    sending = true;
    out
      .send({ topic: options.to, messages: batch })
      .then(
        () => void (forwarded += batch.length),
        () => undefined,
      )
      .finally(() => {
        sending = false;
      });
  }, 20);
  const joined = new Promise<void>((resolve) => {
    input.on(input.events.GROUP_JOIN, () => resolve());
  });
  await input.subscribe({ topic: options.from, fromBeginning: true });
  await input.run({
    eachMessage: ({ message }) => {
      let releaseAt = Date.now() + Math.max(0, options.delayMs());
      if (options.keepOrder === true) releaseAt = Math.max(releaseAt, lastRelease);
      lastRelease = releaseAt;
      held.push({
        releaseAt,
        message: {
          key: message.key,
          value: message.value,
          timestamp: message.timestamp,
          ...(message.headers === undefined ? {} : { headers: message.headers }),
        },
      });
      return Promise.resolve();
    },
  });
  await joined;
  scope.defer(`relay ${options.from} -> ${options.to}`, async () => {
    clearInterval(timer);
    await input.disconnect().catch(() => undefined);
    await out.disconnect().catch(() => undefined);
  });
  return { forwarded: () => forwarded };
}
