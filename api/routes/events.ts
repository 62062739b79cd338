import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Store } from '../../schema/store/store.ts';
import { READERS, requireRole, type TokenVerifier } from '../plugins/auth.ts';
import { decodeCursor, encodeCursor, LimitParam, TimeParam } from '../pagination.ts';

const EventsQuery = z.object({
  user: z.string().max(512).optional(),
  resource: z.string().max(512).optional(),
  source: z.string().max(64).optional(),
  action: z.string().max(64).optional(),
  outcome: z.enum(['success', 'failure', 'denied']).optional(),
  from: TimeParam.optional(),
  to: TimeParam.optional(),
  limit: LimitParam,
  cursor: z.string().max(1000).optional(),
}).strict();

/** The stored event columns returned by the API (everything but nothing internal). */
const EVENT_SELECT = `toString(event_id) AS event_id, source, source_kind, source_event_id, event_type,
  concat(replaceOne(toString(event_time), ' ', 'T'), 'Z') AS event_time,
  concat(replaceOne(toString(ingested_at), ' ', 'T'), 'Z') AS ingested_at,
  action, user, user_raw, user_type, target_user, resource, resource_type, environment, privileged, auth_method,
  mfa_method, mfa_method_raw, mfa_verified, mfa_evidence, phishing_resistant, outcome, reason, session_id, src_ip,
  user_agent, raw_sha256, details, _t`;

/** GET /v1/events: newest first, keyset-paginated, filterable. */
export function registerEventRoutes(app: FastifyInstance, deps: { store: Store; verify: TokenVerifier }): void {
  app.get('/v1/events', { onRequest: requireRole(deps.verify, READERS) }, async (req) => {
    const q = EventsQuery.parse(req.query);
    const where: string[] = [];
    const params: Record<string, unknown> = { limit: q.limit + 1 };
    if (q.user) { where.push('(user = {user:String} OR user_raw = {user:String})'); params.user = q.user; }
    if (q.resource) { where.push('resource = {resource:String}'); params.resource = q.resource; }
    if (q.source) { where.push('source = {source:String}'); params.source = q.source; }
    if (q.action) { where.push('action = {action:String}'); params.action = q.action; }
    if (q.outcome) { where.push('outcome = {outcome:String}'); params.outcome = q.outcome; }
    if (q.from) { where.push("event_time >= {from:DateTime64(3, 'UTC')}"); params.from = q.from; }
    if (q.to) { where.push("event_time < {to:DateTime64(3, 'UTC')}"); params.to = q.to; }
    if (q.cursor) {
      const c = decodeCursor(q.cursor);
      where.push("(event_time, toString(event_id)) < ({ct:DateTime64(3, 'UTC')}, {cid:String})");
      params.ct = c.t; params.cid = c.id;
    }
    // NOTE: filters run in the inner query on raw columns; formatting aliases live only in the outer query, because
    // ClickHouse would otherwise substitute an alias like `event_time` (a string) into the WHERE clause.
    const rows = await deps.store.query<Record<string, unknown> & { _t: string; event_id: string }>(
      `SELECT ${EVENT_SELECT} FROM (
         SELECT *, toString(event_time) AS _t FROM auth_events FINAL ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY event_time DESC, toString(event_id) DESC LIMIT {limit:UInt32})
       ORDER BY _t DESC, event_id DESC`, params);
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    const next_cursor = rows.length > q.limit && last ? encodeCursor({ t: last._t, id: last.event_id }) : null;
    return { events: page.map(({ _t, ...rest }) => rest), next_cursor };
  });
}
