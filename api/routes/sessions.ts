import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ensureCorrelated } from '../../ingest/correlate/ensure.ts';
import { listFindings, listSessions, RecordFilters } from '../../reports/metrics/records.ts';
import { READERS, requireRole } from '../plugins/auth.ts';
import { decodeCursor, encodeCursor, LimitParam } from '../pagination.ts';
import { periodOf } from './metrics.ts';
import type { RouteDeps } from './index.ts';

const ListQuery = RecordFilters.extend({
  from: z.string().max(40).optional(),
  to: z.string().max(40).optional(),
  limit: LimitParam,
  cursor: z.string().max(1000).optional(),
}).strict();

/** GET /v1/sessions and GET /v1/findings: newest first, keyset-paginated, filterable; stale days correlated first. */
export function registerSessionRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const guard = { onRequest: requireRole(deps.verify, READERS) };
  const prepare = async (query: unknown) => {
    const q = ListQuery.parse(query);
    const { from, to, limit, cursor, ...filters } = q;
    const period = periodOf(from, to, deps.ctx.clock.now().getTime());
    await ensureCorrelated(deps.store, deps.ctx, period);
    return { filters, period, limit, after: cursor ? decodeCursor(cursor) : null };
  };
  app.get('/v1/sessions', guard, async (req) => {
    const p = await prepare(req.query);
    const page = await listSessions(deps.store, p.filters, p.period, p.limit, p.after);
    return { sessions: page.rows, next_cursor: page.next ? encodeCursor(page.next) : null };
  });
  app.get('/v1/findings', guard, async (req) => {
    const p = await prepare(req.query);
    const page = await listFindings(deps.store, p.filters, p.period, p.limit, p.after);
    return { findings: page.rows, next_cursor: page.next ? encodeCursor(page.next) : null };
  });
}
