import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { listBreakGlass, reviewBreakGlass } from '../../ingest/correlate/break-glass.ts';
import { ensureCorrelated } from '../../ingest/correlate/ensure.ts';
import { AUDITORS, READERS, requireRole } from '../plugins/auth.ts';
import { actorOf } from './exemptions.ts';
import { periodOf } from './metrics.ts';
import type { RouteDeps } from './index.ts';

const ListQuery = z.object({ from: z.string().max(40).optional(), to: z.string().max(40).optional() }).strict();
const ReviewBody = z.object({ notes: z.string().trim().min(1).max(10_000) }).strict();
const SessionParam = z.object({ session: z.string().regex(/^[0-9a-f]{32}$/, 'expected a session_key') });

/** GET /v1/break-glass (readers) and POST /v1/break-glass/:session/review (admin, auditor). */
export function registerBreakGlassRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.get('/v1/break-glass', { onRequest: requireRole(deps.verify, READERS) }, async (req) => {
    const q = ListQuery.parse(req.query);
    const now = deps.ctx.clock.now().getTime();
    const period = periodOf(q.from ?? new Date(now - 90 * 86_400_000).toISOString(), q.to, now);
    await ensureCorrelated(deps.store, deps.ctx, period);
    return { uses: await listBreakGlass(deps.store, period.from, period.to, now, deps.ctx.config.file.policy.break_glass_review_days) };
  });
  app.post('/v1/break-glass/:session/review', { onRequest: requireRole(deps.verify, AUDITORS) }, async (req, reply) => {
    const { session } = SessionParam.parse(req.params);
    const { notes } = ReviewBody.parse(req.body ?? {});
    return reply.status(201).send({ review: await reviewBreakGlass(deps.store, session, notes, actorOf(req), deps.ctx.clock) });
  });
}
