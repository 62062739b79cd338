import { fixedClock, systemClock } from '../../core/clock.ts';
import { FileConfig } from '../../core/config.ts';
import { silentLogger } from '../../core/logger.ts';
import type { CorrelateDeps } from '../../ingest/correlate/correlate.ts';
import { createCorrelationMarker } from '../../ingest/correlate/dirty.ts';
import { ensureCorrelated } from '../../ingest/correlate/ensure.ts';
import { createExemption } from '../../ingest/correlate/exemptions.ts';
import { importFiles } from '../../ingest/files/import-files.ts';
import { importInventory } from '../../ingest/inventory/import-inventory.ts';
import { DEFAULT_POLICY } from '../../ingest/normalizers/common.ts';
import { createPipeline } from '../../ingest/pipeline.ts';
import type { Store } from '../../schema/store/store.ts';
import { REPORT_TIME, SCENARIO_CONFIG, type ScenarioFiles } from './correlation-scenario.ts';

/** The scenario's validated config file and correlation deps. */
export const SCENARIO_FILE: FileConfig = FileConfig.parse(SCENARIO_CONFIG);
export const SCENARIO_DEPS: CorrelateDeps = { config: { file: SCENARIO_FILE }, logger: silentLogger() };
/** The scenario day as a period. */
export const SCENARIO_PERIOD = { from: Date.parse('2025-06-02T00:00:00.000Z'), to: Date.parse('2025-06-03T00:00:00.000Z') };

/** Ingests one scenario source the way `accessproof ingest` does (pipeline + dirty marker, or inventory import). */
export async function ingestSource(store: Store, files: ScenarioFiles, source: keyof ScenarioFiles): Promise<void> {
  if (source === 'aws_credential_report' || source === 'hr') {
    // The credential report's snapshot time is its import time: the report was generated at 06:00.
    await importInventory(store, source, [files[source]], source === 'hr' ? systemClock : fixedClock(REPORT_TIME));
    return;
  }
  // NOTE: ingestion uses the wall clock: retention counts from ingestion, and old ingested_at rows would expire.
  const pipeline = createPipeline({ store, policy: DEFAULT_POLICY, clock: systemClock, logger: silentLogger(), onStored: createCorrelationMarker(store, SCENARIO_FILE) });
  await importFiles({ send: (r) => pipeline.handle(r), deadLetter: (d) => pipeline.deadLetter(d) }, { source, paths: [files[source]], batchSize: 5, clock: systemClock });
}

/** The scenario's two exemptions: gus on legacy hosts until noon (expires mid-day), and a still-active one. */
export async function createScenarioExemptions(store: Store): Promise<string[]> {
  const actor = { name: 'test-admin', token_id: 'tok123' };
  const clock = fixedClock('2025-05-31T12:00:00.000Z');
  const gus = await createExemption(store, {
    person: 'gus@corp.example', resource: 'legacy-prod-*', reason: 'legacy host without MFA support', approver: 'ciso@corp.example',
    starts_at: '2025-06-01T00:00:00Z', expires_at: '2025-06-02T12:00:00Z',
  }, actor, clock);
  const zed = await createExemption(store, {
    person: 'zed@corp.example', reason: 'hardware token on order', approver: 'ciso@corp.example',
    starts_at: '2025-06-01', expires_at: '2025-07-01',
  }, actor, clock);
  return [gus.exemption_id, zed.exemption_id];
}

/** Ingests sources in the given order; `incremental` reads (correlating stale days) after every step. */
export async function ingestScenario(store: Store, files: ScenarioFiles, order: readonly (keyof ScenarioFiles | 'exemptions')[], incremental: boolean): Promise<string[]> {
  let exemptions: string[] = [];
  for (const step of order) {
    if (step === 'exemptions') exemptions = await createScenarioExemptions(store);
    else await ingestSource(store, files, step);
    if (incremental) await ensureCorrelated(store, SCENARIO_DEPS, SCENARIO_PERIOD);
  }
  await ensureCorrelated(store, SCENARIO_DEPS, SCENARIO_PERIOD);
  return exemptions;
}

/** Every table the scenario writes, for resetting the store between ingestion orders. */
export const SCENARIO_TABLES = [
  'auth_events', 'raw_events', 'dead_letters', 'ingest_batches', 'accounts', 'sessions', 'findings', 'revocations',
  'exemptions', 'exemption_changes', 'break_glass_reviews', 'offboarding', 'correlation_dirty', 'correlation_state',
];

/** Empties the scenario tables. */
export async function resetStore(store: Store): Promise<void> {
  for (const t of SCENARIO_TABLES) await store.command(`TRUNCATE TABLE IF EXISTS ${t}`);
}
