import { mkdtempSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, sha256Hex } from '../../ingest/normalizers/common.ts';
import { prepareBatch } from '../../ingest/pipeline.ts';
import { unstoredRows } from '../../ingest/worker/replay-filter.ts';
import { encodeBatch, openStore, type BatchWrite, type EncodedBatch, type Store } from '../../schema/store/store.ts';
import { syntheticOktaLines } from '../helpers/synthetic-okta.ts';

// Why the worker verifies a possibly-written chunk instead of trusting its insert_deduplication_token: a
// non-replicated MergeTree (embedded chDB) records the block id in its deduplication log before it commits the
// part. A process killed in between leaves the block id without the rows. This reproduces that state (the part's
// directory removed while the engine is closed) and shows (1) the same token then silently adds nothing,
// (2) unstoredRows finds exactly the missing rows, (3) a fresh token writes them.

const dir = mkdtempSync(join(tmpdir(), 'ap-worker-replay-'));
const target = { mode: 'embedded' as const, path: join(dir, 'clickhouse'), user: 'default', password: '', database: 'default' };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function chunk(n: number, from: number): BatchWrite {
  const now = new Date().toISOString();
  const records = syntheticOktaLines('replay', n, from).map((raw, i) => ({
    source: 'okta', raw, input_ref: `replay:${String(from + i)}`, received_at: now, raw_sha256: sha256Hex(raw),
  }));
  const prepared = prepareBatch(records, DEFAULT_POLICY, now);
  return { raws: prepared.raws, events: prepared.events, deadLetters: [], ingestBatches: [] };
}

function withToken(write: BatchWrite, token: string): EncodedBatch {
  const encoded = encodeBatch(write);
  return { ...encoded, parts: encoded.parts.map((p) => ({ ...p, token })) };
}

async function count(store: Store, table: string): Promise<number> {
  return Number((await store.query<{ n: string }>(`SELECT count() AS n FROM ${table}`))[0]?.n ?? 0);
}

describe('re-writing a chunk after a crash', () => {
  it('a block id left without its part swallows a same-token retry; verifying and a fresh token restore the rows', async () => {
    const first = chunk(300, 0);
    const second = chunk(200, 300);
    let store = await openStore(target);
    await store.writeBatch(withToken(first, 'chunk-a'));
    await store.writeBatch(withToken(second, 'chunk-b'));
    expect(await count(store, 'auth_events')).toBe(500);
    // A same-token retry of a committed chunk adds nothing (the normal case).
    await store.writeBatch(withToken(first, 'chunk-a'));
    expect(await count(store, 'auth_events')).toBe(500);
    await store.close();

    // Lose chunk-a's auth_events part, keep its block id in the deduplication log (the crash window).
    const table = realpathSync(join(target.path, 'data', 'default', 'auth_events'));
    const parts = readdirSync(table).filter((d) => /^\d{6}_\d+_\d+_\d+$/.test(d)).sort((a, b) => Number(a.split('_')[1]) - Number(b.split('_')[1]));
    expect(parts.length).toBe(2);
    rmSync(join(table, parts[0] as string), { recursive: true });

    store = await openStore(target);
    try {
      expect(await count(store, 'auth_events')).toBe(200);
      await store.writeBatch(withToken(first, 'chunk-a'));
      expect(await count(store, 'auth_events')).toBe(200); // silently swallowed: the hazard

      const missing = await unstoredRows(store, first);
      expect(missing.events).toHaveLength(300);
      expect(missing.raws).toHaveLength(0); // raw_events kept its part
      await store.writeBatch(withToken(missing, 'chunk-a:fresh'));
      expect(await count(store, 'auth_events')).toBe(500);
      expect(await count(store, 'raw_events')).toBe(500);

      // Verifying a fully stored chunk finds nothing to write.
      const none = await unstoredRows(store, second);
      expect([none.raws.length, none.events.length]).toEqual([0, 0]);
    } finally {
      await store.close();
    }
  });
});
