import type { Admin, Batch, EachBatchPayload, Kafka, KafkaMessage, RetryOptions } from 'kafkajs';
import type { BusBatch, BusMessage, Subscription } from './bus.ts';
import { BusError, findBusError } from './bus-error.ts';
import { findOffsetGap, parseCommittedOffset } from './offset-gap.ts';

// One consumer-group member of the Kafka bus. Delivery rules (ARCHITECTURE "Delivery rules", reliability §8):
// - eachBatch, auto-resolve and auto-commit off: after the handler resolved, commit exactly that partition's next
//   offset (last offset + 1), commits in batch order. A handler error commits nothing and reaches kafkajs, which
//   retries the batch (same member), then crashes; restarts are bounded and reset only by committed progress. A
//   failed commit is logged: the batch was handled, and the next commit of the partition covers it.
// - A batch that went stale (rebalance, heartbeat failure, stop timeout) is never committed, even if the handler
//   returned: an early return on isStale() looks exactly like success.
// - Fail closed on offset gaps (see offset-gap.ts): checked for every partition before the consumer starts and
//   for every batch whose fetch offset is not the one this member expects (first batch after a join, after a
//   kafkajs offset reset, ...).
// - Read-ahead of one batch: eachBatch hands its batch to the handler and returns once the previous batch is done,
//   with the batch's offsets resolved in kafkajs's memory only (never committed: auto-commit is off). kafkajs then
//   fetches and decodes the next batch while this one is handled. A batch that ends uncommitted (handler error,
//   stale) seeks its partition back to its first offset, because kafkajs's position has already moved past it; a
//   handler error is thrown from the next eachBatch call, so kafkajs retries (fetching from the sought offset) and
//   crashes exactly as if the error had been thrown in place. The next batch is handed out only after the previous
//   one's handler resolved and it was found not stale, so a batch is never handled after one that will be redone.
// - Backpressure is kafkajs's own plus the read-ahead: a broker's fetch loop waits until the fetched batches were
//   handed out, so at most one fetch (maxBytes) waits behind the batch being handled. stop() pauses the topic so no
//   new batch starts while draining.

/** Minimal structural logger (pino-compatible). */
export interface BusLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Everything one subscription needs; built by createKafkaBus. */
export interface KafkaSubscriptionConfig {
  readonly kafka: Kafka;
  readonly admin: () => Promise<Admin>;
  readonly topic: string;
  readonly group: string;
  readonly handler: (batch: BusBatch) => Promise<void>;
  /**
   * Optional read-ahead work on a fetched batch's messages, run before waiting for the previous batch (a consumer
   * thread packs them for the main thread here). The handler later receives the same `messages` array.
   */
  readonly prepare?: (messages: readonly BusMessage[]) => void;
  /** Called for a prepared batch that will not reach the handler (an earlier failure, draining, stale, a gap). */
  readonly discard?: (messages: readonly BusMessage[]) => void;
  /** Called when batches in flight may just have gone stale (stop timeout, new group generation). */
  readonly onStale?: () => void;
  readonly logger: BusLogger;
  readonly onFatal: (error: BusError, ctx: { readonly topic: string; readonly group: string }) => void;
  readonly retry: Required<Omit<RetryOptions, 'restartOnFailure'>>;
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly maxWaitTimeMs: number;
  readonly maxBytesPerPartition: number;
  readonly maxBytes: number;
  readonly maxRestarts: number;
  readonly restartWindowMs: number;
  readonly stopTimeoutMs: number;
}

/** The plain-data part of a subscription's configuration (what a consumer thread is started with). */
export type KafkaSubscriptionSettings = Omit<KafkaSubscriptionConfig, 'kafka' | 'admin' | 'handler' | 'prepare' | 'discard' | 'onStale' | 'logger' | 'onFatal'>;

/** Checks the topic and the group's positions, then joins the group and starts consuming. */
export async function startKafkaSubscription(cfg: KafkaSubscriptionConfig): Promise<Subscription> {
  const { topic, group, logger } = cfg;
  const log = { topic, group };
  await preflight(await cfg.admin(), topic, group);

  // Per partition: the first offset this member expects of its next batch (verified or just handed out), and the
  // next offset this process handled (kept across rejoins). Offsets are contiguous (no compaction, no transactions),
  // so any other first offset means a rebalance, a kafkajs reset or a gap, and is checked against the broker.
  const expectedFetch = new Map<number, string>();
  const processedNext = new Map<number, bigint>();
  let restarts = 0;
  let lastCrashAt = 0;
  let draining = false;
  let aborted = false;
  let stopping: Promise<void> | undefined;
  // The batch being handled (never rejects), the commits in flight (never reject), a handler error still to be
  // thrown to kafkajs, and the group generation (a batch fetched in an earlier one is never committed).
  let tail: Promise<void> = Promise.resolve();
  let commits: Promise<void> = Promise.resolve();
  let handling = false;
  let failure: { readonly error: unknown } | undefined;
  let generation = 0;

  const consumer = cfg.kafka.consumer({
    groupId: group,
    sessionTimeout: cfg.sessionTimeoutMs,
    heartbeatInterval: cfg.heartbeatIntervalMs,
    maxWaitTimeInMs: cfg.maxWaitTimeMs,
    maxBytesPerPartition: cfg.maxBytesPerPartition,
    maxBytes: cfg.maxBytes,
    allowAutoTopicCreation: false,
    retry: {
      ...cfg.retry,
      restartOnFailure: async (error) => {
        const now = Date.now();
        if (now - lastCrashAt > cfg.restartWindowMs) restarts = 0;
        lastCrashAt = now;
        restarts += 1;
        const restart = stopping === undefined && restarts <= cfg.maxRestarts;
        logger.warn({ ...log, restarts, restart, err: error.message }, 'kafka consumer crashed');
        return restart;
      },
    },
  });

  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    // NOTE: a new generation may hand us partitions others advanced; re-verify each on its first batch. What this
    // process handled stays known (processedNext): a batch it handled whose commit failed, or a seek back issued just
    // before the rejoin, may put the next fetch past the committed offset, and that is no gap.
    expectedFetch.clear();
    generation += 1;
    cfg.onStale?.();
    logger.info({ ...log, assigned: event.payload.memberAssignment[topic] ?? [] }, 'kafka group joined');
  });
  consumer.on(consumer.events.CRASH, (event) => {
    if (event.payload.restart || stopping !== undefined) return;
    const cause = event.payload.error;
    const error =
      findBusError(cause) ??
      new BusError('ERR_KAFKA_CONSUMER_FAILED', `consumer of ${topic} (group ${group}) stopped: ${cause.message}`, {
        retriable: true,
        cause,
      });
    logger.error({ ...log, code: error.code, err: error.message }, 'kafka consumer failed');
    cfg.onFatal(error, { topic, group });
  });

  const verify = async (batch: Batch): Promise<void> => {
    const first = batch.firstOffset();
    if (first === null || expectedFetch.get(batch.partition) === first) return;
    const admin = await cfg.admin();
    const [watermarks, committed] = await Promise.all([
      admin.fetchTopicOffsets(topic),
      admin.fetchOffsets({ groupId: group, topics: [topic] }),
    ]);
    const low = watermarks.find((p) => p.partition === batch.partition)?.low ?? '0';
    const offset = committed[0]?.partitions.find((p) => p.partition === batch.partition)?.offset;
    const gap = findOffsetGap({
      committed: parseCommittedOffset(offset),
      processedNext: processedNext.get(batch.partition),
      logStart: BigInt(low),
      batchFirst: BigInt(first),
    });
    if (gap !== undefined) throw gapError(topic, group, batch.partition, gap);
    // A retry of this same batch (handler failed) needs no second check.
    expectedFetch.set(batch.partition, first);
  };

  /**
   * Moves the partition's fetch position back to a batch that was handed out but will not be committed. Not for a
   * batch of an earlier generation: after a rejoin kafkajs fetches from the committed offsets anyway.
   */
  const rewind = (partition: number, first: string, fetchedIn: number): void => {
    if (fetchedIn !== generation) return;
    expectedFetch.set(partition, first);
    try {
      consumer.seek({ topic, partition, offset: first });
    } catch (error) {
      // Not running any more (stopped or crashed): the next member starts from the committed offset anyway.
      logger.debug({ ...log, partition, err: (error as Error).message }, 'seek back skipped');
    }
  };

  const handleBatch = async (payload: EachBatchPayload): Promise<void> => {
    const { batch } = payload;
    const last = batch.messages[batch.messages.length - 1];
    if (last === undefined) return;
    // The group generation this batch was fetched in: a rejoin while it waited below means kafkajs now fetches from
    // the committed offsets, and this batch must neither be handled nor checked against them (a false gap).
    const fetchedIn = generation;
    // Converted (and prepared) while the previous batch is still being handled; dropped if this one is not delivered.
    const messages = batch.messages.map(toBusMessage);
    cfg.prepare?.(messages);
    if (handling) logger.debug({ ...log, partition: batch.partition, first: batch.firstOffset() }, 'batch read ahead');
    let handingOut = false;
    try {
      await tail;
      if (failure !== undefined) {
        const { error } = failure;
        failure = undefined;
        throw error;
      }
      // While draining, after a rejoin, or when the previous batch rewound this partition (a pending seek), leave
      // this batch unresolved: it is fetched again (or read by the partition's next owner).
      if (draining || fetchedIn !== generation || payload.isStale()) return;
      await verify(batch);
      handingOut = true;
    } finally {
      if (!handingOut) cfg.discard?.(messages);
    }
    const first = batch.firstOffset() ?? last.offset;
    let heartbeatFailed = false;
    const stale = (): boolean =>
      aborted || heartbeatFailed || fetchedIn !== generation || !payload.isRunning() || payload.isStale();
    const handled = (async () => cfg.handler({
      topic,
      partition: batch.partition,
      messages,
      highWatermark: batch.highWatermark,
      heartbeat: async () => {
        try {
          await payload.heartbeat();
        } catch (error) {
          // The member may no longer own the partition: whatever happens next, do not commit this batch.
          heartbeatFailed = true;
          throw error;
        }
      },
      isStale: stale,
    }))();
    // Resolved in memory only, so that kafkajs fetches the next batch now; committed below, after the handler.
    payload.resolveOffset(last.offset);
    const next = resolvedNext(payload, topic, batch.partition) ?? (BigInt(batch.lastOffset()) + 1n).toString();
    expectedFetch.set(batch.partition, next);
    handling = true;
    tail = handled.then(
      () => {
        handling = false;
        if (stale()) {
          logger.info({ ...log, partition: batch.partition, first }, 'stale batch left unacknowledged');
          rewind(batch.partition, first, fetchedIn);
          return;
        }
        processedNext.set(batch.partition, BigInt(next));
        // Commits go out in order but off the next batch's path. This batch was handled, so a failed commit is
        // covered by the next one; if none follows, the partition's next owner reads the batch again (a duplicate).
        commits = commits
          .then(() => payload.commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition: batch.partition, offset: next }] }] }))
          .then(
            () => {
              restarts = 0;
              logger.debug({ ...log, partition: batch.partition, count: messages.length, next }, 'batch committed');
            },
            (error: unknown) => {
              logger.warn({ ...log, partition: batch.partition, next, err: (error as Error).message }, 'commit failed; a later commit covers this batch');
            },
          );
      },
      (error: unknown) => {
        handling = false;
        rewind(batch.partition, first, fetchedIn);
        failure = { error };
      },
    );
  };

  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: handleBatch,
    });
  } catch (error) {
    await consumer.disconnect().catch(() => undefined);
    throw error;
  }

  return {
    stop() {
      stopping ??= drainAndLeave();
      return stopping;
    },
  };

  async function drainAndLeave(): Promise<void> {
    draining = true;
    try {
      consumer.pause([{ topic }]);
    } catch {
      // not running (crashed for good): nothing to pause
    }
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), cfg.stopTimeoutMs);
    });
    if (await Promise.race([tail.then(() => commits).then(() => false), timedOut])) {
      aborted = true;
      cfg.onStale?.();
      logger.warn({ ...log, stopTimeoutMs: cfg.stopTimeoutMs }, 'in-flight batch still running at stop: marked stale');
    }
    clearTimeout(timer);
    await consumer.disconnect();
    logger.info(log, 'kafka subscription stopped');
  }
}

async function preflight(admin: Admin, topic: string, group: string): Promise<void> {
  const topics = await admin.listTopics();
  if (!topics.includes(topic)) {
    throw new BusError('ERR_KAFKA_TOPIC_MISSING', `topic ${topic} does not exist: create it with \`accessproof kafka init\``, {
      retriable: false,
    });
  }
  const [watermarks, committed] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({ groupId: group, topics: [topic] }),
  ]);
  for (const { partition, low } of watermarks) {
    const offset = committed[0]?.partitions.find((p) => p.partition === partition)?.offset;
    const gap = findOffsetGap({ committed: parseCommittedOffset(offset), logStart: BigInt(low) });
    if (gap !== undefined) throw gapError(topic, group, partition, gap);
  }
}

function gapError(topic: string, group: string, partition: number, gap: string): BusError {
  return new BusError(
    'ERR_KAFKA_OFFSET_GAP',
    `${topic}[${String(partition)}] group ${group}: ${gap}. Refusing to skip records; re-ingest the missing range ` +
      'from its source, then set the group offset explicitly (kafka-consumer-groups --reset-offsets) to accept the gap',
    { retriable: false },
  );
}

/** The offset kafkajs resolved for the partition (it accounts for trailing control records). */
function resolvedNext(payload: EachBatchPayload, topic: string, partition: number): string | undefined {
  const topicOffsets = payload.uncommittedOffsets().topics.find((t) => t.topic === topic);
  // kafkajs keys resolved offsets by object key, so the partition comes back as a string.
  return topicOffsets?.partitions.find((p) => String(p.partition) === String(partition))?.offset;
}

function toBusMessage(message: KafkaMessage): BusMessage {
  const headers: Record<string, string> = {};
  const raw = message.headers;
  // Hot path (once per record, several headers each): for-in over kafkajs's plain header object instead of
  // Object.entries, which allocates an array per header (bench P-11).
  if (raw !== undefined) {
    for (const name in raw) {
      const entry = raw[name];
      const value = Array.isArray(entry) ? entry[0] : entry;
      if (value !== undefined) headers[name] = typeof value === 'string' ? value : value.toString('utf8');
    }
  }
  return {
    key: message.key === null ? '' : message.key.toString('utf8'),
    value: message.value ?? Buffer.alloc(0),
    headers,
    offset: message.offset,
  };
}
