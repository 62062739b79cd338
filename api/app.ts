import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '../core/logger.ts';
import type { Store } from '../schema/store/store.ts';
import { registerErrorHandler } from './plugins/errors.ts';
import type { TokenVerifier } from './plugins/auth.ts';
import { registerEventRoutes } from './routes/events.ts';
import { registerDeadLetterRoutes } from './routes/dead-letters.ts';

/** Everything the routes need. Optional parts register their routes only when present. */
export interface AppDeps {
  readonly store: Store;
  readonly verify: TokenVerifier;
  readonly logger: Logger;
  readonly bodyLimit: number;
  readonly version: string;
  /** Extra route plugins (ingest, sources, sessions, metrics, evidence, dashboard) registered by the composition root. */
  readonly extraRoutes?: readonly ((app: FastifyInstance) => void | Promise<void>)[];
}

/** One route as registered (the auth matrix test walks every /v1 route). */
export interface RegisteredRoute { readonly method: string; readonly url: string }

declare module 'fastify' {
  interface FastifyInstance {
    registeredRoutes: readonly RegisteredRoute[];
  }
}

/** Builds the API. Never listens: the caller (main or a test via inject) decides. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  // pino's Logger is a FastifyBaseLogger at runtime; the cast only widens fastify's generic so route plugins type-check.
  const loggerInstance = deps.logger.child({ stage: 'api' }) as unknown as FastifyBaseLogger;
  const app: FastifyInstance = Fastify({ loggerInstance, bodyLimit: deps.bodyLimit });
  const routes: RegisteredRoute[] = [];
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) routes.push({ method: String(method), url: r.url });
  });
  app.decorate('registeredRoutes', routes);
  registerErrorHandler(app);
  app.get('/healthz', async () => {
    await deps.store.query('SELECT 1 AS ok');
    return { status: 'ok', version: deps.version, store: deps.store.mode };
  });
  registerEventRoutes(app, deps);
  registerDeadLetterRoutes(app, deps);
  for (const register of deps.extraRoutes ?? []) await register(app);
  return app;
}
