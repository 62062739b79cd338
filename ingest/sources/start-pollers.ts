import { AppError } from '../../core/errors.ts';
import { DEFAULT_RETRY_POLICY, sleep as realSleep, type RetryPolicy, type Sleep } from '../../core/retry.ts';
import type { ConnectorDeps, ConnectorStarter, RunningConnector } from '../connectors.ts';
import { createDuoSource } from './duo.ts';
import { createEntraSource } from './entra.ts';
import { createGoogleSource } from './google.ts';
import { createOktaSource } from './okta.ts';
import { createPoller, CYCLE_BACKOFF, type Poller } from './poller.ts';
import type { Source, SourceDeps } from './source.ts';
import type { SourceConfig } from './source-config.ts';
import { createStatusRegistry } from './status-registry.ts';

/** Builds the Source of one configured entry. Throws SourceError ERR_SOURCE_CREDENTIALS when a credential is missing. */
export function createSource(cfg: SourceConfig, deps: SourceDeps): Source {
  switch (cfg.type) {
    case 'okta': return createOktaSource(cfg, deps);
    case 'entra': return createEntraSource(cfg, deps);
    case 'google': return createGoogleSource(cfg, deps);
    case 'duo': return createDuoSource(cfg, deps);
    default: {
      const never: never = cfg;
      throw new Error(`unhandled source ${String(never)}`);
    }
  }
}

/** Overrides for tests (fake time, fast backoff) and embedding. */
export interface PollerStarterOptions {
  readonly sleep?: Sleep;
  readonly fetch?: typeof fetch;
  readonly retry?: RetryPolicy;
  readonly failure_backoff?: RetryPolicy;
}

/** A ConnectorStarter for the `sources:` of the config file; see `startPollers`. */
export function createPollerStarter(opts: PollerStarterOptions = {}): ConnectorStarter {
  return async (deps: ConnectorDeps): Promise<RunningConnector[]> => {
    const { ctx, store, pipeline } = deps;
    const status = deps.status ?? createStatusRegistry(ctx.clock);
    const pollers: Poller[] = [];
    for (const cfg of ctx.config.file.sources) {
      if (!cfg.enabled) continue;
      let source: Source;
      try {
        source = createSource(cfg, {
          clock: ctx.clock, sleep: opts.sleep ?? realSleep, logger: ctx.logger, secrets: ctx.config.secrets,
          retry: opts.retry ?? DEFAULT_RETRY_POLICY, fetch: opts.fetch,
        });
      } catch (e) {
        // One misconfigured source is reported and skipped; the others start.
        const code = e instanceof AppError ? e.code : 'ERR_SOURCE_CONFIG';
        status.report(cfg.name, { source: cfg.type, kind: 'poller', state: 'failed', error: { code, message: (e as Error).message } });
        ctx.logger.error({ source: cfg.type, name: cfg.name, code, err: { message: (e as Error).message } }, 'source not started');
        continue;
      }
      const poller = createPoller({
        source, store, pipeline, status, logger: ctx.logger, clock: ctx.clock, sleep: opts.sleep ?? realSleep,
        interval_ms: cfg.interval_seconds * 1000, failure_backoff: opts.failure_backoff ?? CYCLE_BACKOFF,
      });
      poller.start();
      pollers.push(poller);
    }
    return pollers;
  };
}

/** Starts one poller per enabled source in the config file (okta, entra, google, duo). */
export const startPollers: ConnectorStarter = createPollerStarter();
