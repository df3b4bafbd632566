/**
 * Kafka → store. A kafkajs consumer group member that applies each record to the store and commits offsets only
 * after the records are applied. On every assignment it replays the partitions it gained from `now - replay
 * window` (ListOffsets by time), so a restarted or newly assigned exposer serves current values without waiting
 * for the next push; it is ready only when the replay reached the end of every assigned partition. Partitions it
 * loses take their sources with them. When the broker is away it keeps serving what it holds, says so
 * (`exposer_kafka_connected 0`, not ready) and reconnects with backoff; a transient error never ends the process.
 *
 * Offsets are committed after the records are applied (at least once), but not on the path a record takes to the
 * store: see COMMIT_INTERVAL_MS. Fetching and applying overlap: see MAX_QUEUED_BATCHES.
 */
import { Kafka, logLevel, type Admin, type Consumer, type EachBatchPayload, type LogEntry } from 'kafkajs';
import type { Logger } from 'pino';
import { EXPOSER_ASSIGNERS } from './assigner.js';
import { decodeRecord, type RawRecord } from './decode.js';
import { countRejection, type ExposerMetrics } from './metrics.js';
import type { Store } from './store.js';

export interface IngestOptions {
  readonly brokers: readonly string[];
  readonly topics: readonly string[];
  readonly group: string;
  readonly clientId: string;
  readonly createTopic: boolean;
  readonly partitions: number;
  readonly replayWindowMs: number;
  readonly maxMessageBytes: number;
  /** Sample timestamps further ahead of now are refused (0 = no check); decode's default when absent. */
  readonly maxFutureSkewMs?: number;
}

interface PartitionState {
  /** The offset the replay must reach (the high watermark when the partition was assigned). */
  target: bigint;
  /** The next offset to apply. */
  next: bigint;
  caughtUp: boolean;
}

const key = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/** A record key as a log shows it: text, at most 200 characters (a key is the producer's, of any size). */
function shownKey(recordKey: Buffer | null): string | null {
  if (recordKey === null) return null;
  const text = recordKey.toString('utf8');
  return text.length > 200 ? `${text.slice(0, 200)}... (${recordKey.length} bytes)` : text;
}

/**
 * Fetch settings, chosen for propagation delay (bench/p5-delay.ts: record timestamp to visible at /metrics).
 * kafkajs fetches, then hands the whole response to eachBatch and sends the next fetch only when eachBatch and
 * what follows it have finished, so a record waits for the batch before it and for every round trip between two
 * fetches. `minBytes: 1` makes the broker answer as soon as one record is there (an idle fetch is parked by the
 * broker and answered the moment a record arrives, so `maxWaitTimeInMs` adds nothing to the delay); waiting for
 * fuller fetches would trade delay for fewer requests, and at 10k records/s every fetch is full anyway.
 * `maxWaitTimeInMs` is shorter than the kafkajs default (5 s) because Kafka answers one request per connection at
 * a time and kafkajs sends heartbeats and commits on the connection that holds the parked fetch: on an idle topic
 * they would wait up to 5 s behind it.
 */
const FETCH_MIN_BYTES = 1;
const FETCH_MAX_WAIT_MS = 1000;

/**
 * How often applied offsets are committed. kafkajs with `autoCommit: true` commits after every batch and waits
 * for the answer before the next fetch: one more broker round trip between two fetches, which every record that
 * arrives meanwhile waits for. With `autoCommit: false` the consumer commits its own record of what it applied
 * (`toCommit`: the next offset per partition; never kafkajs' fetch position, which runs ahead), in the
 * background, at most once per interval and one commit at a time; on stop it commits what is left. A restart or a
 * new owner re-reads at most the records applied since the last commit (at least once). A partition kept across a
 * rebalance is resumed by kafkajs from its committed offset; the records below `PartitionState.next` were applied
 * already and are skipped, so a source never goes back in time.
 */
const COMMIT_INTERVAL_MS = 1000;

/**
 * Batches fetched ahead of the one being applied. kafkajs fetches again only when eachBatch returns, so eachBatch
 * queues the batch, resolves its offsets (kafkajs' fetch position, not what is committed) and returns: the broker
 * prepares the next fetch while this batch is applied, instead of the applier idling for every round trip. Two
 * batches bound the memory to about two fetches (`maxBytes`); eachBatch waits (heartbeating) when the queue is full.
 */
const MAX_QUEUED_BATCHES = 2;
/** Applying yields to the event loop after this long, so that kafkajs heartbeats and scrapes are served. */
const APPLY_SLICE_MS = 50;

export class KafkaIngest {
  private readonly kafka: Kafka;
  private consumer: Consumer | undefined;
  private readonly assigned = new Map<string, PartitionState>();
  private connected = false;
  private joined = false;
  private stopping = false;
  private lastError = 'not connected yet';
  private replayStartedAt = 0;
  private loop: Promise<void> | undefined;
  /** Resolved by stop(): a connection attempt or a reconnect backoff in progress is not waited for. */
  private requestStop: () => void = () => undefined;
  private readonly stopRequested = new Promise<void>((resolve) => (this.requestStop = resolve));
  /** The admin client runOnce is setting topics up with, for stop() to disconnect. */
  private setupAdmin: Admin | undefined;

  constructor(
    private readonly options: IngestOptions,
    private readonly store: Store,
    private readonly metrics: ExposerMetrics,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    const kafkaLogger = logger.child({ component: 'kafkajs' });
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: [...options.brokers],
      connectionTimeout: 3000,
      requestTimeout: 10_000,
      retry: { initialRetryTime: 300, maxRetryTime: 5000, retries: 8 },
      logLevel: logLevel.WARN,
      logCreator:
        () =>
        ({ level, log }: LogEntry) => {
          const { message, ...rest } = log;
          if (level <= logLevel.ERROR) kafkaLogger.warn(rest, message);
          else kafkaLogger.debug(rest, message);
        },
    });
  }

  /** Ready: connected, in the group, and every assigned partition replayed to where it stood when assigned. */
  readiness(): { ready: boolean; reason?: string } {
    if (!this.connected) return { ready: false, reason: `Kafka is not reachable: ${this.lastError}` };
    if (!this.joined) return { ready: false, reason: 'joining the consumer group' };
    const behind = [...this.assigned.values()].filter((p) => !p.caughtUp).length;
    if (behind > 0) return { ready: false, reason: `replaying ${behind} partition(s)` };
    return { ready: true };
  }

  assignedPartitions(): { topic: string; partition: number; caughtUp: boolean }[] {
    return [...this.assigned.entries()].map(([k, state]) => {
      const [topic = '', partition = '0'] = k.split('\u0000');
      return { topic, partition: Number(partition), caughtUp: state.caughtUp };
    });
  }

  /** Starts consuming in the background; never rejects. */
  start(): void {
    this.loop ??= this.runForever();
    this.probeTimer ??= setInterval(() => void this.probe(), 2000);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.requestStop();
    if (this.probeTimer) clearInterval(this.probeTimer);
    // Not waited for: against a hung broker a disconnect waits for the request in flight (10 s).
    void this.probeAdmin?.disconnect().catch(() => undefined);
    void this.setupAdmin?.disconnect().catch(() => undefined);
    this.queueSpace?.();
    await this.draining;
    await this.commitLeft();
    await this.consumer?.disconnect().catch(() => undefined);
    await this.loop;
  }

  /** The eachBatch payload of the last batch: its closure commits offsets for the group's current generation. */
  private lastPayload: EachBatchPayload | undefined;
  private committing: Promise<void> | undefined;
  private lastCommitMs = 0;
  /**
   * The next offset of each partition after what was applied, not yet committed. Tracked here rather than taken
   * from kafkajs' uncommitted offsets: kafkajs counts the offset it started a new group at as committed, so the
   * records applied up to exactly that offset would never be committed.
   */
  private readonly toCommit = new Map<string, { topic: string; partition: number; offset: string }>();

  /** Commits what was applied, in the background, when the interval has passed; one commit at a time. */
  private commitInBackground(payload: EachBatchPayload): void {
    if (this.committing !== undefined || this.now() - this.lastCommitMs < COMMIT_INTERVAL_MS) return;
    this.committing = this.commitApplied(payload)
      .catch((error: unknown) => {
        // The next commit carries these offsets too; a rebalance makes the new owner re-read them (at least once).
        this.logger.debug({ err: error instanceof Error ? error.message : String(error) }, 'commit failed');
      })
      .finally(() => {
        this.committing = undefined;
      });
  }

  private async commitApplied(payload: EachBatchPayload): Promise<void> {
    this.lastCommitMs = this.now();
    const taken = [...this.toCommit.entries()];
    if (taken.length === 0) return;
    this.toCommit.clear();
    const topics = new Map<string, { partition: number; offset: string }[]>();
    for (const [, { topic, partition, offset }] of taken) {
      const partitions = topics.get(topic) ?? [];
      partitions.push({ partition, offset });
      topics.set(topic, partitions);
    }
    try {
      await payload.commitOffsetsIfNecessary({
        topics: [...topics].map(([topic, partitions]) => ({ topic, partitions })),
      });
    } catch (error) {
      // Put back what no newer batch has replaced, for the next attempt.
      for (const [k, entry] of taken)
        if (!this.toCommit.has(k) && this.assigned.has(k)) this.toCommit.set(k, entry);
      throw error;
    }
  }

  /** On stop: one attempt, at most 3 s, to commit what was applied since the last commit. */
  private async commitLeft(): Promise<void> {
    const payload = this.lastPayload;
    if (payload === undefined) return;
    const commit = async (): Promise<void> => {
      await this.committing;
      await this.commitApplied(payload);
    };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((_, reject) => {
      timer = setTimeout(() => reject(new Error('no answer within 3 s')), 3000);
    });
    try {
      await Promise.race([commit(), timeout]);
    } catch (error) {
      this.logger.warn(
        { err: error instanceof Error ? error.message : String(error) },
        'could not commit the last applied offsets; whoever reads the partition next re-reads them',
      );
    } finally {
      clearTimeout(timer);
    }
  }

  private probeTimer: NodeJS.Timeout | undefined;
  private probeAdmin: Admin | undefined;
  private probing = false;

  /**
   * kafkajs says little while a broker is unreachable (a consumer may retry for a long time before it crashes), so
   * a metadata request every 2 s decides `exposer_kafka_connected` and readiness: 0 within seconds of the broker
   * going away, 1 again as soon as it answers.
   */
  private async probe(): Promise<void> {
    if (this.probing || this.stopping) return;
    this.probing = true;
    try {
      this.probeAdmin ??= this.kafka.admin({ retry: { retries: 0 } });
      const admin = this.probeAdmin;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('metadata request timed out after 3 s')), 3000);
      });
      try {
        await Promise.race([admin.connect().then(() => admin.describeCluster()), timeout]);
      } finally {
        clearTimeout(timer);
      }
      if (!this.connected) this.setConnected(true);
    } catch (error) {
      this.setConnected(
        false,
        `broker did not answer: ${error instanceof Error ? error.message : String(error)}`,
      );
      const admin = this.probeAdmin;
      this.probeAdmin = undefined;
      await admin?.disconnect().catch(() => undefined);
    } finally {
      this.probing = false;
    }
  }

  private setConnected(value: boolean, error?: string): void {
    this.connected = value;
    if (error) this.lastError = error;
    this.metrics.kafkaConnected.set(value ? 1 : 0);
  }

  private async runForever(): Promise<void> {
    let backoff = 500;
    while (!this.stopping) {
      try {
        // While the broker is away, kafkajs retries a connection for up to half a minute: stop() does not wait
        // for that (a run left behind gives up on its own, and applies nothing: it sees `stopping`).
        const run = this.runOnce();
        run.catch(() => undefined);
        await Promise.race([run, this.stopRequested]);
        return;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        this.setConnected(false, message);
        this.joined = false;
        this.logger.warn({ err: message, retryInMs: backoff }, 'Kafka consumer failed; reconnecting');
        await this.consumer?.disconnect().catch(() => undefined);
        this.consumer = undefined;
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          new Promise((resolve) => {
            timer = setTimeout(resolve, backoff);
          }),
          this.stopRequested,
        ]);
        clearTimeout(timer);
        backoff = Math.min(backoff * 2, 10_000);
      }
    }
  }

  private async ensureTopics(admin: Admin): Promise<void> {
    const existing = new Set(await admin.listTopics());
    const missing = this.options.topics.filter((t) => !existing.has(t));
    if (missing.length === 0) return;
    if (!this.options.createTopic) {
      throw new Error(`topic(s) ${missing.join(', ')} do not exist and --no-create-topic is set`);
    }
    await admin.createTopics({
      topics: missing.map((topic) => ({ topic, numPartitions: this.options.partitions })),
      waitForLeaders: true,
    });
    this.logger.info({ topics: missing, partitions: this.options.partitions }, 'created topic(s)');
  }

  private async runOnce(): Promise<void> {
    const admin = this.kafka.admin();
    this.setupAdmin = admin;
    try {
      await admin.connect();
      await this.ensureTopics(admin);
    } finally {
      this.setupAdmin = undefined;
      await admin.disconnect();
    }
    if (this.stopping) return;
    const consumer = this.kafka.consumer({
      groupId: this.options.group,
      sessionTimeout: 10_000,
      rebalanceTimeout: 15_000,
      heartbeatInterval: 1000,
      minBytes: FETCH_MIN_BYTES,
      maxWaitTimeInMs: FETCH_MAX_WAIT_MS,
      maxBytes: Math.max(10 * 1024 * 1024, this.options.maxMessageBytes * 2),
      maxBytesPerPartition: Math.max(1024 * 1024, this.options.maxMessageBytes + 1024),
      retry: { retries: 8, initialRetryTime: 300, maxRetryTime: 5000 },
      partitionAssigners: EXPOSER_ASSIGNERS,
    });
    this.consumer = consumer;
    // Batches of a consumer that failed are not applied: the new one fetches from the committed offsets.
    this.queue.length = 0;
    let crashed: ((error: Error) => void) | undefined;
    const crash = new Promise<never>((_, reject) => {
      crashed = reject;
    });
    consumer.on(consumer.events.CONNECT, () => this.setConnected(true));
    consumer.on(consumer.events.DISCONNECT, () => this.setConnected(false, 'disconnected'));
    consumer.on(consumer.events.FETCH_START, () => {
      if (!this.connected) this.setConnected(true);
    });
    consumer.on(consumer.events.REQUEST_TIMEOUT, () => this.setConnected(false, 'request timed out'));
    consumer.on(consumer.events.CRASH, (event) => {
      const error = event.payload.error;
      this.setConnected(false, error.message);
      this.joined = false;
      // kafkajs restarts by itself after retriable errors; anything else ends this run and runForever starts anew.
      if (!event.payload.restart) crashed?.(error);
    });
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      this.joined = false;
      this.metrics.rebalances.inc();
      this.assignments = this.assignments
        .then(() => this.onAssignmentWithRetry(event.payload.memberAssignment))
        .catch(() => undefined);
    });
    await consumer.connect();
    if (this.stopping) {
      await consumer.disconnect();
      return;
    }
    this.setConnected(true);
    await consumer.subscribe({ topics: [...this.options.topics], fromBeginning: false });
    await consumer.run({
      autoCommit: false,
      // Read by payload.commitOffsetsIfNecessary() (commitInBackground), not by kafkajs itself.
      autoCommitInterval: COMMIT_INTERVAL_MS,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: (payload) => this.onBatch(payload),
    });
    // Keep the loop alive until a fatal crash or stop().
    await Promise.race([crash, this.stopped()]);
  }

  private stopped(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setInterval(() => {
        if (this.stopping) {
          clearInterval(timer);
          resolve();
        }
      }, 200);
    });
  }

  /** Assignments are handled one after the other; readiness waits until the latest one is set up. */
  private assignments: Promise<void> = Promise.resolve();

  private async onAssignmentWithRetry(assignment: Record<string, number[]>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.onAssignment(assignment);
        this.joined = true;
        this.checkReplayDone();
        return;
      } catch (error) {
        if (this.stopping || attempt >= 5) {
          // Without the replay offsets, the consumer goes on from the committed offsets: state may be partial.
          this.logger.warn({ err: String(error) }, 'replay set-up failed; continuing from committed offsets');
          this.joined = true;
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
      }
    }
  }

  private async onAssignment(assignment: Record<string, number[]>): Promise<void> {
    this.setConnected(true);
    const now = new Set<string>();
    for (const [topic, partitions] of Object.entries(assignment))
      for (const p of partitions) now.add(key(topic, p));
    // Lost partitions: their sources now belong to another member.
    for (const k of [...this.assigned.keys()]) {
      if (now.has(k)) continue;
      this.assigned.delete(k);
      this.toCommit.delete(k);
      const [topic = '', partitionText = ''] = k.split('\u0000');
      const partition = Number(partitionText);
      const dropped = this.store.dropPartition(partition, topic);
      // Another member reports it now: a frozen value here would be a lag nobody has.
      this.metrics.consumerLag.remove({ topic, partition: partitionText });
      this.logger.info({ topic, partition, droppedSources: dropped }, 'partition revoked');
    }
    const gained = [...now].filter((k) => !this.assigned.has(k));
    if (gained.length === 0) return;
    this.replayStartedAt = this.now();
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const since = this.now() - this.options.replayWindowMs;
      for (const topic of new Set(gained.map((k) => k.split('\u0000')[0] ?? ''))) {
        const [byTime, ends] = await Promise.all([
          admin.fetchTopicOffsetsByTimestamp(topic, since),
          admin.fetchTopicOffsets(topic),
        ]);
        for (const { partition, offset } of byTime) {
          const k = key(topic, partition);
          if (!gained.includes(k)) continue;
          const end = ends.find((e) => e.partition === partition);
          const target = BigInt(end?.high ?? offset);
          // offset -1 means no record is newer than `since`: start at the end.
          const start = offset === '-1' ? target : BigInt(offset);
          this.assigned.set(k, { target, next: start, caughtUp: start >= target });
          this.consumer?.seek({ topic, partition, offset: start.toString() });
          this.logger.info(
            { topic, partition, from: start.toString(), to: target.toString() },
            'replaying partition',
          );
        }
      }
    } finally {
      await admin.disconnect();
    }
  }

  private checkReplayDone(): void {
    if (this.replayStartedAt === 0) return;
    if ([...this.assigned.values()].every((p) => p.caughtUp)) {
      this.metrics.replayDuration.observe((this.now() - this.replayStartedAt) / 1000);
      this.logger.info({ seconds: (this.now() - this.replayStartedAt) / 1000 }, 'replay complete; ready');
      this.replayStartedAt = 0;
    }
  }

  private readonly rejectionLog = new Map<string, { until: number; suppressed: number }>();

  /**
   * Logs a rejection at most once per reason every 10 s, with how many of that reason were not logged. `where`
   * says where the record is (topic, partition, offset) and who sent it: its key and, when it was decoded, its
   * job/instance (the key may not match them).
   */
  private logRejection(
    reason: string,
    detail: string,
    where: { topic: string; partition: number; offset: string; key: string | null; source?: string },
  ): void {
    const now = Date.now();
    const entry = this.rejectionLog.get(reason);
    if (entry && now < entry.until) {
      entry.suppressed++;
      return;
    }
    this.logger.warn(
      { reason, ...where, suppressedSinceLast: entry?.suppressed ?? 0 },
      `record rejected: ${detail}`,
    );
    this.rejectionLog.set(reason, { until: now + 10_000, suppressed: 0 });
  }

  /** Fetched batches, with the partition state they were fetched under, waiting to be applied in order. */
  private readonly queue: { payload: EachBatchPayload; state: PartitionState | undefined }[] = [];
  private draining: Promise<void> | undefined;
  private queueSpace: (() => void) | undefined;

  /** kafkajs' eachBatch: queue the batch and let kafkajs fetch the next one while it is applied. */
  private async onBatch(payload: EachBatchPayload): Promise<void> {
    // A batch fetched while an assignment is being set up comes from kafkajs' start position, before the replay
    // seek: applied now, its records would be applied again after the seek (and their refusals counted twice).
    // Wait for the set-up (heartbeating); the stale check below then drops it.
    while (!this.joined && payload.isRunning() && !this.stopping) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.assignments,
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, 1000);
        }),
      ]);
      clearTimeout(timer);
      await payload.heartbeat();
    }
    while (this.queue.length >= MAX_QUEUED_BATCHES) {
      if (!payload.isRunning() || this.stopping) return;
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.queueSpace = resolve;
        timer = setTimeout(resolve, 1000);
      });
      clearTimeout(timer);
      await payload.heartbeat();
    }
    // Fetched from before a seek (a replay starting): kafkajs fetches from the new position next.
    if (payload.isStale()) return;
    const { batch } = payload;
    this.queue.push({ payload, state: this.assigned.get(key(batch.topic, batch.partition)) });
    // kafkajs' fetch position; what is committed is what was applied (toCommit).
    payload.resolveOffset(batch.lastOffset());
    this.draining ??= this.drain();
  }

  private async drain(): Promise<void> {
    try {
      for (let item = this.queue.shift(); item !== undefined; item = this.queue.shift()) {
        const space = this.queueSpace;
        this.queueSpace = undefined;
        space?.();
        if (this.stopping) break;
        await this.applyBatch(item.payload, item.state);
      }
    } catch (error) {
      // Not expected (decode and the store return refusals, they do not throw). The queued records are not
      // committed: whoever reads the partition next from the committed offset (a restart, a rebalance) applies them.
      this.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'applying failed');
      this.queue.length = 0;
    } finally {
      this.draining = undefined;
    }
  }

  /** Whether a queued batch still belongs to this member at the position it was fetched from. */
  private current(payload: EachBatchPayload, k: string, state: PartitionState | undefined): boolean {
    return payload.isRunning() && !payload.isStale() && this.assigned.get(k) === state;
  }

  private async applyBatch(payload: EachBatchPayload, state: PartitionState | undefined): Promise<void> {
    const { batch } = payload;
    const k = key(batch.topic, batch.partition);
    this.lastPayload = payload;
    let slice = Date.now();
    let applied: string | undefined;
    for (const message of batch.messages) {
      if (Date.now() - slice > APPLY_SLICE_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        slice = Date.now();
      }
      // Revoked, sought (replay) or stopping since it was fetched: whoever reads it next applies it.
      if (this.stopping || !this.current(payload, k, state)) break;
      const offset = BigInt(message.offset);
      if (state !== undefined && offset < state.next) continue; // applied before (a kept partition resumes from its commit)
      const record: RawRecord = {
        key: message.key ?? null,
        value: message.value ?? null,
        headers: message.headers ?? {},
        timestampMs: Number(message.timestamp),
        partition: batch.partition,
        offset: message.offset,
      };
      const decoded = decodeRecord(record, {
        maxMessageBytes: this.options.maxMessageBytes,
        ...(this.options.maxFutureSkewMs === undefined
          ? {}
          : { maxFutureSkewMs: this.options.maxFutureSkewMs }),
        nowMs: this.now(),
      });
      const result = decoded.ok
        ? this.store.apply(decoded.message, {
            topic: batch.topic,
            partition: batch.partition,
            offset: message.offset,
            recordTimestampMs: record.timestampMs,
            nowMs: this.now(),
          })
        : decoded;
      if (!decoded.ok) countRejection(this.metrics, decoded.reason);
      if (!result.ok)
        this.logRejection(result.reason, result.detail, {
          topic: batch.topic,
          partition: batch.partition,
          offset: message.offset,
          key: shownKey(record.key),
          ...(decoded.ok ? { source: `${decoded.message.job}/${decoded.message.instance}` } : {}),
        });
      applied = message.offset;
      if (state) {
        state.next = offset + 1n;
        if (!state.caughtUp && state.next >= state.target) state.caughtUp = true;
      }
    }
    if (applied !== undefined) {
      this.toCommit.set(k, {
        topic: batch.topic,
        partition: batch.partition,
        offset: (BigInt(applied) + 1n).toString(),
      });
      this.commitInBackground(payload);
    }
    const high = BigInt(batch.highWatermark);
    if (state) {
      this.metrics.consumerLag.set(
        { topic: batch.topic, partition: String(batch.partition) },
        Number(high - state.next),
      );
    }
    this.checkReplayDone();
  }
}
