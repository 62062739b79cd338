import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerErrorHandler } from '../../../api/plugins/errors.ts';
import { DASHBOARD_DIR, registerDashboardRoutes } from '../../../api/routes/dashboard.ts';

describe('dashboard routes', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = Fastify();
    registerErrorHandler(app);
    registerDashboardRoutes(app);
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
  });

  it('serves the page at / with a strict content security policy and no caching of stale modules', async () => {
    const r = await app.inject({ method: 'GET', url: '/' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.body).toContain('<script type="module" src="/dashboard/app.js"></script>');
    const csp = String(r.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(r.headers['referrer-policy']).toBe('no-referrer');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['cache-control']).toBe('no-cache');
  });

  it('serves modules, styles and the icon with their types, and nothing else', async () => {
    const js = await app.inject({ method: 'GET', url: '/dashboard/app.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await app.inject({ method: 'GET', url: '/dashboard/style.css' })).headers['content-type']).toBe('text/css; charset=utf-8');
    expect((await app.inject({ method: 'GET', url: '/dashboard/favicon.svg' })).headers['content-type']).toBe('image/svg+xml');
    for (const url of ['/dashboard/nope.js', '/dashboard/..%2Fpackage.json', '/dashboard/%2e%2e%2f%2e%2e%2fpackage.json', '/dashboard/../../package.json']) {
      const r = await app.inject({ method: 'GET', url });
      expect(r.statusCode, url).toBe(404);
      expect(r.json()).toMatchObject({ error: 'not_found' });
    }
  });

  it('the page needs nothing from other origins (no CDN; the machine may be offline)', () => {
    for (const f of readdirSync(DASHBOARD_DIR)) {
      const text = readFileSync(join(DASHBOARD_DIR, f), 'utf8');
      // The SVG namespace URI is an identifier, not a download.
      const urls = [...text.matchAll(/(?:https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}[^\s'"]*/gi)].map((m) => m[0]).filter((u) => !u.startsWith('http://www.w3.org/'));
      expect(urls, f).toEqual([]);
    }
  });

  it('every module import of the page resolves to a served file', async () => {
    const files = new Set(readdirSync(DASHBOARD_DIR));
    const seen = new Set<string>();
    const queue = ['app.js'];
    while (queue.length) {
      const f = queue.pop() as string;
      if (seen.has(f)) continue;
      seen.add(f);
      expect(files.has(f), `${f} is imported but missing`).toBe(true);
      const src = readFileSync(join(DASHBOARD_DIR, f), 'utf8');
      for (const m of src.matchAll(/^import\s[^;]*?from\s+'\.\/([\w.-]+)'/gm)) queue.push(m[1] as string);
    }
    expect([...seen].sort()).toEqual(['api.js', 'app.js', 'charts.js', 'format.js', 'lists.js', 'panels.js']);
    for (const f of seen) expect((await app.inject({ method: 'GET', url: `/dashboard/${f}` })).statusCode).toBe(200);
  });
});
