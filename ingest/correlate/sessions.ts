import { absorb, draftOfEvent, hostKey, isSessionStart, type Draft } from './access.ts';
import { detail, msOf, type CorrEvent } from './events.ts';
import type { IdentityResolver, ResolvedIdentity } from './identity.ts';
import type { BucketRow } from './load.ts';
import type { CorrelationPolicy } from './policy.ts';

function pushTo<T>(m: Map<string, T[]>, k: string, v: T): void {
  const list = m.get(k);
  if (list) list.push(v); else m.set(k, [v]);
}

/** Caches identity resolution per distinct actor (many events share one). */
export function cachedResolver(resolver: IdentityResolver): (e: { user: string; user_raw: string; user_type: string; details?: Readonly<Record<string, string>> }) => ResolvedIdentity {
  const cache = new Map<string, ResolvedIdentity>();
  return (e) => {
    const k = `${e.user}\u001f${e.user_raw}\u001f${e.user_type}\u001f${e.details?.cert_key_id ?? ''}\u001f${e.details?.role_session_name ?? ''}`;
    let r = cache.get(k);
    if (!r) { r = resolver.resolve(e); cache.set(k, r); }
    return r;
  };
}

/**
 * Per-event drafts. Teleport sessions are one per (session id, participant); every other starting event is
 * its own session (sshd accepted login, PostgreSQL authorized connection, Kubernetes exec/attach/portforward,
 * ConsoleLogin, STS issuance, gateway authorization, IdP admin console access).
 */
function eventDrafts(events: readonly CorrEvent[], who: (e: CorrEvent) => ResolvedIdentity, policy: CorrelationPolicy): Draft[] {
  const drafts: Draft[] = [];
  const teleport = new Map<string, Draft>();
  for (const e of events) {
    if (!isSessionStart(e)) continue;
    const w = who(e);
    if (e.source === 'teleport' && e.session_id !== '') {
      const k = `${e.session_id}\u001f${w.subject}`;
      const prior = teleport.get(k);
      if (prior) { prior.events.push(e); prior.ids.push(e.event_id); prior.count++; prior.privileged_hint ||= e.privileged; continue; }
      const d = draftOfEvent(e, w, policy.gateway_ca_fingerprints);
      teleport.set(k, d);
      drafts.push(d);
      continue;
    }
    drafts.push(draftOfEvent(e, w, policy.gateway_ca_fingerprints));
  }
  return drafts;
}

function nearest(candidates: readonly Draft[], t: number, maxMs: number, ok: (d: Draft) => boolean): Draft | undefined {
  let best: Draft | undefined;
  for (const c of candidates) {
    if (!ok(c) || Math.abs(c.start - t) > maxMs) continue;
    if (!best || Math.abs(c.start - t) < Math.abs(best.start - t) || (Math.abs(c.start - t) === Math.abs(best.start - t) && c.anchor_ref < best.anchor_ref)) best = c;
  }
  return best;
}

/**
 * Gateway follow-ons: the host, database or cluster login a gateway session produced is the same access, not
 * a second one. sshd certificate login ↔ Teleport SSH session of the same person and host; PostgreSQL
 * connection ↔ Teleport database session with the same backend pid, or the same person and database;
 * Kubernetes exec through the gateway ↔ Teleport Kubernetes session of the same person. All within
 * `gateway_match_seconds` (default 60 s). An sshd certificate signed by a gateway CA stays the gateway path.
 */
function mergeGatewayFollowOns(drafts: Draft[], policy: CorrelationPolicy): void {
  const bySubject = new Map<string, Draft[]>();
  const byPid = new Map<string, Draft[]>();
  for (const g of drafts) {
    if (g.source !== 'teleport') continue;
    pushTo(bySubject, g.who.subject, g);
    const pid = g.anchor ? detail(g.anchor, 'pid') : '';
    if (pid !== '') pushTo(byPid, pid, g);
  }
  if (bySubject.size === 0) return;
  const within = policy.gateway_match_ms;
  for (const d of drafts) {
    const e = d.anchor;
    if (!e || d.source === 'teleport') continue;
    const mine = bySubject.get(d.who.subject) ?? [];
    let target: Draft | undefined;
    if (d.source === 'sshd' && detail(e, 'cert_key_id') !== '') {
      target = nearest(mine, d.start, within, (g) => g.surface === 'ssh' && hostKey(g.resource) === hostKey(d.resource));
    } else if (d.source === 'postgres') {
      const pid = detail(e, 'pid');
      const candidates = [...(pid !== '' ? byPid.get(pid) ?? [] : []), ...mine];
      target = nearest(candidates, d.start, within, (g) => g.surface === 'database' && g.anchor !== null
        && ((pid !== '' && detail(g.anchor, 'pid') === pid) || (g.who.subject === d.who.subject && detail(g.anchor, 'db_name') === detail(e, 'database'))));
    } else if (d.source === 'k8s' && d.path === 'gateway') {
      target = nearest(mine, d.start, within, (g) => g.surface === 'kubernetes');
    }
    if (target) {
      absorb(target, d);
      target.path = 'gateway';
    }
  }
}

/** The draft an attached event belongs to (following absorption). */
function owner(d: Draft): Draft {
  return d.absorbed_by ? owner(d.absorbed_by) : d;
}

/** sudo lines join the sshd session of the same login on the same host; privileged SQL joins its connection. */
function attachJoiners(events: readonly CorrEvent[], drafts: readonly Draft[], policy: CorrelationPolicy): void {
  const horizon = policy.credential_ttl_ms;
  // sudo joins by host and login; privileged SQL by connection (session id).
  const keyOf = (source: string, a: string, b: string): string => `${source}\u001f${a}\u001f${b}`;
  const index = new Map<string, Draft[]>();
  for (const d of drafts) {
    const a = d.anchor;
    if (!a || (a.source !== 'sshd' && a.source !== 'postgres')) continue;
    const k = a.source === 'sshd' ? keyOf('sshd', hostKey(a.resource), detail(a, 'login_user').toLowerCase()) : keyOf('postgres', a.session_id, '');
    pushTo(index, k, d);
  }
  for (const e of events) {
    if (isSessionStart(e)) continue;
    const k = e.source === 'sshd' ? keyOf('sshd', hostKey(e.resource), e.user_raw.toLowerCase()) : keyOf('postgres', e.session_id, '');
    let best: Draft | undefined;
    for (const d of index.get(k) ?? []) {
      if (d.start > e.t || e.t > (d.end ?? d.start + horizon)) continue;
      if (!best || d.start > best.start) best = d;
    }
    if (!best) continue;
    const o = owner(best);
    o.events.push(e);
    o.ids.push(e.event_id);
    o.count++;
    o.privileged_hint ||= e.privileged;
  }
}

/** Sets each draft's end: the first session end (or cancel) of its session id at or after its start. */
export function applyEnds(drafts: readonly Draft[], ends: ReadonlyMap<string, number[]>): void {
  for (const d of drafts) {
    const a = d.anchor;
    if (!a || a.session_id === '') continue;
    const list = ends.get(`${a.source}|${a.session_id}`);
    const end = list?.find((t) => t >= d.start);
    if (end !== undefined) d.end = end;
  }
}

/** Session ids whose ends are looked up. */
export function endLookupIds(drafts: readonly Draft[]): string[] {
  return [...new Set(drafts.map((d) => d.anchor?.session_id ?? '').filter((s) => s !== ''))];
}

/** Builds the per-event drafts of a window: creation, gateway follow-on merging, joiners. Ends come later. */
export function buildEventDrafts(events: readonly CorrEvent[], who: (e: CorrEvent) => ResolvedIdentity, policy: CorrelationPolicy): Draft[] {
  const drafts = eventDrafts(events, who, policy);
  mergeGatewayFollowOns(drafts, policy);
  return drafts;
}

/** Attaches joiners once ends are known (a sudo after the session closed belongs to no session). */
export function attachToDrafts(events: readonly CorrEvent[], drafts: readonly Draft[], policy: CorrelationPolicy): void {
  attachJoiners(events, drafts, policy);
}

function bucketDraft(r: BucketRow, who: ResolvedIdentity): Draft {
  const kube = r.source === 'k8s' || r.source === 'teleport';
  const cluster = r.scope !== '' ? r.scope : r.res;
  const path = r.source === 'teleport' || r.via_gateway ? 'gateway' : kube ? (r.federated_hint ? 'federated' : 'direct') : who.kind === 'person' ? 'federated' : 'local';
  return {
    anchor_ref: `bucket:${kube ? 'kubernetes' : r.source}:${cluster}:${r.hour}`,
    source: r.source,
    surface: kube ? 'kubernetes' : 'cloud_api',
    path,
    resource: cluster,
    resource_type: kube ? 'kubernetes' : r.res_type === 'server' ? 'cloud_api' : r.res_type,
    environment: r.env !== '' ? r.env : 'unknown',
    start: msOf(r.first_time),
    end: msOf(r.last_time),
    who,
    anchor: null,
    events: [],
    ids: [...r.ids],
    count: Number(r.n),
    privileged_hint: r.priv,
    hints: r.hints,
    bucket_proofs: [],
  };
}

/**
 * Hour buckets: Kubernetes API requests (other than exec/attach/portforward) are one session per identity,
 * cluster and hour; GCP/Azure privileged operations one per identity, project/subscription and hour. A cluster
 * audit log reached through the gateway (impersonated by it, cluster unnamed) joins the gateway's bucket of
 * the same person and hour instead of counting twice.
 */
export function buildBucketDrafts(rows: readonly BucketRow[], who: (r: BucketRow) => ResolvedIdentity, proofsOf: (r: BucketRow) => Draft['bucket_proofs']): Draft[] {
  const byKey = new Map<string, Draft>();
  const gatewayByHour = new Map<string, Draft[]>();
  const out: Draft[] = [];
  // Gateway (Teleport) buckets first, so the cluster's own audit of the same requests can join them.
  const sorted = [...rows].sort((a, b) => (a.source === 'teleport' ? 0 : 1) - (b.source === 'teleport' ? 0 : 1));
  for (const r of sorted) {
    const w = who(r);
    const d = bucketDraft(r, w);
    d.bucket_proofs.push(...proofsOf(r));
    let into = byKey.get(`${w.subject}\u001f${d.anchor_ref}`);
    if (!into && r.source === 'k8s' && r.via_gateway && r.scope === '') {
      into = [...(gatewayByHour.get(`${w.subject}\u001f${r.hour}`) ?? [])].sort((a, b) => (a.resource < b.resource ? -1 : 1))[0];
    }
    if (into) {
      absorb(into, d);
      if (d.start < into.start) (into as { start: number }).start = d.start;
      into.end = Math.max(into.end ?? 0, d.end ?? 0);
      continue;
    }
    byKey.set(`${w.subject}\u001f${d.anchor_ref}`, d);
    if (r.source === 'teleport') pushTo(gatewayByHour, `${w.subject}\u001f${r.hour}`, d);
    out.push(d);
  }
  return out;
}
