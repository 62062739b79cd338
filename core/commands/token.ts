import type { Command } from 'commander';
import { UsageError } from '../errors.ts';
import type { AppContext } from '../context.ts';
import { createToken, Role } from '../../api/tokens.ts';

/** `accessproof token create --role <role> [--name N]`: prints a new API token once; only its hash is stored. */
export function registerToken(program: Command, getCtx: () => AppContext): void {
  const token = program.command('token').description('manage API tokens');
  token.command('create')
    .description('create an API token (printed once; only its SHA-256 is stored)')
    .requiredOption('--role <role>', 'admin | auditor | viewer | ingest')
    .option('--name <name>', 'who or what holds the token', 'unnamed')
    .option('--demo', 'create the token in the demo data directory')
    .action(async (opts: { role: string; name: string; demo?: boolean }) => {
      const role = Role.safeParse(opts.role);
      if (!role.success) throw new UsageError(`--role must be one of admin, auditor, viewer, ingest (got "${opts.role}")`);
      let ctx = getCtx();
      if (opts.demo) ctx = (await import('../demo-context.ts')).demoContext(ctx);
      const store = await ctx.openStore();
      try {
        process.stdout.write(`${await createToken(store, role.data, opts.name)}\n`);
      } finally {
        await store.close();
      }
    });
}
