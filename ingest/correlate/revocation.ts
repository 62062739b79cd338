import type { RevocationRecord, TriggerKind } from '../../schema/revocation.ts';
import { globMatch } from '../normalizers/common.ts';
import { detail, type CorrEvent } from './events.ts';
import type { IdentityResolver } from './identity.ts';
import { isAdminName, type CorrelationPolicy } from './policy.ts';

/** One revocation trigger of a person. */
export interface Trigger {
  readonly person: string;
  readonly t: number;
  readonly kind: TriggerKind;
  readonly ref: string;
}

/** Revocation facts of a window, per person, sorted by time. */
export interface RevocationFacts {
  readonly triggers: ReadonlyMap<string, readonly Trigger[]>;
  /** Downstream revocations (any source) per person. */
  readonly downstream: ReadonlyMap<string, readonly { t: number; ref: string }[]>;
  /** Reactivations per person (IdP lifecycle activate/reactivate/unsuspend). */
  readonly reactivations: ReadonlyMap<string, readonly number[]>;
}

const REACTIVATION = new Set(['activate', 'reactivate', 'unsuspend']);

function push<T>(m: Map<string, T[]>, k: string, v: T): void {
  const list = m.get(k);
  if (list) list.push(v); else m.set(k, [v]);
}

/**
 * What an IdP revocation event triggers: account deactivation/suspension/disable (no group, role or app
 * named) → idp_deactivation; removal from a group or role that is privileged (admin_role_patterns,
 * privileged_resources, or privileged per the normalizer) → privileged_group_removal; else nothing.
 */
function triggerKindOf(e: CorrEvent, policy: CorrelationPolicy): TriggerKind | null {
  if (e.source_kind !== 'idp') return null;
  const group = detail(e, 'group') || detail(e, 'role');
  if (detail(e, 'app') !== '' && group === '') return null;
  if (group === '') return 'idp_deactivation';
  const privileged = e.privileged || isAdminName(policy, group) || policy.privileged_resources.some((p) => globMatch(p, group));
  return privileged ? 'privileged_group_removal' : null;
}

/** Sorts revocation events and HR rows into triggers, downstream revocations and reactivations per person. */
export function revocationFacts(events: readonly CorrEvent[], hr: readonly { person: string; t: number; row_sha256: string }[],
  resolver: IdentityResolver, policy: CorrelationPolicy): RevocationFacts {
  const triggers = new Map<string, Trigger[]>();
  const downstream = new Map<string, { t: number; ref: string }[]>();
  const reactivations = new Map<string, number[]>();
  for (const e of events) {
    const person = resolver.personOf(e.target_user);
    if (person === '') continue;
    if (e.action === 'account_change') {
      if (REACTIVATION.has(detail(e, 'lifecycle'))) push(reactivations, person, e.t);
      continue;
    }
    push(downstream, person, { t: e.t, ref: e.event_id });
    const kind = triggerKindOf(e, policy);
    if (kind) push(triggers, person, { person, t: e.t, kind, ref: e.event_id });
  }
  for (const r of hr) {
    const person = resolver.personOf(r.person);
    if (person !== '') push(triggers, person, { person, t: r.t, kind: 'hr_offboarding', ref: `offboarding:${r.row_sha256}` });
  }
  const byTime = <T extends { t: number; ref: string }>(a: T, b: T): number => a.t - b.t || (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0);
  for (const l of triggers.values()) l.sort(byTime);
  for (const l of downstream.values()) l.sort(byTime);
  for (const l of reactivations.values()) l.sort((a, b) => a - b);
  return { triggers, downstream, reactivations };
}

/**
 * Revocation episodes starting in [from, to). A trigger starts an episode when no other trigger of the same
 * person precedes it within the lookahead (so the answer never depends on where a window starts); later
 * triggers inside the lookahead belong to it. closed_at = the latest downstream revocation of the person in
 * [start, start + lookahead] other than the start itself, else the start (no other access path).
 */
export function revocationEpisodes(facts: RevocationFacts, policy: CorrelationPolicy, from: number, to: number): RevocationRecord[] {
  const out: RevocationRecord[] = [];
  const L = policy.lookahead_ms;
  for (const [person, list] of facts.triggers) {
    for (let i = 0; i < list.length; i++) {
      const start = list[i] as Trigger;
      if (start.t < from || start.t >= to) continue;
      if (i > 0 && start.t - (list[i - 1] as Trigger).t <= L) continue;
      const members = list.filter((x) => x.t >= start.t && x.t <= start.t + L);
      let closed = { t: start.t, ref: start.ref };
      for (const d of facts.downstream.get(person) ?? []) {
        if (d.t >= start.t && d.t <= start.t + L && d.ref !== start.ref && d.t >= closed.t) closed = d;
      }
      const hours = Math.round(((closed.t - start.t) / 3_600_000) * 1e6) / 1e6;
      const evidence = [...new Set([...members.map((m) => m.ref), closed.ref])].filter((r) => !r.startsWith('offboarding:'));
      out.push({
        person, trigger_time: new Date(start.t).toISOString(), trigger_kind: start.kind, trigger_ref: start.ref,
        closed_at: new Date(closed.t).toISOString(), closing_ref: closed.ref, hours,
        over_sla: hours > policy.revocation_sla_hours, evidence_event_ids: evidence,
      });
    }
  }
  return out.sort((a, b) => (a.trigger_time < b.trigger_time ? -1 : a.trigger_time > b.trigger_time ? 1 : a.person < b.person ? -1 : 1));
}

/**
 * The trigger that makes a session at `t` a post-revocation access, or null: a deactivation/HR trigger of the
 * person before `t` within the lookahead and no reactivation since; or a privileged group/role removal before
 * `t` within the lookahead when the session is privileged.
 */
export function revokedBefore(facts: RevocationFacts, policy: CorrelationPolicy, person: string, t: number, privileged: boolean): Trigger | null {
  if (person === '') return null;
  const reactivated = facts.reactivations.get(person) ?? [];
  let hit: Trigger | null = null;
  for (const tr of facts.triggers.get(person) ?? []) {
    if (tr.t >= t || t - tr.t > policy.lookahead_ms) continue;
    if (tr.kind === 'privileged_group_removal' && !privileged) continue;
    if (tr.kind !== 'privileged_group_removal' && reactivated.some((r) => r > tr.t && r < t)) continue;
    if (!hit || tr.t < hit.t) hit = tr;
  }
  return hit;
}
