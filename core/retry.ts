/** Waits `ms` milliseconds; rejects with the signal's reason when aborted. Injected so tests run without real waits. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** The real timer-based sleep (abortable; the timer is cleared on abort). */
export const sleep: Sleep = (ms, signal) => new Promise<void>((resolve, reject) => {
  if (signal?.aborted) {
    reject(signal.reason ?? new Error('aborted'));
    return;
  }
  const onAbort = (): void => {
    clearTimeout(timer);
    reject(signal?.reason ?? new Error('aborted'));
  };
  const timer = setTimeout(() => {
    signal?.removeEventListener('abort', onAbort);
    resolve();
  }, Math.max(0, ms));
  signal?.addEventListener('abort', onAbort, { once: true });
});

/** Bounded exponential backoff: delay(n) = min(max_ms, base_ms * factor^n), minus up to `jitter` of it at random. */
export interface RetryPolicy {
  /** Retries after the first attempt (0 = try once). */
  readonly retries: number;
  readonly base_ms: number;
  readonly max_ms: number;
  readonly factor: number;
  /** Fraction (0..1) of each delay taken off at random, so many clients do not retry in lockstep. */
  readonly jitter: number;
}

/** Default policy for calls to upstream APIs: 1 s, 2 s, 4 s, ... capped at 60 s, five retries. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { retries: 5, base_ms: 1000, max_ms: 60_000, factor: 2, jitter: 0.2 };

/** Delay before retry number `attempt` (0-based). */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const raw = Math.min(policy.max_ms, policy.base_ms * policy.factor ** Math.max(0, attempt));
  const jitter = Math.min(1, Math.max(0, policy.jitter));
  return Math.round(raw * (1 - jitter * random()));
}

/** Options of `withRetry`. */
export interface RetryOptions {
  readonly policy: RetryPolicy;
  readonly sleep: Sleep;
  readonly signal?: AbortSignal;
  /** Only errors this accepts are retried; others are rethrown at once. */
  readonly isRetriable: (error: unknown) => boolean;
  /** A wait the error itself prescribes (Retry-After, rate-limit reset), used instead of the computed backoff. */
  readonly waitFor?: (error: unknown) => number | undefined;
  /** Called before each wait (logging, status). */
  readonly onRetry?: (error: unknown, attempt: number, delay_ms: number) => void;
  readonly random?: () => number;
}

/**
 * Runs `fn` until it resolves, retrying retriable errors with bounded exponential backoff; after the last retry
 * the error is rethrown so the caller (a poller loop, a bus handler) decides what failure means.
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      if (opts.signal?.aborted || attempt >= opts.policy.retries || !opts.isRetriable(e)) throw e;
      const prescribed = opts.waitFor?.(e);
      const delay = prescribed !== undefined ? Math.max(0, prescribed) : backoffDelay(opts.policy, attempt, opts.random);
      opts.onRetry?.(e, attempt, delay);
      await opts.sleep(delay, opts.signal);
    }
  }
}
