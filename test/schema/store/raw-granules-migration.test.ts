import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../core/clock.ts';
import { silentLogger } from '../../../core/logger.ts';
import { DEFAULT_POLICY } from '../../../ingest/normalizers/common.ts';
import { createPipeline, fromBusMessage } from '../../../ingest/pipeline.ts';
import { migrate, readMigrations } from '../../../schema/store/migrate.ts';
import type { Store } from '../../../schema/store/store.ts';
import { BENCH_SOURCES, generateCorpus } from '../../../bench/corpus/index.ts';
import { openTempStore } from '../../helpers/temp-store.ts';

// Migration 0008 rebuilds raw_events with 1 MiB granules (bounded merge memory). An existing store must come out of
// it with every raw record intact, byte for byte, and no leftover table.

const MIGRATION = '0008_raw_granules.sql';

describe('migration 0008 (raw_events rebuilt with 1 MiB granules)', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ store, cleanup } = await openTempStore());
  });
  afterAll(async () => cleanup());

  const createQuery = async (): Promise<string> =>
    (await store.query<{ q: string }>("SELECT create_table_query AS q FROM system.tables WHERE database = currentDatabase() AND name = 'raw_events'"))[0]?.q ?? '';

  it('upgrades a store in the 0007 layout without losing or changing a raw record', async () => {
    expect(await createQuery()).toContain('index_granularity_bytes = 1048576');
    // Back to the layout an existing install has: raw_events as 0001 + 0007 created it, 0008 not applied.
    await store.command('DROP TABLE raw_events SYNC');
    const old = readMigrations().filter((m) => m.name < MIGRATION).flatMap((m) => m.statements).filter((s) => /\braw_events\b/.test(s) && /^(CREATE|ALTER)/i.test(s));
    expect(old.length).toBeGreaterThanOrEqual(2);
    for (const statement of old) await store.command(statement);
    await store.command(`ALTER TABLE schema_migrations DELETE WHERE name = {n:String} SETTINGS mutations_sync = 2`, { n: MIGRATION });
    expect(await createQuery()).not.toContain('index_granularity_bytes = 1048576');

    const corpus = generateCorpus(5, 150);
    const pipeline = createPipeline({ store, policy: DEFAULT_POLICY, clock: fixedClock(new Date().toISOString()), logger: silentLogger() });
    for (const s of BENCH_SOURCES) await pipeline.handle(corpus.messages[s].map(fromBusMessage), 'test');
    const snapshot = async (): Promise<string> => JSON.stringify(await store.query('SELECT * FROM raw_events FINAL ORDER BY source, raw_sha256'));
    const before = await snapshot();
    expect(JSON.parse(before).length).toBeGreaterThan(500);

    expect(await migrate(store.client)).toEqual([MIGRATION]);
    expect(await createQuery()).toContain('index_granularity_bytes = 1048576');
    expect(await snapshot()).toBe(before);
    const [left] = await store.query<{ n: string }>("SELECT count() AS n FROM system.tables WHERE database = currentDatabase() AND name = 'raw_events_rebuild'");
    expect(Number(left?.n)).toBe(0);
    // Applied once: the next start has nothing to do.
    expect(await migrate(store.client)).toEqual([]);
  });
});
