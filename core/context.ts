import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, type Config } from './config.ts';
import { systemClock, type Clock } from './clock.ts';
import { createLogger, type Logger } from './logger.ts';
import { openStore, type Store } from '../schema/store/store.ts';
import type { NormalizerPolicy } from '../ingest/normalizers/normalizer.ts';

/** Version from package.json (recorded in evidence manifests and /healthz). */
export const VERSION: string = (JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'package.json'), 'utf8')) as { version: string }).version;

/** What every command gets: validated config, logger, clock, and a way to open the store. */
export interface AppContext {
  readonly config: Config;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly policy: NormalizerPolicy;
  /** The config file path in force (from --config or ACCESSPROOF_CONFIG). */
  readonly configPath?: string;
  openStore(): Promise<Store>;
}

/** Options every command accepts. */
export interface GlobalOptions {
  config?: string;
  dataDir?: string;
}

/** Builds the context; throws ConfigError (exit 2) before anything starts. */
export function createContext(opts: GlobalOptions = {}, env: NodeJS.ProcessEnv = process.env): AppContext {
  const config = loadConfig(env, { configPath: opts.config, dataDir: opts.dataDir });
  const logger = createLogger(config.env.LOG_LEVEL);
  const p = config.file.policy;
  const policy: NormalizerPolicy = {
    db_superusers: p.db_superusers,
    privileged_resources: p.privileged_resources,
    environment_rules: p.environment_rules,
    store_read_only_cloud_calls: p.store_read_only_cloud_calls,
  };
  return {
    config,
    logger,
    clock: systemClock,
    policy,
    configPath: opts.config ?? config.env.ACCESSPROOF_CONFIG,
    openStore: () => openStore(config.store, { retentionDays: config.env.ACCESSPROOF_RETENTION_DAYS }),
  };
}

/** Same config, but pointing at another data directory (the demo store). */
export function withDataDir(ctx: AppContext, dataDir: string, configPath = ctx.configPath): AppContext {
  const config = loadConfig({ ...process.env, ACCESSPROOF_DATA_DIR: dataDir, CLICKHOUSE_URL: '' }, { configPath, dataDir });
  return { ...ctx, config, configPath, openStore: () => openStore(config.store, { retentionDays: config.env.ACCESSPROOF_RETENTION_DAYS }) };
}
