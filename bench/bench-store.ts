import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from '../schema/store/migrate.ts';
import { openStore, type Store } from '../schema/store/store.ts';

/** The benchmark's embedded store in a fresh temporary directory, and a way back to empty tables. */
export interface BenchStore {
  readonly store: Store;
  readonly dir: string;
  /** Drops every table (stopping merges, clearing dedup tokens) and applies the migrations again. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** Opens a migrated embedded store in a new temp dir (chDB binds one data dir per process, so one per run). */
export async function openBenchStore(): Promise<BenchStore> {
  const dir = mkdtempSync(join(tmpdir(), 'accessproof-bench-'));
  const store = await openStore({ mode: 'embedded', path: join(dir, 'clickhouse'), user: 'default', password: '', database: 'default' });
  const reset = async (): Promise<void> => {
    const tables = await store.query<{ name: string }>('SELECT name FROM system.tables WHERE database = currentDatabase() AND NOT is_temporary');
    for (const t of tables) await store.command(`DROP TABLE IF EXISTS \`${t.name}\` SYNC`);
    await migrate(store.client);
  };
  return {
    store,
    dir,
    reset,
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
