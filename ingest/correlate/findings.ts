import { createHash } from 'node:crypto';
import type { FindingKind, FindingRecord } from '../../schema/finding.ts';
import type { SessionRecord } from '../../schema/session.ts';
import type { Draft } from './access.ts';
import type { BindingResult } from './binding.ts';
import { detail, isoOf } from './events.ts';
import type { ResolvedIdentity } from './identity.ts';
import type { CloudEvidenceRow } from './load.ts';
import type { CorrelationPolicy } from './policy.ts';
import type { Trigger } from './revocation.ts';

/** finding_id: kind + what it is about (the session, or the identity-hour of non-session evidence). */
export function findingIdOf(kind: FindingKind, about: string): string {
  return createHash('sha256').update(`${kind}\u001f${about}`).digest('hex').slice(0, 32);
}

/** Evidence ids of a session finding, capped like the session's own list. */
function evidence(ids: readonly string[], extra: readonly string[] = []): string[] {
  return [...new Set([...ids, ...extra])].slice(0, 1000);
}

/** True for long-lived AWS access keys (AKIA…) used by the session's anchor. */
function usesLongTermKey(d: Draft): boolean {
  const a = d.anchor;
  return a !== null && a.source === 'cloudtrail' && (detail(a, 'caller_access_key_id').startsWith('AKIA') || (a.auth_method === 'access_key' && detail(a, 'access_key_id').startsWith('AKIA')));
}

/** Shared or break-glass identity with no second factor passed by a person for this session. */
function sharedWithoutStepUp(d: Draft, b: BindingResult): boolean {
  if (d.who.kind !== 'shared' && d.who.kind !== 'break_glass') return false;
  if (b.binding === 'exempt') return false;
  return !(b.proof && b.proof.who.kind === 'person');
}

/**
 * Findings of one session (README "Findings"). Service identities raise none. `no_mfa` is raised only for a
 * privileged session with binding `none` that no other finding already explains.
 */
export function sessionFindings(s: SessionRecord, d: Draft, b: BindingResult, revoked: Trigger | null, policy: CorrelationPolicy): FindingRecord[] {
  if (d.who.kind === 'service') return [];
  const kinds: { kind: FindingKind; detail: string; extra?: string[] }[] = [];
  const a = d.anchor;
  if ((d.who.kind === 'root' || a?.user_type === 'root') && (d.source === 'cloudtrail' || d.source === 'gcp' || d.source === 'azure')) {
    kinds.push({ kind: 'root_account', detail: `cloud root account ${s.identity} used (${s.surface})` });
  }
  if (a && a.source === 'cloudtrail' && detail(a, 'identity_kind') === 'iam_user') {
    kinds.push({ kind: 'local_cloud_user', detail: `local IAM user ${a.user} used ${a.event_type} outside SSO` });
  }
  if (usesLongTermKey(d) && (d.who.kind === 'person' || d.who.kind === 'unknown')) {
    kinds.push({ kind: 'static_credential', detail: `long-lived access key ${detail(a!, 'caller_access_key_id') || detail(a!, 'access_key_id')} used by ${s.identity}` });
  }
  if (s.surface === 'ssh' && s.path === 'direct' && d.source === 'sshd' && a?.auth_method === 'publickey' && b.binding === 'none') {
    kinds.push({ kind: 'direct_ssh_key', detail: `direct SSH to ${s.resource} as ${detail(a, 'login_user') || s.identity} with a plain key, not via the gateway` });
  }
  const dbUser = d.events.map((e) => detail(e, 'db_user').toLowerCase()).find((u) => u !== '') ?? '';
  if (s.surface === 'database' && s.path !== 'gateway' && dbUser !== '' && policy.db_superusers.includes(dbUser)) {
    kinds.push({ kind: 'direct_db_superuser', detail: `database superuser ${dbUser} connected to ${s.resource} without the gateway` });
  }
  if (sharedWithoutStepUp(d, b)) {
    kinds.push({ kind: 'shared_account', detail: `${d.who.kind === 'break_glass' ? 'break-glass' : 'shared'} account ${s.identity} used without a per-person step-up` });
  }
  if (revoked) {
    kinds.push({ kind: 'post_revocation_access', detail: `access by ${s.person} after ${revoked.kind} at ${new Date(revoked.t).toISOString()}`, extra: revoked.ref.startsWith('offboarding:') ? [] : [revoked.ref] });
  }
  if (kinds.length === 0 && s.privileged && b.binding === 'none') {
    kinds.push({ kind: 'no_mfa', detail: `privileged ${s.surface} session on ${s.resource} with no MFA binding` });
  }
  return kinds.map((k) => ({
    finding_id: findingIdOf(k.kind, s.session_key), kind: k.kind, person: s.person, identity: s.identity, resource: s.resource,
    surface: s.surface, session_key: s.session_key, event_time: s.started_at, evidence_event_ids: evidence(s.event_ids, k.extra ?? []),
    detail: k.detail, privileged: s.privileged,
  }));
}

/**
 * Findings from CloudTrail calls that are not sessions, one per kind, identity and hour: root usage, IAM-user
 * API access outside SSO, long-lived access keys used by a person.
 */
export function cloudEvidenceFindings(r: CloudEvidenceRow, who: ResolvedIdentity): FindingRecord[] {
  if (who.kind === 'service') return [];
  const kinds: { kind: FindingKind; detail: string }[] = [];
  if (who.kind === 'root' || r.user_type === 'root') kinds.push({ kind: 'root_account', detail: `cloud root account ${r.user_raw || r.user} made API calls` });
  if (r.identity_kind === 'iam_user') kinds.push({ kind: 'local_cloud_user', detail: `local IAM user ${r.user} made API calls outside SSO` });
  if (r.long_term_key && (who.kind === 'person' || who.kind === 'unknown')) kinds.push({ kind: 'static_credential', detail: `long-lived access key used by ${r.user_raw || r.user}` });
  const resource = r.account_id !== '' ? `aws/${r.account_id}` : 'aws';
  return kinds.map((k) => ({
    finding_id: findingIdOf(k.kind, `${who.subject}\u001f${r.user_raw}\u001f${r.hour}`), kind: k.kind, person: who.person,
    identity: who.identity, resource, surface: 'cloud_api' as const, session_key: '', event_time: isoOf(r.first_time),
    evidence_event_ids: r.ids, detail: k.detail, privileged: true,
  }));
}
