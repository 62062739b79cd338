import type { Command } from 'commander';
import type { AppContext } from '../context.ts';

/** `accessproof migrate`: apply pending migrations and exit. */
export function registerMigrate(program: Command, getCtx: () => AppContext): void {
  program.command('migrate')
    .description('apply pending schema migrations and exit')
    .action(async () => {
      const store = await getCtx().openStore();
      await store.close();
      process.stdout.write('{"migrated":true}\n');
    });
}
