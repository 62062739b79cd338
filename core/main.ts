import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from './context.ts';
import { VERSION } from './context.ts';
import { buildApp } from '../api/app.ts';
import { createToken, createTokenVerifier } from '../api/tokens.ts';
import { startConnectors, type RunningConnector } from '../ingest/connectors.ts';
import { createPipeline } from '../ingest/pipeline.ts';
import { createCorrelationMarker } from '../ingest/correlate/dirty.ts';
import { correlateDirty, startCorrelationLoop } from '../ingest/correlate/ensure.ts';
import { loadDemoDataset } from '../ingest/demo/load-demo.ts';
import { extraRouteRegistrars } from '../api/routes/index.ts';
import { createStatusRegistry } from '../ingest/sources/status-registry.ts';
import type { Store } from '../schema/store/store.ts';
import { startKafkaMode, type KafkaMode } from '../ingest/worker/kafka-runtime.ts';
import { normalizePoolFor, type NormalizePool } from '../ingest/normalize-pool/pool.ts';

/** How often the background loop correlates the days ingestion marked stale. */
const CORRELATION_INTERVAL_MS = 30_000;

/** A running server: the API plus the connectors, stoppable in the documented order. */
export interface RunningServer {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * The composition root: opens the store (migrating it), fills the demo store when asked, starts connectors and the
 * API. Shutdown order: stop sources, drain, close the store, close the API.
 */
export async function startServer(ctx: AppContext, opts: { demo: boolean; worker?: boolean }): Promise<RunningServer> {
  const log = ctx.logger;
  const store = await ctx.openStore();
  let kafka: KafkaMode | undefined;
  let pool: NormalizePool | undefined;
  try {
    if (opts.demo) await loadDemoDataset(ctx, store);
    const status = createStatusRegistry(ctx.clock);
    // Kafka mode: connectors publish to the raw topic; workers (in-process or `accessproof worker`) store.
    kafka = ctx.config.bus.mode === 'kafka' ? await startKafkaMode(ctx, { store, status, inProcessWorker: opts.worker }) : undefined;
    // Embedded: big batches (pollers' pages, tailed files) are normalised on worker threads.
    pool = kafka ? undefined : normalizePoolFor(ctx.config.env.NORMALIZE_WORKERS, ctx.policy, log);
    const pipeline = kafka?.pipeline ?? createPipeline({ store, policy: ctx.policy, clock: ctx.clock, logger: log, onStored: createCorrelationMarker(store, ctx.config.file), pool });
    const verify = createTokenVerifier(store);
    const app = await buildApp({
      store, verify, logger: log, bodyLimit: ctx.config.env.ACCESSPROOF_BODY_LIMIT_BYTES, version: VERSION,
      extraRoutes: extraRouteRegistrars({ ctx, store, pipeline, verify, status }),
    });
    const connectors: RunningConnector[] = await startConnectors({ ctx, store, pipeline, status });
    const address = await app.listen({ host: ctx.config.env.ACCESSPROOF_HOST, port: ctx.config.env.ACCESSPROOF_PORT });
    log.info({ address, store: store.mode, connectors: connectors.map((c) => c.name) }, 'accessproof started');
    // Background correlation keeps sessions and findings current, so API reads rarely wait for it; the first round
    // starts at once (a fresh demo store has a month of stale days).
    const stopCorrelation = startCorrelationLoop(store, ctx, CORRELATION_INTERVAL_MS);
    const firstRound = correlateDirty(store, ctx).catch((e: Error) => log.warn({ err: { message: e.message } }, 'initial correlation failed'));
    if (opts.demo) {
      const token = await createToken(store, 'admin', 'demo');
      const tokenFile = join(ctx.config.dataDir, 'demo-token.txt');
      writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
      process.stdout.write(`accessproof demo is up at ${address}\n  dashboard: ${address}/#token=${token}\n  admin token (also in ${tokenFile}): ${token}\n`);
    }
    let stopped = false;
    return {
      app, store, url: address,
      async stop() {
        if (stopped) return;
        stopped = true;
        for (const c of connectors) await c.stop().catch((e: Error) => log.warn({ connector: c.name, err: { message: e.message } }, 'connector stop failed'));
        await stopCorrelation();
        await firstRound;
        await kafka?.stop().catch((e: Error) => log.warn({ err: { message: e.message } }, 'kafka stop failed'));
        await app.close();
        await pool?.close();
        await store.close();
      },
    };
  } catch (e) {
    await kafka?.stop().catch(() => undefined);
    await pool?.close();
    await store.close();
    throw e;
  }
}

/** Runs the server until SIGINT/SIGTERM. */
export async function runServer(ctx: AppContext, opts: { demo: boolean; worker?: boolean }): Promise<void> {
  const server = await startServer(ctx, opts);
  await new Promise<void>((resolve) => {
    const shutdown = (): void => {
      ctx.logger.info('shutting down');
      server.stop().finally(resolve);
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });
}
