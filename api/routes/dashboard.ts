import { readdirSync, readFileSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** Folder of the built-in dashboard: plain ES modules, CSS and one HTML page, no build step. */
export const DASHBOARD_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dashboards', 'web');

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

// NOTE: the page keeps the API token in sessionStorage, so no script may come from anywhere but this server:
// no inline scripts, no third-party origins, no framing. Inline SVG charts are built with DOM calls (allowed).
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-cache',
};

interface StaticFile { readonly body: Buffer; readonly type: string }

/** Reads the dashboard folder once: only files present at startup with a known type can ever be served. */
export function loadDashboardFiles(dir: string = DASHBOARD_DIR): ReadonlyMap<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const type = CONTENT_TYPES[extname(entry.name)];
    if (!entry.isFile() || !type || !/^[a-z0-9][a-z0-9.-]*$/.test(entry.name)) continue;
    files.set(entry.name, { body: readFileSync(join(dir, entry.name)), type });
  }
  if (!files.has('index.html')) throw new Error(`dashboard: index.html missing in ${dir}`);
  return files;
}

function send(reply: FastifyReply, file: StaticFile): FastifyReply {
  return reply.headers(SECURITY_HEADERS).type(file.type).send(file.body);
}

/**
 * The built-in dashboard: `GET /` serves the page and `GET /dashboard/<file>` its modules and styles. No token is
 * needed for these static files; every number on the page comes from the token-protected `/v1/*` routes.
 */
export function registerDashboardRoutes(app: FastifyInstance, opts: { dir?: string } = {}): void {
  const files = loadDashboardFiles(opts.dir);
  const index = files.get('index.html') as StaticFile;
  app.get('/', async (_req, reply) => send(reply, index));
  app.get<{ Params: { file: string } }>('/dashboard/:file', async (req, reply) => {
    // The map lookup is the whole path check: names with '/' or '..' are never keys.
    const file = files.get(req.params.file);
    if (!file) return reply.status(404).send({ error: 'not_found', message: `no dashboard file ${req.params.file}` });
    return send(reply, file);
  });
}
