import { createReadStream, existsSync } from 'node:fs';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../core/errors.ts';
import { generatePack, packPath } from '../../reports/evidence/service.ts';
import { findGenerated, listTrail, recordDownload, type TrailActor } from '../../reports/evidence/trail.ts';
import { AUDITORS, requireRole } from '../plugins/auth.ts';
import { decodeCursor, encodeCursor, LimitParam } from '../pagination.ts';
import type { RouteDeps } from './index.ts';

// Evidence packs for auditors (roles admin and auditor):
//   POST /v1/evidence-packs      build a pack (stored under <data dir>/evidence-packs), record it in the trail
//   GET  /v1/evidence-packs/:id  download it; the download is recorded in the trail before any byte is sent
//   GET  /v1/evidence-packs      the trail: every pack generated or downloaded, newest first

const PackBody = z.object({
  framework: z.string().min(1).max(40),
  controls: z.array(z.string().min(1).max(40)).max(50).optional(),
  from: z.string().min(10).max(40),
  to: z.string().min(10).max(40),
  generated_at: z.string().min(10).max(40).optional(),
  sample_size: z.number().int().min(1).max(10_000).optional(),
  seed: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/).optional(),
}).strict();

const PackId = z.object({ id: z.string().uuid() }).strict();

const TrailQuery = z.object({
  pack_id: z.string().uuid().optional(),
  limit: LimitParam,
  cursor: z.string().max(1000).optional(),
}).strict();

function actorOf(req: FastifyRequest): TrailActor {
  const p = req.principal;
  if (!p) throw new AppError('unauthorized', 'no principal', { status: 401 });
  return { principal: p.name, role: p.role, token_id: p.token_id, client_ip: req.ip, user_agent: String(req.headers['user-agent'] ?? '') };
}

/** Registers the evidence pack routes. */
export function registerEvidencePackRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const guard = { onRequest: requireRole(deps.verify, AUDITORS) };

  app.post('/v1/evidence-packs', guard, async (req, reply) => {
    const body = PackBody.parse(req.body ?? {});
    const pack = await generatePack(deps.ctx, deps.store, body, actorOf(req));
    reply.code(201);
    return {
      pack_id: pack.pack_id,
      size: pack.size,
      zip_sha256: pack.zip_sha256,
      manifest_sha256: pack.manifest_sha256,
      evidence_digest: pack.evidence_digest,
      signing_key_sha256: pack.manifest.signing.public_key_sha256,
      results: pack.manifest.results,
      download: `/v1/evidence-packs/${pack.pack_id}`,
    };
  });

  app.get('/v1/evidence-packs/:id', guard, async (req, reply) => {
    const { id } = PackId.parse(req.params);
    const generated = await findGenerated(deps.store, id);
    const path = packPath(deps.ctx, id);
    if (!generated || !existsSync(path)) throw new AppError('not_found', `no evidence pack ${id}`, { status: 404 });
    // NOTE: the trail row is stored before the first byte is sent: a download that is not recorded never starts.
    await recordDownload(deps.store, generated, actorOf(req), deps.ctx.clock.now());
    reply
      .header('content-type', 'application/zip')
      .header('content-disposition', `attachment; filename="evidence-pack-${id}.zip"`)
      .header('x-manifest-sha256', generated.manifest_sha256)
      .header('x-zip-sha256', generated.zip_sha256);
    return reply.send(createReadStream(path));
  });

  app.get('/v1/evidence-packs', guard, async (req) => {
    const q = TrailQuery.parse(req.query);
    const after = q.cursor ? decodeCursor(q.cursor) : undefined;
    const rows = await listTrail(deps.store, { limit: q.limit + 1, pack_id: q.pack_id, after });
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    const next_cursor = rows.length > q.limit && last ? encodeCursor({ t: `${last.at.slice(0, 10)} ${last.at.slice(11, 23)}`, id: last.record_id }) : null;
    return {
      evidence_packs: page.map((r) => ({ ...r, parameters: JSON.parse(r.parameters) as unknown })),
      next_cursor,
    };
  });
}
