import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.ts';
import { extraRouteRegistrars } from '../../api/routes/index.ts';
import { createToken, createTokenVerifier } from '../../api/tokens.ts';
import { fixedClock } from '../../core/clock.ts';
import { loadConfig } from '../../core/config.ts';
import { silentLogger } from '../../core/logger.ts';
import { DEFAULT_POLICY } from '../../ingest/normalizers/common.ts';
import { createPipeline } from '../../ingest/pipeline.ts';
import { createStatusRegistry, type StatusRegistry } from '../../ingest/sources/status-registry.ts';
import type { Store } from '../../schema/store/store.ts';
import { expectedEventIds, storedCounts, vendorRecords } from '../fakes/vendor-data.ts';
import { testDeps } from '../helpers/silent-context.ts';
import { openTempStore } from '../helpers/temp-store.ts';

// POST /v1/ingest/:source over real HTTP (app.listen on 127.0.0.1:0): Okta Event Hook verification and deliveries,
// Duo record arrays, NDJSON, malformed and oversize bodies, roles.

const BODY_LIMIT = 64 * 1024;

describe('webhook ingestion', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let app: FastifyInstance;
  let base: string;
  let status: StatusRegistry;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    ({ store, cleanup } = await openTempStore());
    const pipeline = createPipeline({ store, ...testDeps() });
    const verify = createTokenVerifier(store);
    const clock = fixedClock('2025-03-11T20:00:00.000Z');
    const ctx = { config: loadConfig({}), logger: silentLogger(), clock, policy: DEFAULT_POLICY, openStore: async () => store };
    status = createStatusRegistry(clock);
    for (const role of ['ingest', 'viewer', 'admin'] as const) tokens[role] = await createToken(store, role, `hook-${role}`);
    app = await buildApp({ store, verify, logger: silentLogger(), bodyLimit: BODY_LIMIT, version: 'test', extraRoutes: extraRouteRegistrars({ ctx, store, pipeline, verify, status }) });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app.close();
    await cleanup();
  });

  const post = (path: string, body: string, role = 'ingest', contentType = 'application/json') => fetch(`${base}${path}`, {
    method: 'POST', body, headers: { 'content-type': contentType, ...(role ? { authorization: `Bearer ${tokens[role]}` } : {}) },
  });
  const deadLetters = async (reason: string): Promise<{ stage: string; source: string; input_ref: string }[]> =>
    store.query('SELECT stage, source, input_ref FROM dead_letters FINAL WHERE reason = {reason:String}', { reason });

  it('answers the Okta Event Hook verification challenge', async () => {
    const r = await fetch(`${base}/v1/ingest/okta`, { headers: { authorization: `Bearer ${tokens.ingest}`, 'x-okta-verification-challenge': 'cJ9mfFe7-c1Zy1wh7tqDW8BTc-KxV4uXqYp8vE7r' } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await r.json()).toEqual({ verification: 'cJ9mfFe7-c1Zy1wh7tqDW8BTc-KxV4uXqYp8vE7r' });
    const noChallenge = await fetch(`${base}/v1/ingest/okta`, { headers: { authorization: `Bearer ${tokens.ingest}` } });
    expect(noChallenge.status).toBe(400);
    const notOkta = await fetch(`${base}/v1/ingest/duo`, { headers: { authorization: `Bearer ${tokens.ingest}`, 'x-okta-verification-challenge': 'x' } });
    expect(notOkta.status).toBe(400);
    expect((await fetch(`${base}/v1/ingest/okta`, { headers: { 'x-okta-verification-challenge': 'x' } })).status).toBe(401);
  });

  it('stores an Okta Event Hook delivery (data.events) once, even when Okta delivers it again', async () => {
    const events = vendorRecords('okta', { variant: 31, extra: 0 }).slice(0, 5);
    const delivery = JSON.stringify({
      eventType: 'com.okta.event_hook', eventTypeVersion: '1.0', cloudEventsVersion: '0.1', source: 'https://example.okta.com/api/v1/eventHooks/who8vt36qfNpCGz9H1e6',
      eventId: 'b5a188b9-5ece-4636-b041-482ffda96311', eventTime: '2025-03-11T17:31:00.000Z', contentType: 'application/json', data: { events },
    });
    const r = await post('/v1/ingest/okta', delivery);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ accepted: 5, events: 5, dead_lettered: 0, dropped: 0 });
    expect((await post('/v1/ingest/okta', delivery)).status).toBe(200);
    const ids = expectedEventIds('okta', events);
    expect(await storedCounts(store, ids)).toEqual({ missing: [], duplicated: [], found: 5 });
    expect(status.get('webhook:okta')).toMatchObject({ kind: 'webhook', source: 'okta', records_total: 10, metrics: { deliveries_total: 2 } });
  });

  it('accepts an array of Duo records and NDJSON, dead-lettering only the bad line', async () => {
    const duo = vendorRecords('duo', { variant: 32, extra: 0 });
    const arr = await post('/v1/ingest/duo', JSON.stringify(duo.slice(0, 10)));
    expect(arr.status).toBe(200);
    expect(await arr.json()).toMatchObject({ accepted: 10, events: 10, dead_lettered: 0 });
    const ndjson = [...duo.slice(10, 13).map((d) => JSON.stringify(d)), '{"txid": "broken'].join('\n');
    const nd = await post('/v1/ingest/duo', ndjson, 'ingest', 'application/x-ndjson');
    expect(nd.status).toBe(200);
    expect(await nd.json()).toMatchObject({ accepted: 3, events: 3, dead_lettered: 1 });
    const ids = expectedEventIds('duo', duo.slice(0, 13));
    expect(await storedCounts(store, ids)).toEqual({ missing: [], duplicated: [], found: 13 });
  });

  it('a malformed body is a 400 and a dead letter, and the server keeps serving', async () => {
    const r = await post('/v1/ingest/okta', '{"data":{"events":[{"uuid":"x"');
    expect(r.status).toBe(400);
    expect(await r.json()).toMatchObject({ error: 'bad_request', dead_lettered: 1 });
    const dl = await deadLetters('invalid_json');
    expect(dl.filter((d) => d.source === 'okta')).toEqual([expect.objectContaining({ stage: 'receiver' })]);
    // Valid JSON that is no event at all is just as unusable.
    const notEvent = await post('/v1/ingest/okta', '{"hello":"world"}');
    expect(notEvent.status).toBe(400);
    expect((await deadLetters('missing_field')).concat(await deadLetters('unsupported_shape')).some((d) => d.source === 'okta' && d.stage === 'normalize')).toBe(true);
    expect((await post('/v1/ingest/okta', '   ')).status).toBe(400);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('an oversize body is refused with 413', async () => {
    const big = JSON.stringify(Array.from({ length: 200 }, () => vendorRecords('okta', { variant: 33, extra: 0 })[0]));
    expect(big.length).toBeGreaterThan(BODY_LIMIT);
    const r = await post('/v1/ingest/okta', big);
    expect(r.status).toBe(413);
    expect(await r.json()).toMatchObject({ error: 'payload_too_large' });
  });

  it('needs the ingest role: 401 without a token, 403 with a reader token', async () => {
    expect((await post('/v1/ingest/okta', '[]', '')).status).toBe(401);
    const r = await post('/v1/ingest/okta', '[]', 'viewer');
    expect(r.status).toBe(403);
    expect(await r.json()).toMatchObject({ error: 'forbidden' });
  });

  it('an unknown source is a 400', async () => {
    expect((await post('/v1/ingest/nosuch', '{}')).status).toBe(400);
    expect((await post('/v1/ingest/../okta', '{}')).status).toBe(404);
  });
});
