import type { Command } from 'commander';
import type { AppContext } from '../context.ts';
import { demoContext } from '../demo-context.ts';

/** `accessproof start [--demo]`: migrate, start the configured sources and the API (and the dashboard). */
export function registerStart(program: Command, getCtx: () => AppContext): void {
  program.command('start')
    .description('migrate the store, start configured sources and receivers, and serve the API and dashboard')
    .option('--demo', 'use the demo data directory (filled with the generated demo organisation when empty)')
    .option('--worker', 'Kafka mode: also run a worker in this process (the default with the embedded store)')
    .option('--no-worker', 'Kafka mode: run no worker here (`accessproof worker` processes store the raw topic)')
    .action(async (opts: { demo?: boolean; worker?: boolean }) => {
      const base = getCtx();
      const ctx = opts.demo ? demoContext(base) : base;
      // Loaded lazily: the server's dependency graph is large and other commands do not need it.
      const { runServer } = await import('../main.ts');
      await runServer(ctx, { demo: Boolean(opts.demo), worker: opts.worker });
    });
}
