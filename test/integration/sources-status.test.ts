import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.ts';
import { extraRouteRegistrars } from '../../api/routes/index.ts';
import type { SourceRow } from '../../api/routes/sources.ts';
import { createToken, createTokenVerifier } from '../../api/tokens.ts';
import { fixedClock } from '../../core/clock.ts';
import { loadConfig } from '../../core/config.ts';
import type { AppContext } from '../../core/context.ts';
import { silentLogger } from '../../core/logger.ts';
import type { RunningConnector } from '../../ingest/connectors.ts';
import { DEFAULT_POLICY } from '../../ingest/normalizers/common.ts';
import { createPipeline, type Pipeline } from '../../ingest/pipeline.ts';
import { createPollerStarter } from '../../ingest/sources/start-pollers.ts';
import { createStatusRegistry, type StatusRegistry } from '../../ingest/sources/status-registry.ts';
import type { Store } from '../../schema/store/store.ts';
import { createFakeTime } from '../fakes/fake-time.ts';
import { eventTimeOf, expectedEventIds, storedCounts, vendorRecords, type VendorSource } from '../fakes/vendor-data.ts';
import { TEST_RETRY, VENDORS, type AnyFake } from '../fakes/vendors.ts';
import { testDeps } from '../helpers/silent-context.ts';
import { openTempStore } from '../helpers/temp-store.ts';

// `accessproof start`'s poller starter with all four sources against their fakes: Okta's credentials are refused
// (401) while the others keep ingesting; GET /v1/sources shows it; once Okta accepts again the poller recovers.

const START = '2025-03-11T18:00:00.000Z';
const SOURCES: VendorSource[] = ['okta', 'entra', 'google', 'duo'];

async function until(cond: () => boolean, what: string, ms = 30_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('pollers under `start` and GET /v1/sources', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let pipeline: Pipeline;
  let status: StatusRegistry;
  let connectors: RunningConnector[] = [];
  let app: FastifyInstance;
  let ctx: AppContext;
  const fakes = new Map<VendorSource, AnyFake>();
  const records = new Map<VendorSource, Record<string, unknown>[]>();
  const tokens: Record<string, string> = {};
  const time = createFakeTime(START, { realMs: 10 });

  beforeAll(async () => {
    ({ store, cleanup } = await openTempStore());
    pipeline = createPipeline({ store, ...testDeps() });
    const yaml: string[] = ['sources:'];
    let secrets: Record<string, string> = {};
    for (const s of SOURCES) {
      const data = vendorRecords(s, { variant: 21, extra: 60 });
      records.set(s, data);
      const fake = await VENDORS[s].start(time.clock, data);
      fakes.set(s, fake);
      const cfg = VENDORS[s].config(fake, `${s}-prod`);
      yaml.push(`  - ${JSON.stringify(cfg)}`);
      secrets = { ...secrets, ...VENDORS[s].secrets(fake) };
    }
    const google = VENDORS.google.config(fakes.get('google') as AnyFake, 'google-missing', { service_account_key_env: 'MISSING_SA' });
    yaml.push(`  - ${JSON.stringify(google)}`, `  - ${JSON.stringify({ ...VENDORS.duo.config(fakes.get('duo') as AnyFake, 'duo-disabled'), enabled: false })}`);
    const file = join(mkdtempSync(join(tmpdir(), 'ap-status-')), 'accessproof.yaml');
    writeFileSync(file, `${yaml.join('\n')}\n`);
    (fakes.get('okta') as AnyFake).revoked = true;
    ctx = { config: loadConfig({ ...secrets, ACCESSPROOF_CONFIG: file }), logger: silentLogger(), clock: time.clock, policy: DEFAULT_POLICY, openStore: async () => store };
    status = createStatusRegistry(time.clock);
    const starter = createPollerStarter({ sleep: time.sleep, retry: TEST_RETRY, failure_backoff: { ...TEST_RETRY, base_ms: 5000, max_ms: 60_000 } });
    connectors = await starter({ ctx, store, pipeline, status });
    const verify = createTokenVerifier(store);
    for (const role of ['viewer', 'auditor', 'ingest'] as const) tokens[role] = await createToken(store, role, `t-${role}`);
    // The API reads "today" and the lag on a fixed clock; the pollers run on virtual time.
    app = await buildApp({
      store, verify, logger: silentLogger(), bodyLimit: 1 << 20, version: 'test',
      extraRoutes: extraRouteRegistrars({ ctx: { ...ctx, clock: fixedClock('2025-03-11T20:00:00.000Z') }, store, pipeline, verify, status }),
    });
  });
  afterAll(async () => {
    for (const c of connectors) await c.stop();
    await app?.close();
    for (const f of fakes.values()) await f.close();
    await cleanup();
  });

  const sources = async (role: string): Promise<SourceRow[]> => {
    const r = await app.inject({ method: 'GET', url: '/v1/sources', headers: { authorization: `Bearer ${tokens[role]}` } });
    expect(r.statusCode).toBe(200);
    return (r.json() as { sources: SourceRow[] }).sources;
  };

  it('starts one poller per enabled source with credentials; a missing credential is reported, not fatal', () => {
    expect(connectors.map((c) => c.name)).toEqual(['poller:okta-prod', 'poller:entra-prod', 'poller:google-prod', 'poller:duo-prod']);
    expect(status.get('google-missing')).toMatchObject({ state: 'failed', last_error: { code: 'ERR_SOURCE_CREDENTIALS' } });
    expect(status.get('google-missing')?.last_error?.message).toContain('MISSING_SA');
  });

  it('a source failing with 401 backs off while the others store every event exactly once', async () => {
    await until(() => (status.get('okta-prod')?.consecutive_failures ?? 0) >= 2
      && ['entra-prod', 'google-prod', 'duo-prod'].every((n) => status.get(n)?.last_success_at), 'pollers');
    for (const s of ['entra', 'google', 'duo'] as const) {
      const ids = expectedEventIds(s, records.get(s) ?? []);
      expect(await storedCounts(store, ids)).toEqual({ missing: [], duplicated: [], found: ids.length });
    }
    expect((await storedCounts(store, expectedEventIds('okta', records.get('okta') ?? []))).found).toBe(0);
  });

  it('GET /v1/sources shows the failure, the healthy sources with lag, counts and cursor, and the misconfigured ones', async () => {
    const rows = await sources('viewer');
    expect(rows.map((r) => r.name)).toEqual(['duo-disabled', 'duo-prod', 'entra-prod', 'google-missing', 'google-prod', 'okta-prod']);
    const byName = new Map(rows.map((r) => [r.name, r]));
    expect(byName.get('okta-prod')).toMatchObject({
      source: 'okta', kind: 'poller', configured: true, enabled: true, state: 'backoff', last_success_at: null,
      last_error: { code: 'ERR_SOURCE_AUTH' }, cursor: null, events_today: 0, lag_seconds: null,
    });
    expect(byName.get('okta-prod')?.last_error?.message).toContain('HTTP 401 (E0000011 Invalid token provided)');
    expect(byName.get('okta-prod')?.consecutive_failures).toBeGreaterThanOrEqual(2);
    for (const s of ['entra', 'google', 'duo'] as const) {
      const row = byName.get(`${s}-prod`) as SourceRow;
      const data = records.get(s) ?? [];
      const newest = data.map((r) => eventTimeOf(s, r)).sort().pop() as string;
      expect(row).toMatchObject({ source: s, last_error: null, consecutive_failures: 0, events_today: data.length, dead_letters_today: 0 });
      expect(row.last_success_at).not.toBeNull();
      expect(row.lag_seconds).toBe(Math.round((Date.parse('2025-03-11T20:00:00.000Z') - Date.parse(newest)) / 1000));
      expect(JSON.parse(row.cursor ?? '{}')).toMatchObject({ v: 1 });
      expect(row.metrics.pages_total).toBeGreaterThanOrEqual(1);
    }
    expect(byName.get('google-missing')).toMatchObject({ state: 'failed', last_error: { code: 'ERR_SOURCE_CREDENTIALS' } });
    expect(byName.get('duo-disabled')).toMatchObject({ state: 'disabled', enabled: false });
    expect((await sources('auditor')).length).toBe(rows.length);
  });

  it('GET /v1/sources needs a reader role', async () => {
    expect((await app.inject({ method: 'GET', url: '/v1/sources' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/v1/sources', headers: { authorization: `Bearer ${tokens.ingest}` } })).statusCode).toBe(403);
  });

  it('the failing poller recovers by itself once the credentials work again', async () => {
    (fakes.get('okta') as AnyFake).revoked = false;
    await until(() => Boolean(status.get('okta-prod')?.last_success_at), 'okta recovery');
    const ids = expectedEventIds('okta', records.get('okta') ?? []);
    expect(await storedCounts(store, ids)).toEqual({ missing: [], duplicated: [], found: ids.length });
    const okta = (await sources('viewer')).find((r) => r.name === 'okta-prod');
    expect(okta?.consecutive_failures).toBe(0);
    expect(okta?.cursor).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v1\/logs\?/);
  });

  it('stopping the connectors stops every loop', async () => {
    for (const c of connectors) await c.stop();
    for (const s of SOURCES) expect(status.get(`${s}-prod`)?.state).toBe('stopped');
  });
});
