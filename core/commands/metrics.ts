import type { Command } from 'commander';
import type { AppContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { ensureCorrelated } from '../../ingest/correlate/ensure.ts';
import { ACTIVITY_DEFAULT_LIMIT, ACTIVITY_MAX_LIMIT, activityText, computeActivity } from '../../reports/metrics/activity.ts';
import { computeMetrics, parsePeriod, periodJson, type Metrics } from '../../reports/metrics/metrics.ts';
import { listFindings, RecordFilters } from '../../reports/metrics/records.ts';

function text(m: Metrics): string {
  const lines = [
    `period ${m.period.from} .. ${m.period.to}`,
    `privileged sessions ${m.privileged_sessions}, MFA-covered ${m.mfa_covered_sessions} (${m.mfa_coverage_pct}%), phishing-resistant ${m.phishing_resistant_pct}%`,
    `binding: direct ${m.coverage_by_binding.direct}, idp_bound ${m.coverage_by_binding.idp_bound}, exempt ${m.coverage_by_binding.exempt}, none ${m.coverage_by_binding.none}`,
    ...m.coverage_by_surface.map((s) => `  ${s.surface}: ${s.mfa_covered_sessions}/${s.privileged_sessions} (${s.mfa_coverage_pct}%)`),
    `findings: ${m.findings.filter((f) => f.count > 0).map((f) => `${f.kind} ${f.count}`).join(', ') || 'none'}`,
    `local superuser accounts ${m.local_superuser_accounts}`,
    `time to revoke (h): n=${m.time_to_revoke_hours.count} p50=${m.time_to_revoke_hours.p50 ?? '-'} p90=${m.time_to_revoke_hours.p90 ?? '-'} max=${m.time_to_revoke_hours.max ?? '-'} over SLA ${m.time_to_revoke_hours.over_sla}`,
    `failed logins ${m.failed_logins}, MFA failures ${m.mfa_failures}`,
    `break-glass uses ${m.break_glass.uses} (reviewed ${m.break_glass.reviewed}, unreviewed ${m.break_glass.unreviewed}); exemptions active ${m.exemptions.active}, expired ${m.exemptions.expired}`,
  ];
  return `${lines.join('\n')}\n`;
}

/** `accessproof metrics|activity|findings --from --to [--json]`. */
export function registerMetrics(program: Command, getCtx: () => AppContext): void {
  program.command('metrics')
    .description('MFA coverage, findings, time-to-revoke and the other figures of a period (correlates stale days first)')
    .requiredOption('--from <date>', 'first day (YYYY-MM-DD) or ISO instant')
    .requiredOption('--to <date>', 'last day (inclusive, YYYY-MM-DD) or ISO instant (exclusive)')
    .option('--json', 'print the metrics JSON')
    .action(async (opts: { from: string; to: string; json?: boolean }) => {
      const ctx = getCtx();
      const period = parsePeriod(opts.from, opts.to);
      const store = await ctx.openStore();
      try {
        await ensureCorrelated(store, ctx, period);
        const m = await computeMetrics(store, ctx.config.file, period);
        process.stdout.write(opts.json ? `${JSON.stringify(m)}\n` : text(m));
      } finally {
        await store.close();
      }
    });
  program.command('activity')
    .description('event-level figures of a period: second factors per source, active people, top people and resources, ingestion lag')
    .requiredOption('--from <date>', 'first day (YYYY-MM-DD) or ISO instant')
    .requiredOption('--to <date>', 'last day (inclusive, YYYY-MM-DD) or ISO instant (exclusive)')
    .option('--limit <n>', `length of the top people / resources lists (1–${ACTIVITY_MAX_LIMIT})`, String(ACTIVITY_DEFAULT_LIMIT))
    .option('--json', 'print the activity JSON')
    .action(async (opts: { from: string; to: string; limit: string; json?: boolean }) => {
      const ctx = getCtx();
      const period = parsePeriod(opts.from, opts.to);
      const limit = Number(opts.limit);
      if (!/^\d+$/.test(opts.limit) || limit < 1 || limit > ACTIVITY_MAX_LIMIT) throw new UsageError(`--limit: expected a whole number from 1 to ${ACTIVITY_MAX_LIMIT} (got "${opts.limit}")`);
      const store = await ctx.openStore();
      try {
        const a = await computeActivity(store, period, limit);
        process.stdout.write(opts.json ? `${JSON.stringify(a)}\n` : activityText(a));
      } finally {
        await store.close();
      }
    });
  program.command('findings')
    .description('list the bypass findings of a period (correlates stale days first)')
    .requiredOption('--from <date>', 'first day (YYYY-MM-DD) or ISO instant')
    .requiredOption('--to <date>', 'last day (inclusive, YYYY-MM-DD) or ISO instant (exclusive)')
    .option('--kind <kind>', 'only this finding kind')
    .option('--person <email>', 'only this person')
    .option('--json', 'print JSON ({"findings":[...]}) instead of one line per finding')
    .action(async (opts: { from: string; to: string; kind?: string; person?: string; json?: boolean }) => {
      const ctx = getCtx();
      const period = parsePeriod(opts.from, opts.to);
      const filters = RecordFilters.safeParse({ kind: opts.kind, person: opts.person });
      if (!filters.success) throw new UsageError(`--kind: ${filters.error.issues[0]?.message ?? 'invalid'}`);
      const store = await ctx.openStore();
      try {
        await ensureCorrelated(store, ctx, period);
        const all = [];
        let after = null;
        do {
          const page = await listFindings(store, filters.data, period, 1000, after);
          all.push(...page.rows);
          after = page.next;
        } while (after);
        all.reverse();
        if (opts.json) process.stdout.write(`${JSON.stringify({ period: periodJson(period), findings: all })}\n`);
        else for (const f of all) process.stdout.write(`${f.event_time} ${f.kind} ${f.person || f.identity} ${f.resource}: ${f.detail}\n`);
      } finally {
        await store.close();
      }
    });
}
