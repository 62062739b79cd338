import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../core/errors.ts';
import { ensureCorrelated } from '../../ingest/correlate/ensure.ts';
import { ACTIVITY_DEFAULT_LIMIT, ACTIVITY_MAX_LIMIT, computeActivity } from '../../reports/metrics/activity.ts';
import { computeMetrics, parsePeriod, type Period } from '../../reports/metrics/metrics.ts';
import { READERS, requireRole } from '../plugins/auth.ts';
import type { RouteDeps } from './index.ts';

const MetricsQuery = z.object({ from: z.string().max(40), to: z.string().max(40) }).strict();
const ActivityQuery = MetricsQuery.extend({ limit: z.coerce.number().int().min(1).max(ACTIVITY_MAX_LIMIT).default(ACTIVITY_DEFAULT_LIMIT) }).strict();

/** The period of a listing: both bounds optional (default: the last 30 days up to now). Bad values are a 400. */
export function periodOf(from: string | undefined, to: string | undefined, now: number): Period {
  try {
    return parsePeriod(from ?? new Date(now - 30 * 86_400_000).toISOString(), to ?? new Date(now + 1).toISOString());
  } catch (e) {
    throw new AppError('bad_request', (e as Error).message, { status: 400 });
  }
}

/**
 * GET /v1/metrics?from=&to=: the metrics JSON of a period (dates: `to` includes that day); GET
 * /v1/metrics/activity?from=&to=&limit=: the activity JSON of a period.
 */
export function registerMetricsRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.get('/v1/metrics', { onRequest: requireRole(deps.verify, READERS) }, async (req) => {
    const q = MetricsQuery.parse(req.query);
    const period = periodOf(q.from, q.to, deps.ctx.clock.now().getTime());
    await ensureCorrelated(deps.store, deps.ctx, period);
    return computeMetrics(deps.store, deps.ctx.config.file, period);
  });
  // Event-level figures need no correlation: they read auth_events (and the rollups of days already correlated).
  app.get('/v1/metrics/activity', { onRequest: requireRole(deps.verify, READERS) }, async (req) => {
    const q = ActivityQuery.parse(req.query);
    return computeActivity(deps.store, periodOf(q.from, q.to, deps.ctx.clock.now().getTime()), q.limit);
  });
}
