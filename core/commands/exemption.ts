import { userInfo } from 'node:os';
import type { Command } from 'commander';
import type { AppContext } from '../context.ts';
import { createExemption, exemptionStatus, loadExemptions, revokeExemption, type Actor } from '../../ingest/correlate/exemptions.ts';

/** The CLI actor: the OS user running the command (recorded in exemption_changes). */
export function cliActor(name?: string): Actor {
  let os = 'unknown';
  try { os = userInfo().username; } catch { /* no passwd entry (containers) */ }
  return { name: name && name.trim() !== '' ? name.trim() : `cli:${os}`, token_id: '' };
}

/** `accessproof exemption create|revoke|list`: MFA exemptions, append-only and attributed. */
export function registerExemption(program: Command, getCtx: () => AppContext): void {
  const cmd = program.command('exemption').description('MFA exemptions (at most 90 days; never edited: revoke and create a new one)');
  cmd.command('create')
    .description('create an exemption for a person and/or resource pattern (globs with *)')
    .option('--person <pattern>', 'person (email) pattern')
    .option('--resource <pattern>', 'resource pattern')
    .requiredOption('--reason <text>', 'why the exemption is needed')
    .requiredOption('--approver <name>', 'who approved it')
    .requiredOption('--expires <date>', 'expiry (YYYY-MM-DD or ISO instant), at most 90 days after the start')
    .option('--starts <date>', 'start (default: now)')
    .option('--by <name>', 'who is recording it (default: cli:<OS user>)')
    .action(async (opts: { person?: string; resource?: string; reason: string; approver: string; expires: string; starts?: string; by?: string }) => {
      const ctx = getCtx();
      const store = await ctx.openStore();
      try {
        const x = await createExemption(store, {
          person: opts.person, resource: opts.resource, reason: opts.reason, approver: opts.approver,
          expires_at: opts.expires, ...(opts.starts ? { starts_at: opts.starts } : {}),
        }, cliActor(opts.by), ctx.clock);
        process.stdout.write(`${JSON.stringify(x)}\n`);
      } finally {
        await store.close();
      }
    });
  cmd.command('revoke')
    .description('revoke an exemption from now on')
    .argument('<id>', 'exemption id')
    .requiredOption('--by <name>', 'who revokes it')
    .option('--reason <text>', 'why', '')
    .action(async (id: string, opts: { by: string; reason: string }) => {
      const ctx = getCtx();
      const store = await ctx.openStore();
      try {
        process.stdout.write(`${JSON.stringify(await revokeExemption(store, id, cliActor(opts.by), ctx.clock, opts.reason))}\n`);
      } finally {
        await store.close();
      }
    });
  cmd.command('list')
    .description('list exemptions with their status now')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const ctx = getCtx();
      const store = await ctx.openStore();
      try {
        const now = ctx.clock.now().getTime();
        const list = (await loadExemptions(store)).map((x) => ({ ...x, status: exemptionStatus(x, now) }));
        if (opts.json) process.stdout.write(`${JSON.stringify({ exemptions: list })}\n`);
        else for (const x of list) process.stdout.write(`${x.exemption_id} ${x.status} person=${x.person_pattern || '*'} resource=${x.resource_pattern || '*'} ${x.starts_at}..${x.expires_at} approver=${x.approver} by=${x.created_by}\n`);
      } finally {
        await store.close();
      }
    });
}
