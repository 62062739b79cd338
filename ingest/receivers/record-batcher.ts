import type { Logger } from '../../core/logger.ts';
import { backoffDelay, sleep as realSleep, type RetryPolicy, type Sleep } from '../../core/retry.ts';
import type { DeadLetter } from '../../schema/dead-letter.ts';
import type { InboundRecord, Pipeline } from '../pipeline.ts';

/** Collects records from many producers and stores them in batches, by size or interval. */
export interface RecordBatcher {
  add(records: readonly InboundRecord[], deadLetters?: readonly DeadLetter[]): void;
  /** Records and dead letters waiting to be stored. */
  readonly backlog: number;
  /** Stores everything collected so far; resolves when it is stored. */
  flush(): Promise<void>;
  /** Final flush; later adds are ignored. */
  close(): Promise<void>;
}

/** Options of createRecordBatcher. */
export interface RecordBatcherOptions {
  readonly pipeline: Pipeline;
  readonly connector: string;
  readonly batch_size: number;
  readonly flush_ms: number;
  readonly logger: Logger;
  /** Called with true when the backlog passes `high_water`, false once it fell below half of it. */
  readonly onBackpressure?: (paused: boolean) => void;
  readonly high_water?: number;
  readonly sleep?: Sleep;
  /** After each stored batch (status reporting). */
  readonly onStored?: (records: number) => void;
  /** After each failed store attempt. */
  readonly onFailure?: (error: Error) => void;
}

// Store outages are retried without end: a syslog sender has already forgotten what it sent.
const STORE_RETRY: RetryPolicy = { retries: Number.POSITIVE_INFINITY, base_ms: 500, max_ms: 30_000, factor: 2, jitter: 0.2 };
/** At shutdown a dead store must not hang the process: a few more tries, then the loss is logged. */
const CLOSING_ATTEMPTS = 3;

/**
 * Batches by size (`batch_size`) or age (`flush_ms`), one store call in flight at a time. A failed store call is
 * retried with backoff while new records keep queueing; producers are told to pause above the high-water mark.
 */
export function createRecordBatcher(opt: RecordBatcherOptions): RecordBatcher {
  const sleep = opt.sleep ?? realSleep;
  const highWater = opt.high_water ?? opt.batch_size * 20;
  let records: InboundRecord[] = [];
  let dead: DeadLetter[] = [];
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let paused = false;
  let closed = false;

  const backlog = (): number => records.length + dead.length;

  function updatePressure(): void {
    if (!opt.onBackpressure) return;
    if (!paused && backlog() > highWater) { paused = true; opt.onBackpressure(true); }
    else if (paused && backlog() < highWater / 2) { paused = false; opt.onBackpressure(false); }
  }

  async function storeOne(batch: InboundRecord[], letters: DeadLetter[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        if (letters.length) await opt.pipeline.deadLetter(letters);
        letters = [];
        if (batch.length) await opt.pipeline.handle(batch, opt.connector);
        opt.onStored?.(batch.length);
        return;
      } catch (e) {
        opt.onFailure?.(e as Error);
        if (closed && attempt >= CLOSING_ATTEMPTS) {
          opt.logger.error({ err: { message: (e as Error).message }, count: batch.length + letters.length }, 'store failed at shutdown, records lost');
          return;
        }
        const delay = backoffDelay(STORE_RETRY, attempt);
        opt.logger.warn({ err: { message: (e as Error).message }, attempt, delay_ms: delay, count: batch.length }, 'store failed, retrying');
        await sleep(delay);
      }
    }
  }

  async function drain(): Promise<void> {
    while (backlog() > 0) {
      const batch = records.slice(0, opt.batch_size);
      records = records.slice(batch.length);
      const letters = dead;
      dead = [];
      await storeOne(batch, letters);
      updatePressure();
    }
  }

  function run(): Promise<void> {
    if (timer) { clearTimeout(timer); timer = null; }
    if (!running) {
      running = drain().finally(() => { running = null; });
    }
    return running;
  }

  return {
    add(newRecords, deadLetters = []) {
      if (closed) return;
      for (const r of newRecords) records.push(r);
      for (const d of deadLetters) dead.push(d);
      updatePressure();
      if (backlog() === 0) return;
      if (records.length >= opt.batch_size) void run();
      else if (!timer && !running) timer = setTimeout(() => { timer = null; void run(); }, opt.flush_ms);
    },
    get backlog() { return backlog(); },
    async flush() {
      // A drain already running may have started before the latest adds: loop until nothing is left.
      while (backlog() > 0 || running) await run();
    },
    async close() {
      closed = true;
      while (backlog() > 0 || running) await run();
    },
  };
}
