import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.ts';
import { registerIngestRoutes } from '../../api/routes/ingest.ts';
import { createToken, createTokenVerifier } from '../../api/tokens.ts';
import { createContext } from '../../core/context.ts';
import { silentLogger } from '../../core/logger.ts';
import { createPipeline } from '../../ingest/pipeline.ts';
import type { Store } from '../../schema/store/store.ts';
import { normalizeFiles } from '../helpers/normalize-file.ts';
import { sharedPath } from '../helpers/shared.ts';
import { openTempStore } from '../helpers/temp-store.ts';
import { testDeps } from '../helpers/silent-context.ts';

const lines = (file: string): string[] => readFileSync(sharedPath('samples', file), 'utf8').split('\n').filter((l) => l.trim() !== '');

describe('webhook delivery to a listening API → chDB', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let app: FastifyInstance;
  let base: string;
  let ingestToken: string;
  let viewerToken: string;

  beforeAll(async () => {
    let dir: string;
    ({ store, cleanup, dir } = await openTempStore());
    const ctx = createContext({ dataDir: dir }, { LOG_LEVEL: 'silent' });
    const pipeline = createPipeline({ store, ...testDeps() });
    const verify = createTokenVerifier(store);
    app = await buildApp({
      store, verify, logger: silentLogger(), bodyLimit: 5 * 1024 * 1024, version: 'test',
      extraRoutes: [(a) => registerIngestRoutes(a, { ctx, store, pipeline, verify })],
    });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    ingestToken = await createToken(store, 'ingest', 'teleport-event-handler');
    viewerToken = await createToken(store, 'viewer', 'someone');
  });
  afterAll(async () => {
    await app.close();
    await cleanup();
  });

  const post = (path: string, body: string, token = ingestToken) =>
    fetch(`${base}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } });
  const storedIds = async (source: string): Promise<string[]> =>
    (await store.query<{ id: string }>('SELECT toString(event_id) AS id FROM auth_events FINAL WHERE source = {source:String} ORDER BY id', { source })).map((r) => r.id);

  it('takes Teleport event-handler deliveries (one JSON event per POST, exactly 200 expected) and stores what `normalize` gives', async () => {
    for (const line of lines('teleport.jsonl')) {
      const r = await post('/v1/ingest/teleport', line);
      // The event handler counts anything but 200 as a failed delivery and retries it.
      expect(r.status).toBe(200);
    }
    const expected = await normalizeFiles('teleport', [sharedPath('samples', 'teleport.jsonl')]);
    expect(await storedIds('teleport')).toEqual(expected.events.map((e) => e.event_id).sort());
    const [session] = await store.query<{ user: string; action: string; mfa_verified: boolean; resource: string; session_id: string; device: string }>(
      `SELECT user, action, mfa_verified, resource, session_id, details['mfa_device_uuid'] AS device FROM auth_events FINAL
       WHERE source = 'teleport' AND event_type = 'session.start' AND user = 'alice@example.com'`);
    expect(session).toMatchObject({ user: 'alice@example.com', action: 'session_start', mfa_verified: true, session_id: '959c01c3-71f6-489d-982d-def48145daf5' });
  });

  it('accepts the session-stream URL form (<session-url>.<sid>.log) and is idempotent on redelivery', async () => {
    const before = await storedIds('teleport');
    const sessionStart = lines('teleport.jsonl').find((l) => l.includes('"event":"session.start"')) as string;
    const r = await post('/v1/ingest/teleport.959c01c3-71f6-489d-982d-def48145daf5.log', sessionStart);
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ accepted: 1, events: 1 });
    expect(await post('/v1/ingest/teleport', sessionStart).then((x) => x.status)).toBe(200);
    expect(await storedIds('teleport')).toEqual(before);
  });

  it('refuses bad deliveries: no token 401, wrong role 403, malformed body 400 kept as a dead letter', async () => {
    const noToken = await fetch(`${base}/v1/ingest/teleport`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(noToken.status).toBe(401);
    expect((await post('/v1/ingest/teleport', '{}', viewerToken)).status).toBe(403);
    const truncated = lines('teleport.malformed.jsonl')[0] as string;
    const bad = await post('/v1/ingest/teleport', truncated);
    expect(bad.status).toBe(400);
    const dead = await store.query<{ reason: string; input_ref: string }>("SELECT reason, input_ref FROM dead_letters FINAL WHERE source = 'teleport'");
    expect(dead.map((d) => d.reason)).toEqual(['invalid_json']);
    expect(dead[0]?.input_ref).toMatch(/^webhook:/);
  });

  it('takes a kube-apiserver audit webhook EventList batch and stores every ResponseComplete event', async () => {
    const items = lines('kubernetes-audit.jsonl').map((l) => JSON.parse(l) as unknown);
    const body = JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items });
    const r = await post('/v1/ingest/k8s', body);
    expect(r.status).toBe(200);
    const counts = await r.json() as { accepted: number; events: number; dropped: number; dead_lettered: number };
    expect(counts).toMatchObject({ accepted: items.length, dead_lettered: 0 });
    const expected = await normalizeFiles('k8s', [sharedPath('samples', 'kubernetes-audit.jsonl')]);
    expect(counts.events).toBe(expected.events.length);
    expect(counts.dropped).toBe(expected.drops.length);
    expect(await storedIds('k8s')).toEqual(expected.events.map((e) => e.event_id).sort());
    const exec = await store.query<{ action: string; user: string; impersonated_by: string; privileged: boolean; time: string }>(
      `SELECT action, user, details['impersonated_by'] AS impersonated_by, privileged, toString(event_time) AS time FROM auth_events FINAL
       WHERE source = 'k8s' AND session_id = '14f52595-bcfe-44ae-8636-8fea81a8fd71' ORDER BY event_time`);
    expect(exec).toEqual([
      { action: 'session_start', user: 'alice@example.com', impersonated_by: 'system:serviceaccount:teleport-agent:teleport-kube-agent', privileged: true, time: '2025-03-11 09:05:41.300' },
      { action: 'session_end', user: 'alice@example.com', impersonated_by: 'system:serviceaccount:teleport-agent:teleport-kube-agent', privileged: true, time: '2025-03-11 09:12:58.662' },
    ]);
  });
});
