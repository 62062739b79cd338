import { join } from 'node:path';
import { withDataDir, type AppContext } from './context.ts';

/** The demo store lives in its own directory under the data dir, so demo rows never mix with real data. */
export function demoDataDir(ctx: AppContext): string {
  return join(ctx.config.dataDir, 'demo');
}

/** A context whose store is the demo store (always embedded). */
export function demoContext(ctx: AppContext): AppContext {
  return withDataDir(ctx, demoDataDir(ctx));
}
