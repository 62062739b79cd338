import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../core/context.ts';
import type { Pipeline } from '../../ingest/pipeline.ts';
import type { Store } from '../../schema/store/store.ts';
import type { TokenVerifier } from '../plugins/auth.ts';
import type { StatusRegistry } from '../../ingest/sources/status-registry.ts';
import { registerIngestRoutes } from './ingest.ts';
import { registerSourceRoutes } from './sources.ts';
import { registerDashboardRoutes } from './dashboard.ts';
import { registerSessionRoutes } from './sessions.ts';
import { registerMetricsRoutes } from './metrics.ts';
import { registerExemptionRoutes } from './exemptions.ts';
import { registerBreakGlassRoutes } from './break-glass.ts';
import { registerEvidencePackRoutes } from './evidence-packs.ts';

/** What the optional route plugins receive from the composition root. */
export interface RouteDeps {
  readonly ctx: AppContext;
  readonly store: Store;
  readonly pipeline: Pipeline;
  readonly verify: TokenVerifier;
  /** Runtime status of pollers, webhooks and workers (GET /v1/sources). */
  readonly status?: StatusRegistry;
}

/** Route plugins beyond events and dead letters (ingest, sources, sessions, metrics, evidence, dashboard). */
export function extraRouteRegistrars(deps: RouteDeps): ((app: FastifyInstance) => void | Promise<void>)[] {
  return [
    // One line per route module.
    (app) => registerIngestRoutes(app, deps),
    (app) => registerSourceRoutes(app, deps),
    (app) => registerDashboardRoutes(app),
    (app) => registerSessionRoutes(app, deps),
    (app) => registerMetricsRoutes(app, deps),
    (app) => registerExemptionRoutes(app, deps),
    (app) => registerBreakGlassRoutes(app, deps),
    (app) => registerEvidencePackRoutes(app, deps),
  ];
}
