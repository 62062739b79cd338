import { createContext } from '../../../core/context.ts';
import { seedScenario } from './seed.ts';

// `node --import tsx test/reports/evidence/seed-data-dir.ts <data dir>`: fills a data directory's embedded store with
// the known scenario, for CLI tests that run accessproof in child processes (one chDB engine per process).

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: seed-data-dir.ts <data dir>');
const ctx = createContext({ dataDir }, { ACCESSPROOF_DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
const store = await ctx.openStore();
try {
  await seedScenario(store);
} finally {
  await store.close();
}
