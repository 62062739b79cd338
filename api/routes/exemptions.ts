import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { createExemption, exemptionStatus, exemptionTrail, loadExemptions, NewExemption, revokeExemption, type Actor } from '../../ingest/correlate/exemptions.ts';
import { ADMINS, READERS, requireRole } from '../plugins/auth.ts';
import type { RouteDeps } from './index.ts';

/** The caller recorded in trails: token principal name and token id. */
export function actorOf(req: FastifyRequest): Actor {
  return { name: req.principal?.name ?? 'unknown', token_id: req.principal?.token_id ?? '' };
}

const RevokeBody = z.object({ reason: z.string().max(2000).optional() }).strict();
const IdParam = z.object({ id: z.string().min(1).max(100) });

/** POST /v1/exemptions, POST /v1/exemptions/:id/revoke (admin); GET /v1/exemptions (readers, with the trail). */
export function registerExemptionRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.post('/v1/exemptions', { onRequest: requireRole(deps.verify, ADMINS) }, async (req, reply) => {
    const x = await createExemption(deps.store, NewExemption.parse(req.body ?? {}), actorOf(req), deps.ctx.clock);
    return reply.status(201).send({ exemption: { ...x, status: exemptionStatus(x, deps.ctx.clock.now().getTime()) } });
  });
  app.post('/v1/exemptions/:id/revoke', { onRequest: requireRole(deps.verify, ADMINS) }, async (req) => {
    const { id } = IdParam.parse(req.params);
    const body = RevokeBody.parse(req.body ?? {});
    const x = await revokeExemption(deps.store, id, actorOf(req), deps.ctx.clock, body.reason ?? '');
    return { exemption: { ...x, status: exemptionStatus(x, deps.ctx.clock.now().getTime()) } };
  });
  app.get('/v1/exemptions', { onRequest: requireRole(deps.verify, READERS) }, async () => {
    const now = deps.ctx.clock.now().getTime();
    const trail = await exemptionTrail(deps.store);
    const list = await loadExemptions(deps.store);
    return { exemptions: list.map((x) => ({ ...x, status: exemptionStatus(x, now), changes: trail.filter((c) => c.exemption_id === x.exemption_id) })) };
  });
}
