import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { FileConfig } from '../../../core/config.ts';
import { buildPack, type BuiltPack } from '../../../reports/evidence/build-pack.ts';
import { FRAMEWORK_IDS } from '../../../reports/evidence/catalog.ts';
import { loadOrCreateSigningKey, type SigningKey } from '../../../reports/evidence/signing.ts';
import type { Store } from '../../../schema/store/store.ts';
import { openTempStore } from '../../helpers/temp-store.ts';
import { seedScenario } from './seed.ts';

/** A seeded store with one pack per framework (period 2025-03-11), built into `dir/packs`. */
export interface ScenarioPacks {
  store: Store;
  dir: string;
  key: SigningKey;
  file: FileConfig;
  packs: Record<string, BuiltPack>;
  build(framework: string, name: string, extra?: Partial<{ generated_at: string; sample_size: number; seed: string; controls: string[] }>): Promise<BuiltPack>;
  cleanup(): Promise<void>;
}

/** Opens a temp store, seeds the scenario and builds every framework's pack. */
export async function scenarioPacks(frameworks: readonly string[] = FRAMEWORK_IDS): Promise<ScenarioPacks> {
  const { store, dir, cleanup } = await openTempStore();
  await seedScenario(store);
  const key = loadOrCreateSigningKey(join(dir, 'keys'));
  const file = FileConfig.parse({ organisation: 'Example Org' });
  mkdirSync(join(dir, 'packs'), { recursive: true });
  const build: ScenarioPacks['build'] = (framework, name, extra = {}) =>
    buildPack({ framework, from: '2025-03-11', to: '2025-03-11', ...extra }, { store, file, key, tool_version: '0.1.0' }, join(dir, 'packs', `${name}.zip`));
  const packs: Record<string, BuiltPack> = {};
  for (const f of frameworks) packs[f] = await build(f, f);
  return { store, dir, key, file, packs, build, cleanup };
}
