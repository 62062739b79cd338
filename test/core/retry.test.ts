import { describe, expect, it } from 'vitest';
import { AppError } from '../../core/errors.ts';
import { backoffDelay, sleep, withRetry, type RetryPolicy } from '../../core/retry.ts';

const POLICY: RetryPolicy = { retries: 4, base_ms: 1000, max_ms: 5000, factor: 2, jitter: 0 };

describe('backoffDelay', () => {
  it('doubles from the base and caps at max', () => {
    expect([0, 1, 2, 3, 4, 10].map((a) => backoffDelay(POLICY, a))).toEqual([1000, 2000, 4000, 5000, 5000, 5000]);
  });

  it('takes at most the jitter fraction off', () => {
    const p = { ...POLICY, jitter: 0.5 };
    expect(backoffDelay(p, 1, () => 0)).toBe(2000);
    expect(backoffDelay(p, 1, () => 1)).toBe(1000);
  });
});

describe('withRetry', () => {
  const retriable = new AppError('ERR_TEST_FLAKY', 'flaky', { retriable: true });
  const fatal = new AppError('ERR_TEST_FATAL', 'fatal', { retriable: false });
  const isRetriable = (e: unknown): boolean => e instanceof AppError && e.retriable;

  it('retries retriable errors with the backoff sequence, then succeeds', async () => {
    const waits: number[] = [];
    let calls = 0;
    const r = await withRetry(async () => {
      calls++;
      if (calls < 3) throw retriable;
      return 'ok';
    }, { policy: POLICY, sleep: async (ms) => { waits.push(ms); }, isRetriable });
    expect(r).toBe('ok');
    expect(calls).toBe(3);
    expect(waits).toEqual([1000, 2000]);
  });

  it('rethrows after the last retry, and at once for non-retriable errors', async () => {
    let calls = 0;
    await expect(withRetry(async () => { calls++; throw retriable; }, { policy: POLICY, sleep: async () => undefined, isRetriable })).rejects.toBe(retriable);
    expect(calls).toBe(5);
    calls = 0;
    await expect(withRetry(async () => { calls++; throw fatal; }, { policy: POLICY, sleep: async () => undefined, isRetriable })).rejects.toBe(fatal);
    expect(calls).toBe(1);
  });

  it('uses the wait an error prescribes instead of the backoff', async () => {
    const waits: number[] = [];
    const seen: number[] = [];
    let calls = 0;
    await withRetry(async () => {
      if (calls++ === 0) throw retriable;
      return 1;
    }, { policy: POLICY, sleep: async (ms) => { waits.push(ms); }, isRetriable, waitFor: () => 7000, onRetry: (_e, attempt, d) => seen.push(attempt, d) });
    expect(waits).toEqual([7000]);
    expect(seen).toEqual([0, 7000]);
  });

  it('stops when aborted', async () => {
    const ac = new AbortController();
    let calls = 0;
    const p = withRetry(async () => { calls++; throw retriable; }, { policy: { ...POLICY, base_ms: 60_000, max_ms: 60_000 }, sleep, signal: ac.signal, isRetriable });
    setTimeout(() => ac.abort(new Error('stopped')), 20);
    await expect(p).rejects.toThrow('stopped');
    expect(calls).toBe(1);
  });
});
