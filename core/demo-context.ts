import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withDataDir, type AppContext } from './context.ts';

/** The demo store lives in its own directory under the data dir, so demo rows never mix with real data. */
export function demoDataDir(ctx: AppContext): string {
  return join(ctx.config.dataDir, 'demo');
}

/** The demo organisation's own config (its break-glass and shared accounts), used when no config file is given. */
export const DEMO_CONFIG_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', 'ingest', 'demo', 'demo-config.yaml');

/** A context whose store is the demo store (always embedded). */
export function demoContext(ctx: AppContext): AppContext {
  return withDataDir(ctx, demoDataDir(ctx), ctx.configPath ?? DEMO_CONFIG_PATH);
}
