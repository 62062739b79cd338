import { AppError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { backoffDelay, type RetryPolicy, type Sleep } from '../../core/retry.ts';
import type { BusBatch } from '../bus/bus.ts';

// Store writes of a worker batch are retried in place while the member keeps its partitions: the wait is cut into
// slices with a heartbeat between them (a slow or restarting ClickHouse does not cost a rebalance), and the retry
// loop gives up as soon as the batch went stale. Data errors are not retried (ARCHITECTURE "Errors and retries").

/** The batch was revoked while waiting: leave it unacknowledged. */
export class StaleBatchError extends AppError {
  constructor() {
    super('ERR_WORKER_STALE_BATCH', 'batch went stale while retrying a store write', { retriable: false });
    this.name = 'StaleBatchError';
  }
}

// ClickHouse error codes that mean "these rows are bad", not "the server is unwell": parse and type errors.
const DATA_ERROR_CODES = new Set([
  6, 26, 27, 32, 33, 38, 41, 53, 69, 70, 72, 117, 131, 321, 349,
]);

/** True for errors caused by the rows themselves (split the batch, dead-letter the culprit). */
export function isDataError(error: unknown): boolean {
  // The Native encoder throws RangeError for a value it cannot represent (an unparsable instant).
  if (error instanceof RangeError) return true;
  if (typeof error !== 'object' || error === null || !('code' in error)) return false;
  if (error instanceof AppError) return false;
  const code = Number((error as { code: unknown }).code);
  return Number.isInteger(code) && DATA_ERROR_CODES.has(code);
}

/** Options of {@link storeWithRetry}. */
export interface StoreRetryOptions {
  readonly policy: RetryPolicy;
  readonly sleep: Sleep;
  readonly batch: BusBatch;
  readonly log: Logger;
  readonly onRetry?: () => void;
  /** Longest single wait between heartbeats. Default 1 s. */
  readonly sliceMs?: number;
}

/** Runs `fn`, retrying transient failures with backoff; rethrows data errors, and the last error when retries run out. */
export async function storeWithRetry<T>(fn: (attempt: number) => Promise<T>, opts: StoreRetryOptions): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      if (isDataError(e) || e instanceof StaleBatchError || attempt >= opts.policy.retries) throw e;
      const delay = backoffDelay(opts.policy, attempt);
      opts.onRetry?.();
      opts.log.warn({ attempt, delay_ms: delay, err: { message: (e as Error).message.slice(0, 300) } }, 'store write failed, retrying');
      let waited = 0;
      while (waited < delay) {
        const step = Math.min(opts.sliceMs ?? 1000, delay - waited);
        await opts.sleep(step);
        waited += step;
        await opts.batch.heartbeat().catch(() => undefined);
        if (opts.batch.isStale()) throw new StaleBatchError();
      }
    }
  }
}
