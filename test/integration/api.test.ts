import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.ts';
import { createToken, createTokenVerifier } from '../../api/tokens.ts';
import { silentLogger } from '../../core/logger.ts';
import { importFiles } from '../../ingest/files/import-files.ts';
import { createPipeline } from '../../ingest/pipeline.ts';
import type { Store } from '../../schema/store/store.ts';
import { sharedPath } from '../helpers/shared.ts';
import { openTempStore } from '../helpers/temp-store.ts';
import { testDeps } from '../helpers/silent-context.ts';

describe('API', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let app: FastifyInstance;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    ({ store, cleanup } = await openTempStore());
    const deps = testDeps();
    const pipeline = createPipeline({ store, ...deps });
    await importFiles({ send: (r) => pipeline.handle(r), deadLetter: (d) => pipeline.deadLetter(d) },
      { source: 'okta', paths: [sharedPath('samples', 'okta.jsonl'), sharedPath('samples', 'okta.malformed.jsonl')], batchSize: 100, clock: deps.clock });
    for (const role of ['admin', 'auditor', 'viewer', 'ingest'] as const) tokens[role] = await createToken(store, role, `test-${role}`);
    app = await buildApp({ store, verify: createTokenVerifier(store), logger: silentLogger(), bodyLimit: 1 << 20, version: 'test' });
  });
  afterAll(async () => {
    await app.close();
    await cleanup();
  });

  const get = (url: string, role?: string) => app.inject({ method: 'GET', url, headers: role ? { authorization: `Bearer ${tokens[role]}` } : {} });

  it('GET /healthz needs no token', async () => {
    const r = await get('/healthz');
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ status: 'ok' });
  });

  it('rejects missing, malformed and unknown tokens with 401', async () => {
    expect((await get('/v1/events')).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/v1/events', headers: { authorization: 'Basic abc' } })).statusCode).toBe(401);
    const r = await app.inject({ method: 'GET', url: '/v1/events', headers: { authorization: 'Bearer ap_not-a-real-token' } });
    expect(r.statusCode).toBe(401);
    expect(r.json()).toMatchObject({ error: 'unauthorized' });
  });

  it('rejects a valid token of a role not allowed on the route with 403', async () => {
    const r = await get('/v1/events', 'ingest');
    expect(r.statusCode).toBe(403);
    expect(r.json().error).toBe('forbidden');
  });

  it('pages through events with a cursor, newest first, no overlap', async () => {
    const seen = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    let last = '9999';
    do {
      const r = await get(`/v1/events?limit=10${cursor ? `&cursor=${cursor}` : ''}`, 'viewer');
      expect(r.statusCode).toBe(200);
      const body = r.json() as { events: { event_id: string; event_time: string }[]; next_cursor: string | null };
      for (const e of body.events) {
        expect(seen.has(e.event_id)).toBe(false);
        expect(e.event_time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
        expect(e.event_time <= last).toBe(true);
        last = e.event_time;
        seen.add(e.event_id);
      }
      cursor = body.next_cursor;
      pages++;
    } while (cursor && pages < 50);
    const [n] = await store.query<{ n: string }>('SELECT count() AS n FROM auth_events FINAL');
    expect(seen.size).toBe(Number(n?.n));
    expect(pages).toBeGreaterThan(1);
  });

  it('filters events by user and time and validates parameters', async () => {
    const r = await get('/v1/events?user=alice@example.com&from=2025-03-11&to=2025-03-12', 'auditor');
    expect(r.statusCode).toBe(200);
    const events = (r.json() as { events: { user: string }[] }).events;
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.user === 'alice@example.com')).toBe(true);
    const bad = await get('/v1/events?from=yesterday', 'viewer');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/from/);
    expect((await get('/v1/events?limit=5000', 'viewer')).statusCode).toBe(400);
    expect((await get('/v1/events?cursor=garbage', 'viewer')).statusCode).toBe(400);
    expect((await get('/v1/events?nope=1', 'viewer')).statusCode).toBe(400);
  });

  it('lists dead letters with their reasons', async () => {
    const r = await get('/v1/dead-letters', 'auditor');
    expect(r.statusCode).toBe(200);
    const rows = (r.json() as { dead_letters: { reason: string; raw: string }[] }).dead_letters;
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((d) => d.reason.length > 0 && d.raw === '')).toBe(true);
  });

  it('unknown routes are JSON 404s', async () => {
    const r = await get('/v1/nothing-here', 'admin');
    expect(r.statusCode).toBe(404);
    expect(r.json()).toMatchObject({ error: 'not_found' });
  });
});
