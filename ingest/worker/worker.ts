import { createHash, randomUUID } from 'node:crypto';
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import type { AuthEvent } from '../../schema/auth-event.ts';
import { sleep as realSleep, type RetryPolicy, type Sleep } from '../../core/retry.ts';
import { encodeBatch, releaseBatch, type Store } from '../../schema/store/store.ts';
import type { Bus, BusBatch, BusMessage, Subscription } from '../bus/bus.ts';
import type { NormalizerPolicy } from '../normalizers/normalizer.ts';
import type { StatusRegistry } from '../sources/status-registry.ts';
import { chunkToken, messageFingerprint, planBatch, type InsertStep } from './batch-plan.ts';
import { prepareChunk, storeRejectChunk, type ChunkOrigin, type PreparedChunk } from './chunk.ts';
import { createRangeLedger, type PartitionRef } from './range-ledger.ts';
import { createWorkerMetrics, type WorkerMetrics, type WorkerSnapshot } from './worker-metrics.ts';
import { isDataError, StaleBatchError, storeWithRetry, type StoreRetryOptions } from './store-retry.ts';
import { rowCount, unstoredRows } from './replay-filter.ts';

// `accessproof worker`: one consumer-group member of the raw topic. Per batch (ARCHITECTURE "Delivery rules"):
//   plan the batch against the range ledger (batch-plan.ts) → per chunk: normalize → publish its dead letters to
//   the dead-letter topic (acks=-1) → write raw_events, auth_events, dead_letters, ingest_batches with the chunk's
//   offset token → heartbeat → next chunk. The handler resolving is the ack: the bus commits offset + 1 only then.
// A stale batch (rebalance, stop timeout) returns early without ack; the next owner re-delivers it and the ledger
// makes the repeated inserts add nothing. Malformed records never block a partition: they are dead letters, and a
// record the store itself refuses (a data error) is isolated by bisection and dead-lettered alone.

/** Crash windows for fault-injection tests (reliability D1: W1 before insert, W2 partly inserted, W3 before ack). */
export type FaultWindow = 'before-insert' | 'mid-batch' | 'after-insert';

/** Test-only switches. Never set in production: each one breaks a guarantee on purpose. */
export interface WorkerTestHooks {
  /** Crash (via `crash`) at this window of the n-th batch handled by this process (1-based). */
  readonly fault?: { readonly window: FaultWindow; readonly batch: number };
  readonly crash?: () => void;
  /** Negative control: resolve (ack) batches at once and store them later — loses data on a crash. */
  readonly unsafeAckBeforeStore?: boolean;
  /** Negative control: content-digest tokens instead of the range ledger — re-deliveries duplicate raw rows. */
  readonly unsafeContentTokens?: boolean;
}

/** Dependencies of {@link createWorker}. */
export interface WorkerDeps {
  readonly bus: Bus;
  readonly store: Store;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly policy: NormalizerPolicy;
  readonly topic: string;
  readonly deadLetterTopic: string;
  readonly group: string;
  /** Messages per insert chunk (STORE_BATCH_SIZE). */
  readonly chunkSize: number;
  /** Reports into `GET /v1/sources` when the worker runs inside `start`. */
  readonly status?: StatusRegistry;
  readonly name?: string;
  /** Progress log line and status report interval. Default 10 s. */
  readonly progressIntervalMs?: number;
  /** Retries of a failing store write (transient errors), heartbeating while waiting. */
  readonly storeRetry?: RetryPolicy;
  readonly sleep?: Sleep;
  /** Called after each chunk is stored, before the batch is acknowledged (correlation marks its days dirty). */
  readonly onStored?: (events: readonly AuthEvent[]) => Promise<void> | void;
  readonly testing?: WorkerTestHooks;
}

/** A running worker. */
export interface Worker {
  start(): Promise<void>;
  /** Finish the batch in progress, commit it, leave the group. */
  stop(): Promise<void>;
  snapshot(): WorkerSnapshot;
  health(stallMs: number): { ok: boolean; reason: string };
  /** Marks the worker failed (the bus reported a fatal subscription error). */
  fail(code: string, message: string): void;
}

const DEFAULT_STORE_RETRY: RetryPolicy = { retries: 10, base_ms: 500, max_ms: 30_000, factor: 2, jitter: 0.2 };

/** Creates a worker; `start` subscribes it to the raw topic. */
export function createWorker(deps: WorkerDeps): Worker {
  const { store, bus, clock, group, topic } = deps;
  const log = deps.logger.child({ stage: 'processing', component: 'worker', topic, group });
  const name = deps.name ?? `worker:${group}`;
  const metrics = createWorkerMetrics({ topic, group, clock });
  const ledger = createRangeLedger(store, clock);
  const sleep = deps.sleep ?? realSleep;
  const retryPolicy = deps.storeRetry ?? DEFAULT_STORE_RETRY;
  const testing = deps.testing ?? {};
  const connector = `kafka:${group}`;
  let subscription: Subscription | undefined;
  let timer: NodeJS.Timeout | undefined;
  let handled = 0;
  let unsafeQueue: Promise<void> = Promise.resolve();
  // Distinguishes this process's verified re-writes from any earlier attempt's tokens.
  const incarnation = randomUUID().slice(0, 8);

  const fault = (window: FaultWindow, batchNo: number): void => {
    if (testing.fault?.window === window && testing.fault.batch <= batchNo && testing.crash) {
      log.warn({ window, batch: batchNo }, 'test fault: crashing');
      testing.crash();
    }
  };

  const retrying = (batch: BusBatch): StoreRetryOptions => ({
    policy: retryPolicy, sleep, batch, log, onRetry: () => { metrics.counters.storeRetries++; },
  });

  /**
   * Publishes a chunk's dead letters, then writes its rows with `token`; retries transient failures. A chunk an
   * earlier attempt may have written (`verify`: a re-delivered range; or any retry) writes only its missing rows,
   * under a token unique to this attempt (see replay-filter.ts for why the recorded token cannot be trusted then).
   */
  const writeChunk = async (chunk: PreparedChunk, token: string | undefined, batch: BusBatch, verify: boolean): Promise<void> => {
    await storeWithRetry(async (attempt) => {
      if (chunk.deadLetterMessages.length) await bus.publish(deps.deadLetterTopic, chunk.deadLetterMessages);
      let write = chunk.write;
      let partToken = token;
      if (token !== undefined && (verify || attempt > 0)) {
        write = await unstoredRows(store, chunk.write);
        partToken = `${token}:${incarnation}.${String(attempt)}`;
        metrics.counters.verified += rowCount(chunk.write);
        metrics.counters.rewritten += rowCount(write);
      }
      const encoded = encodeBatch(write);
      const tokened = partToken === undefined ? encoded : { ...encoded, parts: encoded.parts.map((p) => ({ ...p, token: partToken })) };
      await store.writeBatch(tokened);
      // Stored: the bodies' memory goes back to the pool (a failed write is re-encoded on the next attempt).
      releaseBatch(tokened);
      if (deps.onStored && chunk.write.events.length) await deps.onStored(chunk.write.events);
    }, retrying(batch));
    metrics.counters.records += chunk.records;
    metrics.counters.events += chunk.events;
    metrics.counters.deadLetters += chunk.deadLettered;
    metrics.counters.dropped += chunk.dropped;
    metrics.counters.chunks++;
  };

  /** Normalizes and writes messages under `token`; a data error is isolated by halving, down to single records. */
  const storeMessages = async (messages: readonly BusMessage[], origin: ChunkOrigin, token: string | undefined, batch: BusBatch, verify = false): Promise<void> => {
    const now = clock.now().toISOString();
    const chunk = prepareChunk(messages, origin, deps.policy, now);
    try {
      await writeChunk(chunk, token, batch, verify);
    } catch (e) {
      if (!isDataError(e)) throw e;
      const message = (e as Error).message.slice(0, 500);
      if (messages.length === 1) {
        log.warn({ partition: origin.partition, offset: messages[0]?.offset, err: { message } }, 'record refused by the store: dead-lettered');
        metrics.counters.storeRejects++;
        await writeChunk(storeRejectChunk(messages[0] as BusMessage, origin, 'store_rejected', message, now), token && `${token}:rejected`, batch, verify);
        return;
      }
      const half = Math.ceil(messages.length / 2);
      log.warn({ partition: origin.partition, records: messages.length, err: { message } }, 'store refused a chunk: isolating');
      // Sub-tokens are derived from the chunk's token and the halves' positions: deterministic for a re-delivery.
      await storeMessages(messages.slice(0, half), origin, token && `${token}/a`, batch, true);
      await storeMessages(messages.slice(half), origin, token && `${token}/b`, batch, true);
    }
  };

  /** Writes a batch along its plan (record ranges, then chunks); false when the batch went stale on the way. */
  const storeByPlan = async (batch: BusBatch, batchNo: number): Promise<boolean> => {
    const { messages } = batch;
    const ref: PartitionRef = { group, topic: batch.topic, partition: batch.partition };
    const offsets = messages.map((m) => BigInt(m.offset as string));
    const byOffset = new Map(messages.map((m, i) => [offsets[i] as bigint, m]));
    const fingerprintAt = (offset: bigint): string | undefined => {
      const m = byOffset.get(offset);
      return m === undefined ? undefined : messageFingerprint((d) => createHash('sha256').update(d).digest('hex'), m.key, m.value);
    };
    const prior = await storeWithRetry(() => ledger.get(ref), retrying(batch));
    const plan = planBatch({ offsets, fingerprintAt, prior, chunkSize: deps.chunkSize });
    if (plan.mode === 'replay' || plan.mode === 'rewind') {
      log.info({ partition: batch.partition, mode: plan.mode, first: String(offsets[0]), prior_first: prior?.first.toString(), prior_last: prior?.last.toString() }, 'batch re-delivered');
    }
    const inserts = plan.steps.filter((s): s is InsertStep => s.kind === 'insert').length;
    let inserted = 0;
    for (const step of plan.steps) {
      if (batch.isStale()) return false;
      if (step.kind === 'record') {
        await storeWithRetry(() => ledger.record(ref, step.range), retrying(batch));
        fault('before-insert', batchNo);
        continue;
      }
      const token = chunkToken(ref, step);
      log.debug({ partition: batch.partition, token, records: step.to - step.from, verify: step.verify }, 'chunk');
      const origin: ChunkOrigin = { topic: batch.topic, partition: batch.partition, batchId: token, connector };
      // A chunk inside the recorded range may have been written by the attempt that crashed: verify it.
      await storeMessages(messages.slice(step.from, step.to), origin, token, batch, step.verify);
      if (step.verify) metrics.counters.replayed++;
      if (++inserted < inserts) fault('mid-batch', batchNo);
      await batch.heartbeat().catch(() => undefined);
    }
    return true;
  };

  const handleBatch = async (batch: BusBatch): Promise<void> => {
    const last = batch.messages[batch.messages.length - 1];
    if (last === undefined) return;
    const batchNo = ++handled;
    metrics.batchStarted();
    let complete = true;
    if (testing.unsafeContentTokens || batch.messages.some((m) => m.offset === undefined)) {
      // Without offsets (memory bus) or in the negative control: one chunk, content-digest tokens.
      const batchId = `${connector}:${String(batch.partition)}:${String(batchNo)}`;
      await storeMessages(batch.messages, { topic: batch.topic, partition: batch.partition, batchId, connector }, undefined, batch);
    } else {
      complete = await storeByPlan(batch, batchNo);
    }
    if (!complete || batch.isStale()) {
      metrics.counters.stale++;
      log.info({ partition: batch.partition }, 'batch went stale: left for re-delivery');
      return;
    }
    fault('after-insert', batchNo);
    metrics.counters.batches++;
    metrics.batchFinished(batch.partition, BigInt(last.offset ?? '-1') + 1n, batch.highWatermark);
    const c = metrics.counters;
    deps.status?.report(name, {
      success: true, batch: { records: batch.messages.length },
      metrics: { kafka_lag: metrics.snapshot().lag, records_total: c.records, events_total: c.events, dead_letters_total: c.deadLetters },
    });
  };

  const handler = async (batch: BusBatch): Promise<void> => {
    if (!testing.unsafeAckBeforeStore) {
      try {
        await handleBatch(batch);
      } catch (e) {
        if (e instanceof StaleBatchError) {
          metrics.counters.stale++;
          return;
        }
        metrics.error('ERR_WORKER_BATCH', (e as Error).message);
        throw e;
      }
      return;
    }
    // Negative control only: the batch is acknowledged before anything is stored.
    const detached: BusBatch = { ...batch, heartbeat: async () => undefined, isStale: () => false };
    unsafeQueue = unsafeQueue.then(() => handleBatch(detached)).catch((e: unknown) => log.error({ err: { message: (e as Error).message } }, 'unsafe store failed'));
  };

  const progress = (): void => {
    const rates = metrics.tick();
    const s = metrics.snapshot();
    log.info({
      records_total: s.records_total, events_total: s.events_total, dead_letters_total: s.dead_letters_total,
      records_per_s: rates.records_per_second, events_per_s: rates.events_per_second, lag: s.lag,
      partitions: s.partitions.map((p) => p.partition), replayed_chunks_total: s.replayed_chunks_total,
      verified_rows_total: s.verified_rows_total, rewritten_rows_total: s.rewritten_rows_total,
    }, 'worker progress');
    deps.status?.report(name, {
      source: '', kind: 'kafka', state: s.state === 'failed' ? 'failed' : 'running',
      metrics: { kafka_lag: s.lag, events_per_second: rates.events_per_second, records_per_second: rates.records_per_second, events_total: s.events_total, dead_letters_total: s.dead_letters_total },
    });
  };

  return {
    async start() {
      deps.status?.report(name, { source: '', kind: 'kafka', state: 'starting' });
      subscription = await bus.subscribe(topic, group, handler);
      metrics.setState('running');
      deps.status?.report(name, { state: 'running', success: true });
      timer = setInterval(progress, deps.progressIntervalMs ?? 10_000);
      timer.unref();
      log.info({ dead_letter_topic: deps.deadLetterTopic, chunk_size: deps.chunkSize }, 'worker started');
    },
    async stop() {
      metrics.setState('stopping');
      if (timer) clearInterval(timer);
      await subscription?.stop();
      await unsafeQueue;
      progress();
      metrics.setState('stopped');
      deps.status?.report(name, { state: 'stopped' });
      log.info(metrics.snapshot().records_total ? { records_total: metrics.snapshot().records_total } : {}, 'worker stopped');
    },
    snapshot: () => metrics.snapshot(),
    health: (stallMs) => metrics.health(stallMs),
    fail(code, message) {
      metrics.error(code, message);
      metrics.setState('failed');
      deps.status?.report(name, { state: 'failed', error: { code, message } });
    },
  };
}

export type { WorkerMetrics, WorkerSnapshot };
