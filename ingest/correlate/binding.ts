import type { Exemption } from '../../schema/exemption.ts';
import type { MfaBinding } from '../../schema/session.ts';
import { globMatch, PHISHING_RESISTANT_METHODS } from '../normalizers/common.ts';
import type { MfaMethod } from '../../schema/auth-event.ts';
import { hostKey, type Draft } from './access.ts';
import { detail, type CorrEvent } from './events.ts';
import type { ResolvedIdentity } from './identity.ts';
import type { CorrelationPolicy } from './policy.ts';

/** A second-factor success usable as evidence. */
export interface Proof {
  readonly id: string;
  readonly t: number;
  readonly method: string;
  readonly phishing_resistant: boolean;
  /** Who passed the factor (a person, or a shared/break-glass account). */
  readonly who: ResolvedIdentity;
}

/** What binding looks things up in; built once per day by `bindingContext` (indexed: no scan per session). */
export interface BindingContext {
  readonly policy: CorrelationPolicy;
  /** IdP (and gateway-local login) MFA successes per subject, sorted by time. */
  readonly proofsBySubject: ReadonlyMap<string, readonly CorrEvent[]>;
  /** The same proofs per `source|IdP session id`, for IdP admin access. */
  readonly proofsByIdpSession: ReadonlyMap<string, readonly CorrEvent[]>;
  /** Teleport certificates/logins per subject, STS credentials per access key, Boundary logins per issued token. */
  readonly teleportIssuances: ReadonlyMap<string, readonly CorrEvent[]>;
  readonly stsByKey: ReadonlyMap<string, readonly CorrEvent[]>;
  readonly boundaryByToken: ReadonlyMap<string, readonly CorrEvent[]>;
  readonly devices: ReadonlyMap<string, { method: string; phishing_resistant: boolean }>;
  readonly exemptions: readonly Exemption[];
  readonly who: (e: CorrEvent) => ResolvedIdentity;
}

function groupBy(events: readonly CorrEvent[], key: (e: CorrEvent) => string): Map<string, CorrEvent[]> {
  const m = new Map<string, CorrEvent[]>();
  for (const e of events) {
    const k = key(e);
    if (k === '') continue;
    const list = m.get(k);
    if (list) list.push(e); else m.set(k, [e]);
  }
  return m;
}

/** Indexes a day's proofs and issuances for binding. */
export function bindingContext(deps: {
  policy: CorrelationPolicy; proofs: readonly CorrEvent[]; issuances: readonly CorrEvent[];
  devices: BindingContext['devices']; exemptions: readonly Exemption[]; who: (e: CorrEvent) => ResolvedIdentity;
}): BindingContext {
  const { who, issuances } = deps;
  return {
    policy: deps.policy, devices: deps.devices, exemptions: deps.exemptions, who,
    proofsBySubject: groupBy(deps.proofs, (p) => who(p).subject),
    proofsByIdpSession: groupBy(deps.proofs, (p) => (p.source_kind === 'idp' && p.session_id !== '' ? `${p.source}|${p.session_id}` : '')),
    teleportIssuances: groupBy(issuances, (e) => (e.source === 'teleport' ? who(e).subject : '')),
    stsByKey: groupBy(issuances, (e) => (e.source === 'cloudtrail' ? detail(e, 'access_key_id') : '')),
    boundaryByToken: groupBy(issuances, (e) => (e.source === 'boundary' ? detail(e, 'issued_auth_token_id') : '')),
  };
}

/** The binding of one session and the proof behind it. */
export interface BindingResult {
  readonly binding: MfaBinding;
  readonly proof: Proof | null;
  readonly exemption_id: string;
  readonly age_seconds: number | null;
}

function proofOf(e: CorrEvent, ctx: BindingContext): Proof {
  let method = e.mfa_method;
  let pr = e.phishing_resistant;
  const device = ctx.devices.get(detail(e, 'mfa_device_uuid'));
  // Teleport per-session MFA names only the device UUID: its enrollment or login says which method it is.
  if ((method === 'unknown' || method === '') && device) {
    method = device.method;
    pr = device.phishing_resistant || PHISHING_RESISTANT_METHODS.has(method as MfaMethod);
  }
  return { id: e.event_id, t: e.t, method: method === '' ? 'unknown' : method, phishing_resistant: pr, who: ctx.who(e) };
}

/** Best direct proof: phishing-resistant first, a named method next, then the earliest (ties by id). */
function best(proofs: readonly Proof[]): Proof | null {
  const sorted = [...proofs].sort((a, b) => Number(b.phishing_resistant) - Number(a.phishing_resistant)
    || Number(b.method !== 'unknown') - Number(a.method !== 'unknown') || a.t - b.t || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return sorted[0] ?? null;
}

/**
 * Proofs that belong to the session itself: its own events with a verified factor (Teleport per-session MFA,
 * sshd TOTP, ConsoleLogin/STS with MFA, cloud calls whose token carries MFA claims), host-side Duo on the same
 * host within the gateway match window, and for IdP admin access the factor of the same IdP session.
 */
function directProofs(d: Draft, ctx: BindingContext): Proof[] {
  const out: Proof[] = d.events.filter((e) => e.mfa_verified && e.outcome === 'success').map((e) => proofOf(e, ctx));
  for (const p of d.bucket_proofs) out.push({ id: p.id, t: p.t, method: p.method, phishing_resistant: p.phishing_resistant, who: d.who });
  const within = ctx.policy.gateway_match_ms;
  for (const e of d.events) {
    if (e.source === 'sshd') {
      for (const p of ctx.proofsBySubject.get(d.who.subject) ?? []) {
        const host = detail(p, 'access_hostname');
        if (host !== '' && hostKey(host) === hostKey(e.resource) && Math.abs(p.t - e.t) <= within) out.push(proofOf(p, ctx));
      }
    }
    if (e.source_kind === 'idp' && e.session_id !== '') {
      for (const p of ctx.proofsByIdpSession.get(`${e.source}|${e.session_id}`) ?? []) {
        if (p.t <= e.t && e.t - p.t <= ctx.policy.credential_ttl_ms) out.push(proofOf(p, ctx));
      }
    }
  }
  return out;
}

/** The credential issuance behind a gateway/federated session, or null when the path logged none for it. */
function issuanceOf(d: Draft, ctx: BindingContext): CorrEvent | null {
  const a = d.anchor;
  const lo = d.start - ctx.policy.credential_ttl_ms;
  const inRange = (e: CorrEvent): boolean => e.t <= d.start && e.t >= lo;
  if (a && a.source === 'cloudtrail' && (a.action === 'role_assumption' || a.action === 'credential_issue')) return a;
  const key = a ? (a.source === 'cloudtrail' ? a.session_id : detail(a, 'access_key_id')) : '';
  if (key !== '') {
    const hit = (ctx.stsByKey.get(key) ?? []).find(inRange);
    if (hit) return hit;
  }
  const token = a ? detail(a, 'auth_token_id') : '';
  if (a?.source === 'boundary' && token !== '') return (ctx.boundaryByToken.get(token) ?? []).find(inRange) ?? null;
  if (d.source === 'teleport' || (d.path === 'gateway' && d.source !== 'boundary')) {
    let latest: CorrEvent | null = null;
    for (const e of ctx.teleportIssuances.get(d.who.subject) ?? []) {
      if (inRange(e) && (!latest || e.t > latest.t || (e.t === latest.t && e.event_id > latest.event_id))) latest = e;
    }
    return latest;
  }
  return null;
}

/** The latest IdP proof of `subject` with from ≤ t ≤ to. */
function latestProof(ctx: BindingContext, subject: string, from: number, to: number): CorrEvent | null {
  let hit: CorrEvent | null = null;
  for (const p of ctx.proofsBySubject.get(subject) ?? []) if (p.t >= from && p.t <= to && (!hit || p.t >= hit.t)) hit = p;
  return hit;
}

function exemptionFor(d: Draft, ctx: BindingContext): string {
  const names = [d.who.person, d.who.subject, d.who.identity].filter((s) => s !== '');
  for (const x of ctx.exemptions) {
    const starts = Date.parse(x.starts_at);
    const ends = Math.min(Date.parse(x.expires_at), x.revoked_at ? Date.parse(x.revoked_at) : Infinity);
    if (d.start < starts || d.start >= ends) continue;
    if (x.person_pattern !== '' && !names.some((n) => globMatch(x.person_pattern, n))) continue;
    if (x.resource_pattern !== '' && !globMatch(x.resource_pattern, d.resource)) continue;
    return x.exemption_id;
  }
  return '';
}

const ageOf = (start: number, t: number): number => Math.max(0, Math.round((start - t) / 1000));

/**
 * MFA binding of one session (README "MFA binding"): direct → idp_bound (gateway or federated path: the
 * credential was issued ≤ issue_window after an IdP MFA success of the same subject and the session started
 * ≤ credential_ttl after issuance; with no logged issuance, an IdP MFA success ≤ credential_ttl before the
 * start) → exempt (an active exemption matches) → none.
 */
export function bindMfa(d: Draft, ctx: BindingContext): BindingResult {
  const direct = best(directProofs(d, ctx));
  if (direct) return { binding: 'direct', proof: direct, exemption_id: '', age_seconds: ageOf(d.start, direct.t) };
  if (d.path === 'gateway' || d.path === 'federated') {
    const issued = issuanceOf(d, ctx);
    const p = issued
      ? (d.start - issued.t <= ctx.policy.credential_ttl_ms ? latestProof(ctx, d.who.subject, issued.t - ctx.policy.issue_window_ms, issued.t) : null)
      : latestProof(ctx, d.who.subject, d.start - ctx.policy.credential_ttl_ms, d.start);
    if (p) return { binding: 'idp_bound', proof: proofOf(p, ctx), exemption_id: '', age_seconds: ageOf(d.start, p.t) };
  }
  const exemption = exemptionFor(d, ctx);
  if (exemption !== '') return { binding: 'exempt', proof: null, exemption_id: exemption, age_seconds: null };
  return { binding: 'none', proof: null, exemption_id: '', age_seconds: null };
}
