import type { Command } from 'commander';
import type { AppContext } from '../context.ts';
import { correlate } from '../../ingest/correlate/correlate.ts';
import { correlateDirty } from '../../ingest/correlate/ensure.ts';
import { parsePeriod, periodJson } from '../../reports/metrics/metrics.ts';
import { UsageError } from '../errors.ts';

/**
 * `accessproof correlate [--from D --to D]`: recompute sessions, MFA bindings, findings and revocation timing.
 * With a range: every day of it; without: every day marked stale by ingestion. Prints one JSON summary line.
 */
export function registerCorrelate(program: Command, getCtx: () => AppContext): void {
  program.command('correlate')
    .description('recompute sessions, MFA bindings, findings and time-to-revoke (a range, or every stale day)')
    .option('--from <date>', 'first day (YYYY-MM-DD) or ISO instant')
    .option('--to <date>', 'last day (inclusive, YYYY-MM-DD) or ISO instant (exclusive)')
    .action(async (opts: { from?: string; to?: string }) => {
      if ((opts.from === undefined) !== (opts.to === undefined)) throw new UsageError('give both --from and --to, or neither');
      const ctx = getCtx();
      const store = await ctx.openStore();
      try {
        const started = Date.now();
        const runs = opts.from && opts.to
          ? [await correlate(store, ctx, periodJson(parsePeriod(opts.from, opts.to)))]
          : await correlateDirty(store, ctx);
        const total = { runs: runs.length, days: 0, sessions: 0, findings: 0, revocations: 0, account_changes: 0, rows_written: 0, rows_deleted: 0, duration_ms: 0 };
        for (const r of runs) {
          total.days += r.days; total.sessions += r.sessions; total.findings += r.findings; total.revocations += r.revocations;
          total.account_changes += r.account_changes; total.rows_written += r.rows_written; total.rows_deleted += r.rows_deleted;
        }
        total.duration_ms = Date.now() - started;
        process.stdout.write(`${JSON.stringify({ ...total, from: runs[0]?.from ?? null, to: runs[runs.length - 1]?.to ?? null })}\n`);
      } finally {
        await store.close();
      }
    });
}
