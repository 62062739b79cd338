import type { Command } from 'commander';
import type { AppContext } from '../context.ts';
import { listBreakGlass, reviewBreakGlass } from '../../ingest/correlate/break-glass.ts';
import { ensureCorrelated } from '../../ingest/correlate/ensure.ts';
import { parsePeriod } from '../../reports/metrics/metrics.ts';
import { cliActor } from './exemption.ts';

/** `accessproof break-glass list|review`: every break-glass use is a review item. */
export function registerBreakGlass(program: Command, getCtx: () => AppContext): void {
  const cmd = program.command('break-glass').description('break-glass uses and their reviews');
  cmd.command('list')
    .description('list break-glass uses (overdue = unreviewed longer than policy.break_glass_review_days)')
    .option('--from <date>', 'first day (default: 90 days ago)')
    .option('--to <date>', 'last day, inclusive (default: today)')
    .option('--json', 'print JSON')
    .action(async (opts: { from?: string; to?: string; json?: boolean }) => {
      const ctx = getCtx();
      const now = ctx.clock.now().getTime();
      const period = parsePeriod(opts.from ?? new Date(now - 90 * 86_400_000).toISOString().slice(0, 10), opts.to ?? new Date(now).toISOString().slice(0, 10));
      const store = await ctx.openStore();
      try {
        await ensureCorrelated(store, ctx, period);
        const uses = await listBreakGlass(store, period.from, period.to, now, ctx.config.file.policy.break_glass_review_days);
        if (opts.json) process.stdout.write(`${JSON.stringify({ uses })}\n`);
        else for (const u of uses) process.stdout.write(`${u.session_key} ${u.started_at} ${u.identity} ${u.surface} ${u.resource} ${u.reviewed ? `reviewed by ${u.reviews.map((r) => r.reviewer).join(', ')}` : u.overdue ? 'UNREVIEWED (overdue)' : 'unreviewed'}\n`);
      } finally {
        await store.close();
      }
    });
  cmd.command('review')
    .description('record a review of a break-glass session')
    .argument('<session_key>', 'session key from `break-glass list`')
    .requiredOption('--reviewer <name>', 'who reviewed it')
    .requiredOption('--notes <text>', 'review notes')
    .action(async (sessionKey: string, opts: { reviewer: string; notes: string }) => {
      const ctx = getCtx();
      const store = await ctx.openStore();
      try {
        process.stdout.write(`${JSON.stringify(await reviewBreakGlass(store, sessionKey, opts.notes, cliActor(opts.reviewer), ctx.clock))}\n`);
      } finally {
        await store.close();
      }
    });
}
