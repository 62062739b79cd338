import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { AppError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { InsertPart } from '../../schema/store/client.ts';
import { processNonce } from '../../schema/store/bodies.ts';
import type { NormalizerPolicy } from '../normalizers/normalizer.ts';
import type { BatchTimes, InboundRecord, ReadyWrite, StoredEventRef } from '../pipeline.ts';
import { packRecords, TRANSFER_MIN_BYTES, type FailureMessage, type JobMessage, type ResultMessage, type WorkerInit } from './protocol.ts';

// Worker threads that run the pipeline's CPU stage (parse, normalise, validate, encode Native bodies) so one
// process uses every core: the main thread only packs records, issues inserts and does the bookkeeping. The
// engine's insert threads share the same cores, so the pool is sized to the machine, not beyond it.

/** Normalises and encodes batches on worker threads. */
export interface NormalizePool {
  readonly size: number;
  /** Normalises and encodes one batch on the next idle worker (queued until one is). Rejects only on a worker failure (a bug). */
  prepare(records: readonly InboundRecord[], times: BatchTimes, connector: string): Promise<ReadyWrite>;
  /** Stops the workers; pending batches reject. */
  close(): Promise<void>;
}

/** Options of a pool. */
export interface NormalizePoolOptions {
  readonly workers: number;
  readonly policy: NormalizerPolicy;
  readonly logger?: Logger;
}

interface Job {
  readonly message: JobMessage;
  readonly resolve: (r: { result: ResultMessage; slot: Slot }) => void;
  readonly reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  /** The job this worker is normalising; one at a time, the rest wait in the pool's queue. */
  busy: Job | null;
}

const ENTRY = new URL('./entry.mjs', import.meta.url);

/** A pool of `workers` normalise workers (at least one), started on first use. Idle, they do not keep the process alive. */
export function createNormalizePool(opts: NormalizePoolOptions): NormalizePool {
  const size = Math.max(1, Math.floor(opts.workers));
  const init: WorkerInit = { policy: opts.policy, nonce: processNonce() };
  // NOTE: one queue, and a job goes to a worker only when it is idle: handing jobs out ahead (round-robin or fewest
  // pending) lets one worker collect the jobs queued behind a batch that another worker finishes first.
  const queue: Job[] = [];
  const slots: Slot[] = [];
  let nextId = 0;
  let closed = false;

  const pump = (): void => {
    for (const slot of slots) {
      if (slot.busy || queue.length === 0) continue;
      const job = queue.shift() as Job;
      slot.busy = job;
      // Referenced while it owes a result, so a process awaiting it stays alive; idle workers never hold it open.
      slot.worker.ref();
      slot.worker.postMessage(job.message, [job.message.bytes.buffer as ArrayBuffer]);
    }
  };

  const spawn = (slot?: Slot): Slot => {
    const worker = new Worker(ENTRY, { workerData: init });
    worker.unref();
    const s: Slot = slot ?? { worker, busy: null };
    s.worker = worker;
    worker.on('message', (m: ResultMessage | FailureMessage) => {
      const job = s.busy;
      if (!job || job.message.id !== m.id) return;
      s.busy = null;
      worker.unref();
      if (m.type === 'result') job.resolve({ result: m, slot: s });
      else job.reject(new AppError('ERR_NORMALIZE_WORKER', `normalise worker failed: ${m.message}`));
      pump();
    });
    const fail = (why: string): void => {
      if (s.worker !== worker) return;
      s.busy?.reject(new AppError('ERR_NORMALIZE_WORKER', why));
      s.busy = null;
      // Replaced so later batches still have a worker; the failed batch is retried by its caller.
      if (!closed) {
        opts.logger?.error({ why }, 'normalise worker lost; starting another');
        spawn(s);
        pump();
      }
    };
    worker.on('error', (e) => fail(`normalise worker crashed: ${e.message}`));
    worker.on('exit', (code) => fail(`normalise worker exited with code ${code}`));
    return s;
  };

  const recycle = (slot: Slot, parts: readonly InsertPart[]): void => {
    const buffers: ArrayBuffer[] = [];
    for (const p of parts) {
      const ab = p.body.buffer;
      if (ab instanceof ArrayBuffer && p.body.byteLength >= TRANSFER_MIN_BYTES && !buffers.includes(ab)) buffers.push(ab);
    }
    if (buffers.length && !closed) slot.worker.postMessage({ type: 'recycle', buffers }, buffers);
  };

  return {
    size,
    async prepare(records, times, connector) {
      if (closed) throw new AppError('ERR_NORMALIZE_WORKER', 'the normalise pool is closed');
      // Started on the first batch: a server whose batches are all small (webhooks) never pays for worker start-up.
      while (slots.length < size) slots.push(spawn());
      const message: JobMessage = { type: 'job', id: ++nextId, ingestedAt: times.ingestedAt, now: times.now, connector, ...packRecords(records) };
      const { result, slot } = await new Promise<{ result: ResultMessage; slot: Slot }>((resolve, reject) => {
        queue.push({ message, resolve, reject });
        pump();
      });
      const parts: InsertPart[] = result.parts.map((p) => ({
        table: p.table, columns: p.columns, format: p.format, token: p.token,
        body: Buffer.from(p.body.buffer, p.body.byteOffset, p.body.byteLength),
      }));
      const events: StoredEventRef[] = new Array(result.eventIds.length);
      for (let i = 0; i < events.length; i++) {
        events[i] = {
          event_id: result.eventIds[i] as string, source: result.eventSources[i] as StoredEventRef['source'],
          event_time: result.eventTimes[i] as string, action: result.eventActions[i] as StoredEventRef['action'],
        };
      }
      const encoded = { parts, bytes: result.bytes };
      return { counts: result.counts, sources: new Map(result.sources), events, encoded, release: () => recycle(slot, parts) };
    },
    async close() {
      closed = true;
      const closedError = (): AppError => new AppError('ERR_NORMALIZE_WORKER', 'the normalise pool is closed');
      for (const job of queue.splice(0)) job.reject(closedError());
      await Promise.all(slots.map(async (s) => {
        s.busy?.reject(closedError());
        s.busy = null;
        await s.worker.terminate();
      }));
    },
  };
}

/** Workers for a NORMALIZE_WORKERS setting: `auto` is one per core, at most 8 (0 = none). */
export function normalizeWorkerCount(setting: 'auto' | number): number {
  return setting === 'auto' ? Math.min(8, availableParallelism()) : setting;
}

/** The pool a process's pipeline uses, or none when NORMALIZE_WORKERS is 0 or the machine has a single core. */
export function normalizePoolFor(setting: 'auto' | number, policy: NormalizerPolicy, logger?: Logger): NormalizePool | undefined {
  const workers = normalizeWorkerCount(setting);
  // One core: a worker would only add a copy of every batch to the same core's work.
  if (workers <= 0 || (setting === 'auto' && workers < 2)) return undefined;
  return createNormalizePool({ workers, policy, logger });
}
