import { createPublicKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.ts';
import { registerEvidencePackRoutes } from '../../api/routes/evidence-packs.ts';
import { createToken, createTokenVerifier, hashToken } from '../../api/tokens.ts';
import { createContext } from '../../core/context.ts';
import { silentLogger } from '../../core/logger.ts';
import { createPipeline } from '../../ingest/pipeline.ts';
import { SIGNING_KEY_FILE } from '../../reports/evidence/signing.ts';
import { verifyPack } from '../../reports/evidence/verify-pack.ts';
import type { Store } from '../../schema/store/store.ts';
import { testDeps } from '../helpers/silent-context.ts';
import { openTempStore } from '../helpers/temp-store.ts';
import { TRUTH } from '../reports/evidence/seed.ts';
import { seedScenario } from '../reports/evidence/seed.ts';
import { readZip, writeZip } from '../reports/evidence/zip-tools.ts';

// The auditor's path through the API: generate → download → verify passes; one changed byte → verify fails
// naming the file; the trail lists both actions with the token's principal.

describe('evidence packs API', () => {
  let store: Store;
  let dir: string;
  let cleanup: () => Promise<void>;
  let app: FastifyInstance;
  let failTrailInsert = false;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    ({ store, dir, cleanup } = await openTempStore());
    await seedScenario(store);
    for (const role of ['admin', 'auditor', 'viewer'] as const) tokens[role] = await createToken(store, role, `test-${role}`);
    const ctx = createContext({ dataDir: dir }, { ACCESSPROOF_DATA_DIR: dir, LOG_LEVEL: 'silent' });
    // A store whose trail inserts can be made to fail, to prove no byte is sent before the download is recorded.
    const guarded: Store = { ...store, insertRows: (table, rows, keys) => (failTrailInsert && table === 'evidence_packs' ? Promise.reject(new Error('trail unavailable')) : store.insertRows(table, rows, keys)) };
    const verify = createTokenVerifier(store);
    const deps = { ctx, store: guarded, pipeline: createPipeline({ store, ...testDeps() }), verify };
    app = await buildApp({ store, verify, logger: silentLogger(), bodyLimit: 1 << 20, version: 'test', extraRoutes: [(a) => registerEvidencePackRoutes(a, deps)] });
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await cleanup();
  });

  const auth = (role: string): Record<string, string> => ({ authorization: `Bearer ${tokens[role]}` });
  const body = { framework: 'soc2', from: '2025-03-11', to: '2025-03-11' };

  it('requires an admin or auditor token', async () => {
    expect((await app.inject({ method: 'POST', url: '/v1/evidence-packs', payload: body })).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url: '/v1/evidence-packs', payload: body, headers: auth('viewer') })).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/v1/evidence-packs', headers: auth('viewer') })).statusCode).toBe(403);
  });

  it('rejects bad requests with 400', async () => {
    const bad = async (payload: object): Promise<number> => (await app.inject({ method: 'POST', url: '/v1/evidence-packs', payload, headers: auth('auditor') })).statusCode;
    expect(await bad({ ...body, framework: 'sox' })).toBe(400);
    expect(await bad({ ...body, controls: ['CC9.9'] })).toBe(400);
    expect(await bad({ ...body, to: '2025-03-01' })).toBe(400);
    expect(await bad({ ...body, sample_size: 0 })).toBe(400);
    expect(await bad({ ...body, extra: true })).toBe(400);
    expect((await app.inject({ method: 'GET', url: '/v1/evidence-packs/not-a-uuid', headers: auth('auditor') })).statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: '/v1/evidence-packs/00000000-0000-4000-8000-000000000000', headers: auth('auditor') })).statusCode).toBe(404);
  });

  it('generate → download → verify passes; one changed byte → verify fails naming the file; the trail has both actions', async () => {
    const created = await app.inject({ method: 'POST', url: '/v1/evidence-packs', payload: body, headers: { ...auth('auditor'), 'user-agent': 'audit-firm/1.0' } });
    expect(created.statusCode).toBe(201);
    const c = created.json() as { pack_id: string; zip_sha256: string; manifest_sha256: string; download: string; results: { test_id: string; population: number; covered: number }[] };
    const priv = c.results.find((r) => r.test_id === 'privileged_mfa');
    expect([priv?.population, priv?.covered]).toEqual([TRUTH.privileged_mfa?.[0], TRUTH.privileged_mfa?.[1]]);

    const dl = await app.inject({ method: 'GET', url: c.download, headers: auth('auditor') });
    expect(dl.statusCode).toBe(200);
    expect(dl.headers['content-type']).toBe('application/zip');
    expect(dl.headers['x-manifest-sha256']).toBe(c.manifest_sha256);
    const zipPath = join(dir, 'downloaded.zip');
    writeFileSync(zipPath, dl.rawPayload);
    // The auditor's trusted key: the public half of the key created in the data directory.
    const keyPem = createPublicKey(readFileSync(join(dir, SIGNING_KEY_FILE), 'utf8')).export({ type: 'spki', format: 'pem' }).toString();
    const ok = await verifyPack(zipPath, keyPem);
    expect(ok.ok).toBe(true);
    expect(ok.pack_id).toBe(c.pack_id);

    const entries = await readZip(zipPath);
    const tampered = join(dir, 'tampered.zip');
    await writeZip(tampered, entries.map(([k, v]) => {
      if (k !== 'exceptions.csv') return [k, v];
      const b = Buffer.from(v);
      b[b.length - 3] = (b[b.length - 3] as number) ^ 0x01;
      return [k, b];
    }));
    const bad = await verifyPack(tampered, keyPem);
    expect(bad.ok).toBe(false);
    expect(bad.checks.filter((x) => !x.ok).map((x) => x.file)).toContain('exceptions.csv');

    const trail = await app.inject({ method: 'GET', url: `/v1/evidence-packs?pack_id=${c.pack_id}`, headers: auth('admin') });
    expect(trail.statusCode).toBe(200);
    const rows = (trail.json() as { evidence_packs: { action: string; principal: string; principal_role: string; token_id: string; manifest_sha256: string; user_agent: string; parameters: { framework: string } }[] }).evidence_packs;
    expect(rows.map((r) => r.action)).toEqual(['downloaded', 'generated']);
    for (const r of rows) {
      expect(r.principal).toBe('test-auditor');
      expect(r.principal_role).toBe('auditor');
      expect(r.token_id).toBe(hashToken(tokens.auditor as string).slice(0, 12));
      expect(r.manifest_sha256).toBe(c.manifest_sha256);
      expect(r.parameters.framework).toBe('soc2');
    }
    expect(rows[1]?.user_agent).toBe('audit-firm/1.0');
  });

  it('the same request yields the same pack (deterministic) and each generation is recorded', async () => {
    const a = (await app.inject({ method: 'POST', url: '/v1/evidence-packs', payload: body, headers: auth('admin') })).json() as { pack_id: string; zip_sha256: string };
    const b = (await app.inject({ method: 'POST', url: '/v1/evidence-packs', payload: body, headers: auth('auditor') })).json() as { pack_id: string; zip_sha256: string };
    expect(b).toMatchObject({ pack_id: a.pack_id, zip_sha256: a.zip_sha256 });
    const [n] = await store.query<{ n: string }>(`SELECT count() AS n FROM evidence_packs WHERE pack_id = {id:String} AND action = 'generated'`, { id: a.pack_id });
    expect(Number(n?.n)).toBeGreaterThanOrEqual(3);
  });

  it('a download that cannot be recorded sends no byte of the pack', async () => {
    const [row] = await store.query<{ pack_id: string }>(`SELECT pack_id FROM evidence_packs WHERE action = 'generated' LIMIT 1`);
    failTrailInsert = true;
    try {
      const r = await app.inject({ method: 'GET', url: `/v1/evidence-packs/${row?.pack_id}`, headers: auth('auditor') });
      expect(r.statusCode).toBe(500);
      expect(r.headers['content-type']).not.toBe('application/zip');
      expect(r.rawPayload.subarray(0, 2).toString()).not.toBe('PK');
    } finally {
      failTrailInsert = false;
    }
  });

  it('pages through the trail with a cursor, newest first', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const r = await app.inject({ method: 'GET', url: `/v1/evidence-packs?limit=1${cursor ? `&cursor=${cursor}` : ''}`, headers: auth('auditor') });
      const page = r.json() as { evidence_packs: { record_id: string; at: string }[]; next_cursor: string | null };
      for (const p of page.evidence_packs) seen.push(p.record_id);
      cursor = page.next_cursor;
    } while (cursor && seen.length < 50);
    const [n] = await store.query<{ n: string }>('SELECT count() AS n FROM evidence_packs');
    expect(seen.length).toBe(Number(n?.n));
    expect(new Set(seen).size).toBe(seen.length);
  });
});
