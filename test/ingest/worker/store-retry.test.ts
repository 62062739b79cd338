import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../core/logger.ts';
import type { BusBatch } from '../../../ingest/bus/bus.ts';
import { BusError } from '../../../ingest/bus/bus-error.ts';
import { isDataError, StaleBatchError, storeWithRetry } from '../../../ingest/worker/store-retry.ts';

const policy = { retries: 3, base_ms: 100, max_ms: 1000, factor: 2, jitter: 0 };

function fakeBatch(staleAfterHeartbeats = Number.POSITIVE_INFINITY): BusBatch & { heartbeats: number } {
  const b = {
    topic: 't', partition: 0, messages: [], heartbeats: 0,
    heartbeat: async () => { b.heartbeats++; },
    isStale: () => b.heartbeats >= staleAfterHeartbeats,
  };
  return b;
}

const clickhouseError = (code: string): Error => Object.assign(new Error(`Code: ${code}`), { code });

describe('store writes of a worker batch', () => {
  it('classifies ClickHouse parse/type errors and encoder RangeErrors as data errors, the rest as transient', () => {
    expect(isDataError(clickhouseError('6'))).toBe(true);
    expect(isDataError(clickhouseError('53'))).toBe(true);
    expect(isDataError(new RangeError('not an instant'))).toBe(true);
    expect(isDataError(clickhouseError('242'))).toBe(false); // TABLE_IS_READ_ONLY: the server, not the rows
    expect(isDataError(new BusError('ERR_KAFKA_PUBLISH', 'x', { retriable: true }))).toBe(false);
    expect(isDataError(new TypeError('x is undefined'))).toBe(false);
  });

  it('retries transient failures with backoff, heartbeating while it waits, and passes the attempt number', async () => {
    const slept: number[] = [];
    const batch = fakeBatch();
    const attempts: number[] = [];
    const result = await storeWithRetry(async (attempt) => {
      attempts.push(attempt);
      if (attempt < 2) throw clickhouseError('210');
      return 'stored';
    }, { policy, batch, log: silentLogger(), sleep: async (ms) => { slept.push(ms); }, sliceMs: 50 });
    expect(result).toBe('stored');
    expect(attempts).toEqual([0, 1, 2]);
    expect(slept).toEqual([50, 50, 50, 50, 50, 50]); // 100 ms then 200 ms, in 50 ms slices
    expect(batch.heartbeats).toBe(6);
  });

  it('never retries a data error, and gives up at once when the batch goes stale', async () => {
    await expect(storeWithRetry(async () => { throw clickhouseError('27'); }, { policy, batch: fakeBatch(), log: silentLogger(), sleep: async () => undefined }))
      .rejects.toMatchObject({ code: '27' });
    let calls = 0;
    await expect(storeWithRetry(async () => { calls++; throw clickhouseError('210'); }, { policy, batch: fakeBatch(1), log: silentLogger(), sleep: async () => undefined }))
      .rejects.toBeInstanceOf(StaleBatchError);
    expect(calls).toBe(1);
  });

  it('rethrows the last error once the retries are spent', async () => {
    let calls = 0;
    await expect(storeWithRetry(async () => { calls++; throw clickhouseError('210'); }, { policy, batch: fakeBatch(), log: silentLogger(), sleep: async () => undefined }))
      .rejects.toMatchObject({ code: '210' });
    expect(calls).toBe(4);
  });
});
