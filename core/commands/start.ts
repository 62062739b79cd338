import type { Command } from 'commander';
import type { AppContext } from '../context.ts';
import { demoContext } from '../demo-context.ts';

/** `accessproof start [--demo]`: migrate, start the configured sources and the API (and the dashboard). */
export function registerStart(program: Command, getCtx: () => AppContext): void {
  program.command('start')
    .description('migrate the store, start configured sources and receivers, and serve the API and dashboard')
    .option('--demo', 'use the demo data directory (filled with the generated demo organisation when empty)')
    .action(async (opts: { demo?: boolean }) => {
      const base = getCtx();
      const ctx = opts.demo ? demoContext(base) : base;
      // Loaded lazily: the server's dependency graph is large and other commands do not need it.
      const { runServer } = await import('../main.ts');
      await runServer(ctx, { demo: Boolean(opts.demo) });
    });
}
