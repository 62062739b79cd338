import { z } from 'zod';
import { UsageError } from '../../core/errors.ts';
import type { FileConfig } from '../../core/config.ts';
import { chOf } from '../../ingest/correlate/events.ts';
import { FINDING_KINDS, FindingKind } from '../../schema/finding.ts';
import { Surface } from '../../schema/session.ts';
import type { Store } from '../../schema/store/store.ts';
import { localSuperusers } from './local-superusers.ts';
import {
  BREAK_GLASS, COVERAGE_BY_SURFACE, EXEMPTIONS, FAILURES, FINDINGS_BY_KIND, MFA_METHODS, SESSION_SUMMARY, TIME_TO_REVOKE,
} from './queries.ts';

const Count = z.number().int().nonnegative();
const Pct = z.number().min(0).max(100);

/** The metrics JSON of a period (README "Metrics"); exactly these fields. */
export const Metrics = z.object({
  period: z.object({ from: z.string(), to: z.string() }).strict(),
  privileged_sessions: Count,
  mfa_covered_sessions: Count,
  mfa_coverage_pct: Pct,
  coverage_by_binding: z.object({ direct: Count, idp_bound: Count, exempt: Count, none: Count }).strict(),
  coverage_by_surface: z.array(z.object({ surface: Surface, privileged_sessions: Count, mfa_covered_sessions: Count, mfa_coverage_pct: Pct }).strict()),
  phishing_resistant_pct: Pct,
  mfa_methods: z.array(z.object({ method: z.string(), sessions: Count }).strict()),
  findings: z.array(z.object({ kind: FindingKind, count: Count }).strict()),
  local_superuser_accounts: Count,
  time_to_revoke_hours: z.object({ count: Count, p50: z.number().nullable(), p90: z.number().nullable(), max: z.number().nullable(), over_sla: Count }).strict(),
  failed_logins: Count,
  mfa_failures: Count,
  break_glass: z.object({ uses: Count, reviewed: Count, unreviewed: Count }).strict(),
  exemptions: z.object({ active: Count, expired: Count }).strict(),
}).strict();
export type Metrics = z.infer<typeof Metrics>;

/** A half-open period [from, to) in epoch ms. */
export interface Period { readonly from: number; readonly to: number }

/** A period as the JSON outputs carry it (ISO instants). */
export function periodJson(p: Period): { from: string; to: string } {
  return { from: new Date(p.from).toISOString(), to: new Date(p.to).toISOString() };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Parses a period: `from` is a date (midnight UTC) or an ISO instant; `to` is an ISO instant (exclusive) or a
 * date, which includes that whole day (--from 2025-03-01 --to 2025-03-31 is March).
 */
export function parsePeriod(from: string, to: string): Period {
  const f = Date.parse(DATE.test(from) ? `${from}T00:00:00.000Z` : from);
  const t = DATE.test(to) ? Date.parse(`${to}T00:00:00.000Z`) + 86_400_000 : Date.parse(to);
  if (!/^\d{4}-\d{2}-\d{2}/.test(from) || !Number.isFinite(f)) throw new UsageError(`from: expected YYYY-MM-DD or an ISO-8601 instant (got "${from}")`);
  if (!/^\d{4}-\d{2}-\d{2}/.test(to) || !Number.isFinite(t)) throw new UsageError(`to: expected YYYY-MM-DD or an ISO-8601 instant (got "${to}")`);
  if (t <= f) throw new UsageError('to must be after from');
  return { from: f, to: t };
}

const num = (v: unknown): number => Number(v ?? 0);
const pct = (part: number, whole: number): number => (whole === 0 ? 0 : Math.round((part / whole) * 10000) / 100);
const hours = (v: unknown): number | null => {
  const n = Number(v);
  return v === null || v === undefined || !Number.isFinite(n) ? null : Math.round(n * 100) / 100;
};

/** Config lists that make an IAM user an admin when CloudTrail never showed the grant. */
export function adminAccounts(file: FileConfig): string[] {
  return [...file.policy.local_admin_accounts, ...file.break_glass_accounts];
}

/** Runs the metrics queries for a period and assembles the metrics JSON. Reads stored sessions as they are. */
export async function computeMetrics(store: Store, file: FileConfig, p: Period): Promise<Metrics> {
  const params = { from: chOf(p.from), to: chOf(p.to), as_of: chOf(p.to - 1) };
  type Row = Record<string, unknown>;
  const q = (sql: string): Promise<Row[]> => store.query<Row>(sql, params);
  const [[s = {}], surfaces, methods, findings, [r = {}], [f = {}], [bg = {}], [ex = {}], superusers] = await Promise.all([
    q(SESSION_SUMMARY), q(COVERAGE_BY_SURFACE), q(MFA_METHODS), q(FINDINGS_BY_KIND), q(TIME_TO_REVOKE), q(FAILURES), q(BREAK_GLASS), q(EXEMPTIONS),
    localSuperusers(store, p.to - 1, adminAccounts(file)),
  ]);
  const privileged = num(s.privileged_sessions);
  const covered = num(s.covered);
  const byKind = new Map(findings.map((x) => [String(x.kind), num(x.n)]));
  const revoked = num(r.n);
  const uses = num(bg.uses);
  const reviewed = num(bg.reviewed);
  return Metrics.parse({
    period: periodJson(p),
    privileged_sessions: privileged,
    mfa_covered_sessions: covered,
    mfa_coverage_pct: pct(covered, privileged),
    coverage_by_binding: { direct: num(s.b_direct), idp_bound: num(s.b_idp_bound), exempt: num(s.b_exempt), none: num(s.b_none) },
    coverage_by_surface: surfaces.map((x) => ({
      surface: x.surface, privileged_sessions: num(x.privileged_sessions), mfa_covered_sessions: num(x.covered),
      mfa_coverage_pct: pct(num(x.covered), num(x.privileged_sessions)),
    })),
    phishing_resistant_pct: pct(num(s.phishing_resistant), covered),
    mfa_methods: methods.map((x) => ({ method: String(x.method), sessions: num(x.sessions) })),
    findings: FINDING_KINDS.map((kind) => ({ kind, count: byKind.get(kind) ?? 0 })),
    local_superuser_accounts: superusers.length,
    time_to_revoke_hours: {
      count: revoked, p50: revoked ? hours(r.p50) : null, p90: revoked ? hours(r.p90) : null, max: revoked ? hours(r.mx) : null, over_sla: num(r.over),
    },
    failed_logins: num(f.failed_logins),
    mfa_failures: num(f.mfa_failures),
    break_glass: { uses, reviewed, unreviewed: uses - reviewed },
    exemptions: { active: num(ex.active), expired: num(ex.expired) },
  });
}
