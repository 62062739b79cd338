import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.ts';
import { registerBreakGlassRoutes } from '../../api/routes/break-glass.ts';
import { registerExemptionRoutes } from '../../api/routes/exemptions.ts';
import type { RouteDeps } from '../../api/routes/index.ts';
import { registerMetricsRoutes } from '../../api/routes/metrics.ts';
import { registerSessionRoutes } from '../../api/routes/sessions.ts';
import { createToken, createTokenVerifier } from '../../api/tokens.ts';
import type { Clock } from '../../core/clock.ts';
import { createContext, type AppContext } from '../../core/context.ts';
import { silentLogger } from '../../core/logger.ts';
import { createPipeline } from '../../ingest/pipeline.ts';
import type { Store } from '../../schema/store/store.ts';
import { SCENARIO_CONFIG, writeScenario } from '../helpers/correlation-scenario.ts';
import { ingestScenario } from '../helpers/correlation-ingest.ts';
import { openTempStore } from '../helpers/temp-store.ts';

describe('API: metrics, sessions, findings, exemptions, break-glass', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let app: FastifyInstance;
  let dir: string;
  let now = Date.parse('2025-06-02T20:00:00.000Z');
  const clock: Clock = { now: () => new Date(now) };
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    ({ store, cleanup } = await openTempStore());
    dir = mkdtempSync(join(tmpdir(), 'accessproof-api-scenario-'));
    const files = writeScenario(join(dir, 'scenario'));
    await ingestScenario(store, files, ['exemptions', 'okta', 'teleport', 'sshd', 'postgres', 'cloudtrail', 'aws_credential_report', 'hr'], false);
    const configPath = join(dir, 'accessproof.json');
    writeFileSync(configPath, JSON.stringify(SCENARIO_CONFIG));
    const base = createContext({ config: configPath, dataDir: dir }, { LOG_LEVEL: 'silent' });
    const ctx: AppContext = { ...base, clock, logger: silentLogger(), openStore: () => Promise.resolve(store) };
    for (const role of ['admin', 'auditor', 'viewer', 'ingest'] as const) tokens[role] = await createToken(store, role, `${role}-person`);
    const verify = createTokenVerifier(store);
    const deps: RouteDeps = { ctx, store, verify, pipeline: createPipeline({ store, policy: ctx.policy, clock, logger: ctx.logger }) };
    app = await buildApp({
      store, verify, logger: silentLogger(), bodyLimit: 1 << 20, version: 'test',
      extraRoutes: [(a) => registerSessionRoutes(a, deps), (a) => registerMetricsRoutes(a, deps), (a) => registerExemptionRoutes(a, deps), (a) => registerBreakGlassRoutes(a, deps)],
    });
  });
  afterAll(async () => {
    await app.close();
    await cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const auth = (role?: string): Record<string, string> => (role ? { authorization: `Bearer ${tokens[role]}` } : {});
  const get = (url: string, role?: string) => app.inject({ method: 'GET', url, headers: auth(role) });
  const post = (url: string, body: unknown, role?: string) => app.inject({ method: 'POST', url, payload: body as object, headers: auth(role) });
  const DAY = 'from=2025-06-02&to=2025-06-02';

  it('GET /v1/metrics returns the metrics JSON to readers only', async () => {
    const r = await get(`/v1/metrics?${DAY}`, 'viewer');
    expect(r.statusCode).toBe(200);
    const m = r.json() as Record<string, unknown>;
    expect(Object.keys(m)).toEqual([
      'period', 'privileged_sessions', 'mfa_covered_sessions', 'mfa_coverage_pct', 'coverage_by_binding', 'coverage_by_surface',
      'phishing_resistant_pct', 'mfa_methods', 'findings', 'local_superuser_accounts', 'time_to_revoke_hours', 'failed_logins',
      'mfa_failures', 'break_glass', 'exemptions',
    ]);
    expect(m).toMatchObject({ privileged_sessions: 13, mfa_covered_sessions: 7, coverage_by_binding: { direct: 3, idp_bound: 4, exempt: 1, none: 5 }, failed_logins: 4, mfa_failures: 2 });
    expect((await get(`/v1/metrics?${DAY}`)).statusCode).toBe(401);
    expect((await get(`/v1/metrics?${DAY}`, 'ingest')).statusCode).toBe(403);
    expect((await get('/v1/metrics?from=2025-06-02', 'viewer')).statusCode).toBe(400);
    expect((await get('/v1/metrics?from=yesterday&to=2025-06-02', 'viewer')).statusCode).toBe(400);
  });

  it('GET /v1/metrics/activity returns the event-level figures of a period to readers, equal to plain counts', async () => {
    const r = await get(`/v1/metrics/activity?${DAY}&limit=3`, 'viewer');
    expect(r.statusCode).toBe(200);
    type Activity = {
      period: { from: string; to: string }; limit: number;
      method_mix: { source: string; method: string; events: number; verified: number }[];
      active_users: { month: string; source: string; users: number; events: number }[];
      top_users: { user: string; events: number; resources: number }[];
      top_resources: { resource: string; users: number; events: number }[];
      ingest_lag: { events: number; p50_s: number | null; p90_s: number | null; p99_s: number | null };
    };
    const a = r.json() as Activity;
    expect(Object.keys(a)).toEqual(['period', 'limit', 'method_mix', 'active_users', 'top_users', 'top_resources', 'ingest_lag']);
    expect(a.period).toEqual({ from: '2025-06-02T00:00:00.000Z', to: '2025-06-03T00:00:00.000Z' });
    const T = "DateTime64(3, 'UTC')";
    const p = { a: '2025-06-02 00:00:00.000', b: '2025-06-03 00:00:00.000' };
    const where = `FROM auth_events FINAL WHERE event_time >= {a:${T}} AND event_time < {b:${T}}`;
    const [total] = await store.query<{ n: string }>(`SELECT count() AS n ${where}`, p);
    expect(Number(total?.n)).toBeGreaterThan(10);
    expect(a.method_mix.reduce((n, m) => n + m.events, 0)).toBe(Number(total?.n));
    expect(a.ingest_lag.events).toBe(Number(total?.n));
    const top = await store.query<{ user: string; events: string; resources: string }>(
      `SELECT user, count() AS events, uniqExact(resource) AS resources ${where} AND user != '' GROUP BY user ORDER BY events DESC, user LIMIT 3`, p);
    expect(a.top_users.map((u) => [u.user, u.events, u.resources])).toEqual(top.map((u) => [u.user, Number(u.events), Number(u.resources)]));
    const res = await store.query<{ resource: string; users: string }>(
      `SELECT resource, uniqExact(user) AS users ${where} AND resource != '' GROUP BY resource ORDER BY users DESC, resource LIMIT 3`, p);
    expect(a.top_resources.map((x) => [x.resource, x.users])).toEqual(res.map((x) => [x.resource, Number(x.users)]));
    const [people] = await store.query<{ n: string }>(`SELECT uniqExact(user) AS n ${where} AND user != '' AND source = 'okta'`, p);
    expect(a.active_users.find((u) => u.source === 'okta')?.users).toBe(Number(people?.n));
    expect((await get(`/v1/metrics/activity?${DAY}`, 'auditor')).json()).toMatchObject({ limit: 20 });
    expect((await get(`/v1/metrics/activity?${DAY}`)).statusCode).toBe(401);
    expect((await get(`/v1/metrics/activity?${DAY}`, 'ingest')).statusCode).toBe(403);
    for (const bad of ['from=2025-06-02', `${DAY}&limit=0`, `${DAY}&limit=1001`, `${DAY}&limit=ten`, `${DAY}&user=x`, 'from=yesterday&to=2025-06-02']) {
      const b = await get(`/v1/metrics/activity?${bad}`, 'viewer');
      expect(b.statusCode, bad).toBe(400);
      expect(b.body, bad).toMatch(/"message"/);
    }
  });

  it('GET /v1/sessions filters by binding, surface, person and privileged, and pages without overlap', async () => {
    const none = (await get(`/v1/sessions?${DAY}&binding=none&privileged=true`, 'auditor')).json() as { sessions: { started_at: string; mfa_binding: string }[] };
    expect(none.sessions.map((s) => s.started_at).sort()).toEqual(['2025-06-02T09:20:00.000Z', '2025-06-02T10:30:00.000Z', '2025-06-02T13:00:00.000Z', '2025-06-02T14:30:00.000Z', '2025-06-02T16:30:00.003Z', '2025-06-02T21:30:00.000Z']);
    // The listing shows service sessions too (ci-bot at 14:30); the metrics leave them out.
    const ann = (await get(`/v1/sessions?${DAY}&person=ann@corp.example&surface=ssh`, 'viewer')).json() as { sessions: { resource: string; ended_at: string | null }[] };
    expect(ann.sessions.map((s) => [s.resource, s.ended_at])).toEqual([['prod-web-2', null], ['prod-web-1', '2025-06-02T08:35:00.000Z']]);
    const keys = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r = await get(`/v1/sessions?${DAY}&limit=5${cursor ? `&cursor=${cursor}` : ''}`, 'viewer');
      expect(r.statusCode).toBe(200);
      const body = r.json() as { sessions: { session_key: string }[]; next_cursor: string | null };
      for (const s of body.sessions) { expect(keys.has(s.session_key)).toBe(false); keys.add(s.session_key); }
      cursor = body.next_cursor;
      pages++;
    } while (cursor);
    expect(keys.size).toBe(18);
    expect(pages).toBe(4);
    expect((await get('/v1/sessions?binding=maybe', 'viewer')).statusCode).toBe(400);
  });

  it('GET /v1/findings filters by kind, person, surface and binding', async () => {
    const f = (q: string) => get(`/v1/findings?${DAY}&${q}`, 'viewer').then((r) => (r.json() as { findings: { kind: string; person: string; evidence_event_ids: string[] }[] }).findings);
    expect((await f('kind=no_mfa')).length).toBe(2);
    expect((await f('person=cara@corp.example')).map((x) => x.kind).sort()).toEqual(['direct_ssh_key', 'local_cloud_user', 'post_revocation_access']);
    expect((await f('surface=database')).map((x) => x.kind).sort()).toEqual(['direct_db_superuser', 'shared_account']);
    expect((await f('binding=direct')).map((x) => x.kind).sort()).toEqual(['local_cloud_user', 'root_account', 'shared_account']);
    expect((await f('kind=root_account'))[0]?.evidence_event_ids.length).toBe(1);
  });

  it('exemptions: admin-only changes, validated, attributed to the token, and they re-classify sessions', async () => {
    const body = { person: 'ann@corp.example', resource: 'prod-web-2', reason: 'night maintenance window', approver: 'ciso@corp.example', starts_at: '2025-06-02T21:00:00Z', expires_at: '2025-06-03T02:00:00Z' };
    expect((await post('/v1/exemptions', body, 'auditor')).statusCode).toBe(403);
    expect((await post('/v1/exemptions', { ...body, person: undefined, resource: undefined }, 'admin')).statusCode).toBe(400);
    expect((await post('/v1/exemptions', { ...body, expires_at: '2025-09-15T00:00:00Z' }, 'admin')).statusCode).toBe(400);
    expect((await post('/v1/exemptions', { ...body, approver: '' }, 'admin')).statusCode).toBe(400);
    const created = await post('/v1/exemptions', body, 'admin');
    expect(created.statusCode).toBe(201);
    const x = (created.json() as { exemption: { exemption_id: string; created_by: string; status: string } }).exemption;
    expect(x).toMatchObject({ created_by: 'admin-person', status: 'pending' });
    let m = (await get(`/v1/metrics?${DAY}`, 'viewer')).json() as { coverage_by_binding: Record<string, number>; findings: { kind: string; count: number }[] };
    expect(m.coverage_by_binding).toEqual({ direct: 3, idp_bound: 4, exempt: 2, none: 4 });
    expect(m.findings.find((k) => k.kind === 'no_mfa')?.count).toBe(1);
    // Revoked at 21:15: the 21:30 session is no longer covered.
    now = Date.parse('2025-06-02T21:15:00.000Z');
    expect((await post(`/v1/exemptions/${x.exemption_id}/revoke`, { reason: 'window cancelled' }, 'viewer')).statusCode).toBe(403);
    const revoked = await post(`/v1/exemptions/${x.exemption_id}/revoke`, { reason: 'window cancelled' }, 'admin');
    expect(revoked.statusCode).toBe(200);
    expect((await post(`/v1/exemptions/${x.exemption_id}/revoke`, {}, 'admin')).statusCode).toBe(409);
    expect((await post('/v1/exemptions/exm_nope/revoke', {}, 'admin')).statusCode).toBe(404);
    m = (await get(`/v1/metrics?${DAY}`, 'viewer')).json() as typeof m;
    expect(m.coverage_by_binding).toEqual({ direct: 3, idp_bound: 4, exempt: 1, none: 5 });
    const list = (await get('/v1/exemptions', 'viewer')).json() as { exemptions: { exemption_id: string; status: string; changes: { action: string; actor: string; actor_token_id: string }[] }[] };
    const mine = list.exemptions.find((e) => e.exemption_id === x.exemption_id);
    expect(mine?.status).toBe('revoked');
    expect(mine?.changes.map((c) => [c.action, c.actor, c.actor_token_id.length])).toEqual([['create', 'admin-person', 12], ['revoke', 'admin-person', 12]]);
    expect(list.exemptions.filter((e) => e.status === 'expired')).toHaveLength(1);
  });

  it('break-glass: readers list uses, auditors and admins review, the review is counted', async () => {
    now = Date.parse('2025-06-05T00:00:00.000Z');
    const list = (await get(`/v1/break-glass?${DAY}`, 'viewer')).json() as { uses: { session_key: string; overdue: boolean; reviewed: boolean }[] };
    expect(list.uses).toHaveLength(1);
    expect(list.uses[0]).toMatchObject({ overdue: true, reviewed: false });
    const key = list.uses[0]?.session_key ?? '';
    expect((await post(`/v1/break-glass/${key}/review`, { notes: 'checked' }, 'viewer')).statusCode).toBe(403);
    expect((await post(`/v1/break-glass/${key}/review`, {}, 'auditor')).statusCode).toBe(400);
    expect((await post('/v1/break-glass/not-a-key/review', { notes: 'x' }, 'auditor')).statusCode).toBe(400);
    expect((await post(`/v1/break-glass/${'0'.repeat(32)}/review`, { notes: 'x' }, 'auditor')).statusCode).toBe(404);
    const r = await post(`/v1/break-glass/${key}/review`, { notes: 'INC-1: restored auth; commands reviewed' }, 'auditor');
    expect(r.statusCode).toBe(201);
    expect((r.json() as { review: { reviewer: string; reviewed_at: string } }).review).toMatchObject({ reviewer: 'auditor-person', reviewed_at: '2025-06-05T00:00:00.000Z' });
    const after = (await get(`/v1/break-glass?${DAY}`, 'viewer')).json() as typeof list;
    expect(after.uses[0]).toMatchObject({ overdue: false, reviewed: true });
    const m = (await get(`/v1/metrics?${DAY}`, 'viewer')).json() as { break_glass: unknown };
    expect(m.break_glass).toEqual({ uses: 1, reviewed: 1, unreviewed: 0 });
  });
});
