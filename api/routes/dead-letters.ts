import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Store } from '../../schema/store/store.ts';
import { READERS, requireRole, type TokenVerifier } from '../plugins/auth.ts';
import { decodeCursor, encodeCursor, LimitParam, TimeParam } from '../pagination.ts';

const DeadLetterQuery = z.object({
  source: z.string().max(64).optional(),
  reason: z.string().max(128).optional(),
  from: TimeParam.optional(),
  to: TimeParam.optional(),
  limit: LimitParam,
  cursor: z.string().max(1000).optional(),
  include_raw: z.enum(['true', 'false']).default('false'),
}).strict();

/** GET /v1/dead-letters: rejected inputs with their reason, newest first. Raw bytes only on request. */
export function registerDeadLetterRoutes(app: FastifyInstance, deps: { store: Store; verify: TokenVerifier }): void {
  app.get('/v1/dead-letters', { onRequest: requireRole(deps.verify, READERS) }, async (req) => {
    const q = DeadLetterQuery.parse(req.query);
    const where: string[] = [];
    const params: Record<string, unknown> = { limit: q.limit + 1 };
    if (q.source) { where.push('source = {source:String}'); params.source = q.source; }
    if (q.reason) { where.push('reason = {reason:String}'); params.reason = q.reason; }
    if (q.from) { where.push("received_at >= {from:DateTime64(3, 'UTC')}"); params.from = q.from; }
    if (q.to) { where.push("received_at < {to:DateTime64(3, 'UTC')}"); params.to = q.to; }
    if (q.cursor) {
      const c = decodeCursor(q.cursor);
      where.push("(received_at, raw_sha256 || input_ref) < ({ct:DateTime64(3, 'UTC')}, {cid:String})");
      params.ct = c.t; params.cid = c.id;
    }
    const rows = await deps.store.query<Record<string, unknown> & { _t: string; _k: string }>(
      `SELECT source, stage, concat(replaceOne(toString(received_at), ' ', 'T'), 'Z') AS received_at_iso, input_ref, reason,
              detail, raw_sha256, ${q.include_raw === 'true' ? 'raw' : "'' AS raw"}, toString(received_at) AS _t, raw_sha256 || input_ref AS _k
       FROM dead_letters FINAL ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY received_at DESC, _k DESC LIMIT {limit:UInt32}`, params);
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    const next_cursor = rows.length > q.limit && last ? encodeCursor({ t: last._t, id: last._k }) : null;
    return { dead_letters: page.map(({ _t, _k, received_at_iso, ...rest }) => ({ ...rest, received_at: received_at_iso })), next_cursor };
  });
}
