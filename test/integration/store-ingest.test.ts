import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../ingest/normalizers/common.ts';
import { importFiles } from '../../ingest/files/import-files.ts';
import { createPipeline } from '../../ingest/pipeline.ts';
import { migrate } from '../../schema/store/migrate.ts';
import type { Store } from '../../schema/store/store.ts';
import { sharedPath } from '../helpers/shared.ts';
import { openTempStore } from '../helpers/temp-store.ts';
import { testDeps } from '../helpers/silent-context.ts';

describe('file → pipeline → chDB', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ store, cleanup } = await openTempStore());
  });
  afterAll(async () => cleanup());

  const run = async (paths: string[]) => {
    const deps = testDeps();
    const pipeline = createPipeline({ store, ...deps, countDuplicates: true });
    return importFiles({ send: (r) => pipeline.handle(r), deadLetter: (d) => pipeline.deadLetter(d) },
      { source: 'okta', paths, batchSize: 7, clock: deps.clock });
  };

  it('stores every Okta sample event once, with its raw record, and dead-letters the malformed lines with reasons', async () => {
    const first = await run([sharedPath('samples', 'okta.jsonl'), sharedPath('samples', 'okta.malformed.jsonl')]);
    expect(first.stored).toBeGreaterThanOrEqual(36);
    // The malformed file's API page repeats an event of okta.jsonl: counted once as a duplicate, stored once.
    expect(first.duplicates).toBe(1);
    expect(first.stored + first.duplicates).toBe(first.events);
    expect(first.dead_lettered).toBeGreaterThanOrEqual(1);
    const [events] = await store.query<{ n: string; ids: string }>('SELECT count() AS n, uniqExact(event_id) AS ids FROM auth_events FINAL');
    expect(Number(events?.n)).toBe(first.stored);
    expect(Number(events?.ids)).toBe(first.stored);
    const orphans = await store.query<{ n: string }>(
      'SELECT count() AS n FROM auth_events FINAL WHERE raw_sha256 NOT IN (SELECT raw_sha256 FROM raw_events)');
    expect(Number(orphans[0]?.n)).toBe(0);
    const dead = await store.query<{ reason: string; input_ref: string }>('SELECT reason, input_ref FROM dead_letters FINAL ORDER BY input_ref');
    expect(dead.length).toBe(first.dead_lettered);
    expect(dead.some((d) => d.reason === 'invalid_json' && d.input_ref.endsWith('okta.malformed.jsonl:1'))).toBe(true);
  });

  it('re-importing the same files stores nothing new and counts duplicates', async () => {
    const again = await run([sharedPath('samples', 'okta.jsonl')]);
    expect(again.stored).toBe(0);
    expect(again.duplicates).toBeGreaterThanOrEqual(36);
    await store.command('OPTIMIZE TABLE auth_events FINAL');
    const [events] = await store.query<{ n: string }>('SELECT count() AS n FROM auth_events');
    const [ids] = await store.query<{ n: string }>('SELECT uniqExact(event_id) AS n FROM auth_events');
    expect(Number(events?.n)).toBe(Number(ids?.n));
  });

  it('an identical retried insert body adds no rows (insert_deduplication_token)', async () => {
    const body = Buffer.from('{"name":"x","source":"okta","cursor":"c1","updated_at":"2025-03-11 00:00:00.000"}\n');
    await store.insertBody('ingest_cursors', ['name', 'source', 'cursor', 'updated_at'], body, 'tok-1');
    await store.insertBody('ingest_cursors', ['name', 'source', 'cursor', 'updated_at'], body, 'tok-1');
    const rows = await store.query<{ n: string }>("SELECT count() AS n FROM ingest_cursors WHERE name = 'x'");
    expect(Number(rows[0]?.n)).toBe(1);
  });

  it('a batch holding one record twice keeps both rows until merged, and reads through FINAL count it once', async () => {
    // Inserts run with optimize_on_insert = 0 (INSERT_SETTINGS): duplicates inside a block are left to merges and to
    // FINAL, exactly like the same record arriving in two batches.
    const raw = readFileSync(sharedPath('samples', 'okta.jsonl'), 'utf8').split('\n')[0] as string;
    const id = (JSON.parse(raw) as { uuid: string }).uuid;
    const record = { source: 'okta', raw, received_at: '2026-01-02T03:04:05.678Z', raw_sha256: sha256Hex(raw) };
    const pipeline = createPipeline({ store, ...testDeps() });
    await store.command('TRUNCATE TABLE auth_events');
    await store.command('TRUNCATE TABLE raw_events');
    await pipeline.handle([{ ...record, input_ref: 'twice:1' }, { ...record, input_ref: 'twice:2' }]);
    const count = async (sql: string): Promise<number> => Number((await store.query<{ n: string }>(sql, { id }))[0]?.n);
    expect(await count("SELECT count() AS n FROM auth_events WHERE source_event_id = {id:String}")).toBe(2);
    expect(await count("SELECT count() AS n FROM auth_events FINAL WHERE source_event_id = {id:String}")).toBe(1);
    expect(await count('SELECT count() AS n FROM raw_events FINAL')).toBe(1);
    await store.command('OPTIMIZE TABLE auth_events FINAL');
    expect(await count("SELECT count() AS n FROM auth_events WHERE source_event_id = {id:String}")).toBe(1);
  });

  it('applying migrations again is a no-op', async () => {
    expect(await migrate(store.client)).toEqual([]);
  });

  it('keeps per-batch reconciliation counts that add up', async () => {
    const [r] = await store.query<{ received: string; events: string; dead: string; dropped: string }>(
      "SELECT sum(received) AS received, sum(events) AS events, sum(dead_lettered) AS dead, sum(dropped) AS dropped FROM ingest_batches WHERE source = 'okta'");
    expect(Number(r?.received)).toBeGreaterThan(0);
    expect(Number(r?.received)).toBeGreaterThanOrEqual(Number(r?.dead) + Number(r?.dropped));
  });
});
