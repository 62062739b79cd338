import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../core/clock.ts';
import { listBreakGlass, reviewBreakGlass } from '../../ingest/correlate/break-glass.ts';
import { correlate } from '../../ingest/correlate/correlate.ts';
import { dirtyDaysIn, markDirtyDays } from '../../ingest/correlate/dirty.ts';
import { correlateDirty, ensureCorrelated, startCorrelationLoop } from '../../ingest/correlate/ensure.ts';
import { loadExemptions, revokeExemption, exemptionTrail } from '../../ingest/correlate/exemptions.ts';
import { localSuperusers } from '../../reports/metrics/local-superusers.ts';
import { adminAccounts, computeMetrics, type Metrics } from '../../reports/metrics/metrics.ts';
import type { Store } from '../../schema/store/store.ts';
import { writeScenario, type ScenarioFiles } from '../helpers/correlation-scenario.ts';
import { ingestScenario, resetStore, SCENARIO_DEPS, SCENARIO_FILE, SCENARIO_PERIOD } from '../helpers/correlation-ingest.ts';
import { openTempStore } from '../helpers/temp-store.ts';

type Row = Record<string, unknown>;

interface Snapshot { sessions: Row[]; findings: Row[]; revocations: Row[]; metrics: Metrics }

/** Everything correlation produced, with random exemption ids replaced by their person pattern. */
async function snapshot(store: Store, exemptionIds: readonly string[]): Promise<Snapshot> {
  const label = (id: unknown): unknown => (id === exemptionIds[0] ? 'gus' : id === exemptionIds[1] ? 'zed' : id);
  const sessions = (await store.query<Row>('SELECT * EXCEPT (computed_at, is_deleted) FROM sessions FINAL ORDER BY started_at, session_key'))
    .map((s) => ({ ...s, exemption_id: label(s.exemption_id) }));
  const findings = await store.query<Row>('SELECT * EXCEPT (computed_at, is_deleted) FROM findings FINAL ORDER BY event_time, finding_id');
  const revocations = await store.query<Row>('SELECT * EXCEPT (computed_at, is_deleted) FROM revocations FINAL ORDER BY trigger_time, person');
  return { sessions, findings, revocations, metrics: await computeMetrics(store, SCENARIO_FILE, SCENARIO_PERIOD) };
}

describe('correlation of a multi-source day (Okta, Teleport, sshd, PostgreSQL, CloudTrail, credential report, HR CSV)', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let files: ScenarioFiles;
  let dir: string;
  let exemptions: string[];
  let first: Snapshot;

  beforeAll(async () => {
    ({ store, cleanup } = await openTempStore());
    dir = mkdtempSync(join(tmpdir(), 'accessproof-scenario-'));
    files = writeScenario(dir);
    exemptions = await ingestScenario(store, files, ['exemptions', 'okta', 'teleport', 'sshd', 'postgres', 'cloudtrail', 'aws_credential_report', 'hr'], false);
    first = await snapshot(store, exemptions);
  });
  afterAll(async () => {
    await cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const session = (started: string, identity?: string): Row => {
    const hits = first.sessions.filter((s) => s.started_at === `2025-06-02 ${started}` && (identity === undefined || s.identity === identity));
    expect(hits, `session at ${started}`).toHaveLength(1);
    return hits[0] as Row;
  };

  it('builds exactly the sessions of the day: one per access, gateway follow-on logins merged into the gateway session', () => {
    expect(first.sessions).toHaveLength(18);
    const s1 = session('08:05:00.000');
    expect(s1).toMatchObject({ person: 'ann@corp.example', source: 'teleport', surface: 'ssh', path: 'gateway', resource: 'prod-web-1', ended_at: '2025-06-02 08:35:00.000', event_count: 2 });
    // The sshd certificate login (CA = the gateway's) 1 s later is the same access, not a second session.
    expect(first.sessions.some((s) => s.source === 'sshd' && s.resource === 'prod-web-1' && s.identity === 'ubuntu')).toBe(false);
    expect(session('08:10:00.000')).toMatchObject({ source: 'teleport', surface: 'database', resource: 'prod-pg/payments', path: 'gateway', event_count: 2 });
    expect(first.sessions.some((s) => s.source === 'postgres' && s.resource === 'payments')).toBe(false);
    expect(session('14:30:00.000')).toMatchObject({ identity: 'ci-bot', identity_kind: 'service' });
    expect(session('16:00:00.000')).toMatchObject({ identity: 'arn:aws:iam::444455556666:user/ops-old', identity_kind: 'unknown', person: '', path: 'local', privileged: false });
  });

  it('binds MFA directly, through the IdP (issuance window / credential TTL), by exemption, or not at all', () => {
    expect(session('08:03:00.000')).toMatchObject({ surface: 'cloud_api', path: 'federated', privileged: true, mfa_binding: 'idp_bound', mfa_method: 'webauthn', phishing_resistant: true, mfa_age_seconds: 180 });
    expect(session('08:03:05.000')).toMatchObject({ surface: 'cloud_console', mfa_binding: 'idp_bound', mfa_age_seconds: 185 });
    expect(session('08:05:00.000')).toMatchObject({ mfa_binding: 'idp_bound', mfa_method: 'webauthn', mfa_age_seconds: 300 });
    expect(session('08:10:00.000')).toMatchObject({ mfa_binding: 'idp_bound', mfa_age_seconds: 600 });
    // Per-session MFA with a device enrolled as TOTP: direct, method resolved from the enrollment.
    expect(session('09:30:00.000')).toMatchObject({ person: 'ben@corp.example', mfa_binding: 'direct', mfa_method: 'totp', phishing_resistant: false, mfa_age_seconds: 0 });
    expect(session('07:30:00.000')).toMatchObject({ person: 'cara@corp.example', surface: 'cloud_console', path: 'local', privileged: false, mfa_binding: 'direct', mfa_method: 'totp' });
    expect(session('15:10:00.000')).toMatchObject({ identity_kind: 'root', mfa_binding: 'direct', mfa_method: 'security_key', phishing_resistant: true });
    expect(session('15:01:00.000')).toMatchObject({ identity: 'breakglass', break_glass: true, mfa_binding: 'direct', mfa_method: 'webauthn', phishing_resistant: true });
    // The exemption covers gus on legacy-prod-* until 12:00; the same login at 13:00 is uncovered.
    expect(session('10:00:00.000')).toMatchObject({ person: 'gus@corp.example', mfa_binding: 'exempt', exemption_id: 'gus' });
    expect(session('13:00:00.000')).toMatchObject({ person: 'gus@corp.example', mfa_binding: 'none', exemption_id: '' });
    // 13.5 h after the last certificate and IdP MFA: outside the 12 h credential TTL.
    expect(session('21:30:00.000')).toMatchObject({ resource: 'prod-web-2', mfa_binding: 'none', mfa_method: 'none', mfa_event_id: '', mfa_age_seconds: null });
    // eve's role assumption came 4.5 h after her IdP MFA: outside the 10 min issue window.
    expect(session('10:30:00.000')).toMatchObject({ person: 'eve@corp.example', mfa_binding: 'none' });
  });

  it('raises each finding kind with its evidence event ids', () => {
    const kinds = (started: string): string[] => first.findings.filter((f) => f.event_time === `2025-06-02 ${started}`).map((f) => String(f.kind)).sort();
    expect(kinds('09:20:00.000')).toEqual(['direct_ssh_key']);
    expect(kinds('12:45:00.000')).toEqual(['direct_ssh_key', 'post_revocation_access']);
    expect(kinds('15:01:00.000')).toEqual(['shared_account']);
    expect(kinds('16:30:00.003')).toEqual(['direct_db_superuser', 'shared_account']);
    expect(kinds('07:30:00.000')).toEqual(['local_cloud_user']);
    expect(kinds('16:00:00.000')).toEqual(['local_cloud_user', 'static_credential']);
    expect(kinds('15:10:00.000')).toEqual(['root_account']);
    expect(kinds('10:30:00.000')).toEqual(['post_revocation_access']);
    expect(kinds('13:00:00.000')).toEqual(['no_mfa']);
    expect(kinds('21:30:00.000')).toEqual(['no_mfa']);
    expect(first.findings).toHaveLength(13);
    for (const f of first.findings) {
      const s = first.sessions.find((x) => x.session_key === f.session_key);
      expect(s, String(f.kind)).toBeDefined();
      expect((f.evidence_event_ids as string[]).length).toBeGreaterThan(0);
      for (const id of s?.event_ids as string[]) expect(f.evidence_event_ids).toContain(id);
    }
    // post-revocation evidence also names the revocation event (eve's group removal).
    const eve = first.findings.find((f) => f.kind === 'post_revocation_access' && f.person === 'eve@corp.example');
    expect((eve?.evidence_event_ids as string[]).length).toBe(2);
  });

  it('times revocations from the first trigger to the last downstream revocation', () => {
    expect(first.revocations.map((r) => [r.person, r.trigger_kind, r.trigger_time, r.closed_at, r.hours, r.over_sla])).toEqual([
      ['fay@corp.example', 'idp_deactivation', '2025-06-02 01:00:00.000', '2025-06-03 03:00:00.000', 26, true],
      ['eve@corp.example', 'privileged_group_removal', '2025-06-02 10:00:00.000', '2025-06-02 10:00:00.000', 0, false],
      ['cara@corp.example', 'hr_offboarding', '2025-06-02 11:30:00.000', '2025-06-02 13:00:00.000', 1.5, false],
    ]);
    expect(String(first.revocations[2]?.trigger_ref)).toMatch(/^offboarding:[0-9a-f]{64}$/);
  });

  it('produces exactly the metrics JSON of the constructed truth', () => {
    expect(first.metrics).toEqual({
      period: { from: '2025-06-02T00:00:00.000Z', to: '2025-06-03T00:00:00.000Z' },
      privileged_sessions: 13,
      mfa_covered_sessions: 7,
      mfa_coverage_pct: 53.85,
      coverage_by_binding: { direct: 3, idp_bound: 4, exempt: 1, none: 5 },
      coverage_by_surface: [
        { surface: 'cloud_api', privileged_sessions: 2, mfa_covered_sessions: 1, mfa_coverage_pct: 50 },
        { surface: 'cloud_console', privileged_sessions: 2, mfa_covered_sessions: 2, mfa_coverage_pct: 100 },
        { surface: 'database', privileged_sessions: 2, mfa_covered_sessions: 1, mfa_coverage_pct: 50 },
        { surface: 'ssh', privileged_sessions: 7, mfa_covered_sessions: 3, mfa_coverage_pct: 42.86 },
      ],
      phishing_resistant_pct: 85.71,
      mfa_methods: [{ method: 'webauthn', sessions: 5 }, { method: 'security_key', sessions: 1 }, { method: 'totp', sessions: 1 }],
      findings: [
        { kind: 'direct_ssh_key', count: 2 }, { kind: 'shared_account', count: 2 }, { kind: 'local_cloud_user', count: 2 },
        { kind: 'root_account', count: 1 }, { kind: 'direct_db_superuser', count: 1 }, { kind: 'static_credential', count: 1 },
        { kind: 'post_revocation_access', count: 2 }, { kind: 'no_mfa', count: 2 },
      ],
      local_superuser_accounts: 3,
      time_to_revoke_hours: { count: 3, p50: 1.5, p90: 21.1, max: 26, over_sla: 1 },
      failed_logins: 4,
      mfa_failures: 2,
      break_glass: { uses: 1, reviewed: 0, unreviewed: 1 },
      exemptions: { active: 1, expired: 1 },
    });
  });

  it('lists local superusers as of any instant (credential report + CloudTrail changes after it)', async () => {
    const names = async (iso: string): Promise<string[]> => (await localSuperusers(store, Date.parse(iso), adminAccounts(SCENARIO_FILE))).map((u) => u.user).sort();
    expect(await names('2025-06-02T05:59:59.000Z')).toEqual([]);
    expect(await names('2025-06-02T13:00:00.000Z')).toEqual(['arn:aws:iam::444455556666:root', 'ops-old']);
    expect(await names('2025-06-02T14:02:30.000Z')).toEqual(['arn:aws:iam::444455556666:root', 'ops-old', 'tmpadmin']);
    const tmp = (await localSuperusers(store, Date.parse('2025-06-02T23:00:00Z'), [])).find((u) => u.user === 'tmpadmin');
    expect(tmp).toMatchObject({ is_admin: true, password_enabled: true, active_keys: 1, is_root: false });
  });

  it('re-correlating is a no-op: same rows, nothing rewritten', async () => {
    const again = await correlate(store, SCENARIO_DEPS, { from: '2025-06-02T00:00:00Z', to: '2025-06-03T00:00:00Z' });
    expect(again).toMatchObject({ sessions: 18, findings: 13, rows_written: 0, rows_deleted: 0 });
    expect(await snapshot(store, exemptions)).toEqual(first);
    // Nothing the period depends on is stale (the active exemption keeps later days of June marked until read).
    expect(await dirtyDaysIn(store, '2025-05-25', '2025-06-10')).toEqual([]);
    expect((await dirtyDaysIn(store, '2025-06-11', '2025-07-01')).length).toBe(21);
  });

  it('gives identical sessions, findings, revocations and metrics whatever the ingestion order', async () => {
    const orders: [(keyof ScenarioFiles | 'exemptions')[], boolean][] = [
      [['hr', 'cloudtrail', 'sshd', 'postgres', 'teleport', 'aws_credential_report', 'okta', 'exemptions'], true],
      [['postgres', 'okta', 'aws_credential_report', 'exemptions', 'teleport', 'hr', 'sshd', 'cloudtrail'], true],
      [['sshd', 'teleport', 'exemptions', 'hr', 'okta', 'cloudtrail', 'postgres', 'aws_credential_report'], false],
    ];
    for (const [order, incremental] of orders) {
      await resetStore(store);
      const ids = await ingestScenario(store, files, order, incremental);
      expect(await snapshot(store, ids), order.join(',')).toEqual(first);
    }
    exemptions = await loadExemptions(store).then((xs) => [xs.find((x) => x.person_pattern.startsWith('gus'))?.exemption_id ?? '', xs.find((x) => x.person_pattern.startsWith('zed'))?.exemption_id ?? '']);
  });

  it('a revoked exemption stops covering sessions after the revocation, with the change trail', async () => {
    const [gus] = exemptions;
    const revoked = await revokeExemption(store, gus as string, { name: 'sec-lead', token_id: 'tok999' }, fixedClock('2025-06-01T12:00:00.000Z'), 'no longer needed');
    expect(revoked.revoked_by).toBe('sec-lead');
    await ingestScenario(store, files, [], false);
    const m = await computeMetrics(store, SCENARIO_FILE, SCENARIO_PERIOD);
    expect(m.coverage_by_binding).toEqual({ direct: 3, idp_bound: 4, exempt: 0, none: 6 });
    expect(m.findings.find((f) => f.kind === 'no_mfa')?.count).toBe(3);
    expect(m.exemptions).toEqual({ active: 1, expired: 0 });
    const trail = await exemptionTrail(store, gus);
    expect(trail.map((c) => [c.action, c.actor, c.actor_token_id])).toEqual([['create', 'test-admin', 'tok123'], ['revoke', 'sec-lead', 'tok999']]);
    await expect(revokeExemption(store, gus as string, { name: 'x', token_id: '' }, fixedClock('2025-06-01T13:00:00.000Z'))).rejects.toMatchObject({ status: 409 });
  });

  it('makes every break-glass use a review item, flagged when overdue, and counts reviews', async () => {
    const now = Date.parse('2025-06-05T00:00:00Z');
    const [use] = await listBreakGlass(store, SCENARIO_PERIOD.from, SCENARIO_PERIOD.to, now, 2);
    expect(use).toMatchObject({ identity: 'breakglass', resource: 'prod-db-2', reviewed: false, overdue: true });
    expect((await listBreakGlass(store, SCENARIO_PERIOD.from, SCENARIO_PERIOD.to, Date.parse('2025-06-03T00:00:00Z'), 2))[0]?.overdue).toBe(false);
    const review = await reviewBreakGlass(store, String(use?.session_key), 'INC-1 auth outage, approved', { name: 'auditor-1', token_id: 'tokA' }, fixedClock('2025-06-04T09:00:00Z'));
    expect(review).toMatchObject({ reviewer: 'auditor-1', reviewer_token_id: 'tokA', reviewed_at: '2025-06-04T09:00:00.000Z' });
    const [after] = await listBreakGlass(store, SCENARIO_PERIOD.from, SCENARIO_PERIOD.to, now, 2);
    expect(after).toMatchObject({ reviewed: true, overdue: false });
    expect((await computeMetrics(store, SCENARIO_FILE, SCENARIO_PERIOD)).break_glass).toEqual({ uses: 1, reviewed: 1, unreviewed: 0 });
    await expect(reviewBreakGlass(store, 'f'.repeat(32), 'x', { name: 'a', token_id: '' }, fixedClock('2025-06-04T09:00:00Z'))).rejects.toMatchObject({ status: 404 });
  });

  it('a report that arrives while a correlation round runs waits for it instead of recomputing its days', async () => {
    // The startup round and a report's own correlation, started together over the same stale days.
    await markDirtyDays(store, ['2025-06-01', '2025-06-02', '2025-06-03']);
    const stale = await dirtyDaysIn(store, '2000-01-01', '2100-01-01');
    expect(stale.length).toBeGreaterThanOrEqual(3);
    const [round, report] = await Promise.all([correlateDirty(store, SCENARIO_DEPS), ensureCorrelated(store, SCENARIO_DEPS, SCENARIO_PERIOD)]);
    // Each stale day once (runs are whole days between the first and last stale day of a contiguous stretch).
    expect(report).toEqual([]);
    expect(round.reduce((n, s) => n + s.days, 0)).toBe(stale.length);
    expect(await dirtyDaysIn(store, '2025-05-01', '2025-08-01')).toEqual([]);
  });

  it('the background loop correlates stale days on its own', async () => {
    await markDirtyDays(store, ['2025-06-02']);
    expect(await dirtyDaysIn(store, '2025-06-02', '2025-06-02')).toEqual(['2025-06-02']);
    const stop = startCorrelationLoop(store, SCENARIO_DEPS, 50);
    const deadline = Date.now() + 60_000;
    while ((await dirtyDaysIn(store, '2025-05-01', '2025-08-01')).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await stop();
    expect(await dirtyDaysIn(store, '2025-05-01', '2025-08-01')).toEqual([]);
  });
});
