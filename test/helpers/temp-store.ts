import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '../../schema/store/store.ts';

/** An embedded chDB store in a fresh temp dir; one per test file (chDB allows one data path per process). */
export async function openTempStore(): Promise<{ store: Store; dir: string; cleanup(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'accessproof-test-'));
  const store = await openStore({ mode: 'embedded', path: join(dir, 'clickhouse'), user: 'default', password: '', database: 'default' });
  return {
    store,
    dir,
    async cleanup() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
