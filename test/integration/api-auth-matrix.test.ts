import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../api/tokens.ts';
import { createContext } from '../../core/context.ts';
import { startServer, type RunningServer } from '../../core/main.ts';

/** Every /v1 route, whatever module registered it, refuses missing and bogus tokens (401) before doing any work. */
describe('API authorization matrix', () => {
  let server: RunningServer;
  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ap-authz-'));
    const ctx = createContext({ dataDir }, { ACCESSPROOF_PORT: '0', LOG_LEVEL: 'silent' });
    server = await startServer(ctx, { demo: false });
  });
  afterAll(async () => server.stop());

  const concrete = (url: string): string => url.replace(/:([a-z_]+)/g, (_m, name: string) => (name === 'source' ? 'okta' : 'x'));

  it('lists the product routes', () => {
    const urls = server.app.registeredRoutes.map((r) => r.url);
    for (const u of ['/v1/events', '/v1/dead-letters', '/v1/metrics', '/v1/metrics/activity', '/v1/sessions', '/v1/findings', '/v1/sources', '/v1/evidence-packs', '/v1/ingest/:source']) {
      expect(urls).toContain(u);
    }
  });

  it('answers 401 without a token and with a malformed or unknown one, on every /v1 route', async () => {
    const v1 = server.app.registeredRoutes.filter((r) => r.url.startsWith('/v1/') && r.method !== 'HEAD');
    expect(v1.length).toBeGreaterThan(10);
    for (const r of v1) {
      for (const authorization of [undefined, 'Bearer', 'Basic dXNlcjpwYXNz', 'Bearer ap_forged-token-value-000000000000']) {
        const res = await server.app.inject({
          method: r.method as 'GET', url: concrete(r.url), headers: authorization ? { authorization } : {},
          payload: r.method === 'POST' ? '{}' : undefined,
        });
        expect(res.statusCode, `${r.method} ${r.url} with ${authorization ?? 'no header'}`).toBe(401);
        expect(res.body).not.toMatch(/stack|at .*\.ts:/);
      }
    }
  });

  it('a viewer token may read but never write, ingest or build evidence (403)', async () => {
    const viewer = await createToken(server.store, 'viewer', 'matrix-viewer');
    const writes = server.app.registeredRoutes.filter((r) => r.url.startsWith('/v1/') && r.method === 'POST');
    expect(writes.length).toBeGreaterThan(3);
    for (const r of writes) {
      const res = await server.app.inject({ method: 'POST', url: concrete(r.url), headers: { authorization: `Bearer ${viewer}`, 'content-type': 'application/json' }, payload: '{}' });
      expect(res.statusCode, `POST ${r.url}`).toBe(403);
    }
    const read = await server.app.inject({ method: 'GET', url: '/v1/events', headers: { authorization: `Bearer ${viewer}` } });
    expect(read.statusCode).toBe(200);
  });
});
