import type { Config } from '../../core/config.ts';
import type { Logger } from '../../core/logger.ts';
import type { FindingRecord } from '../../schema/finding.ts';
import type { SessionRecord } from '../../schema/session.ts';
import type { Store } from '../../schema/store/store.ts';
import { rebuildRollups } from '../../schema/store/queries/report-rollups.ts';
import { ACCOUNT_CHANGE_TIME_KEYS, accountChangeRows } from './accounts.ts';
import { sessionKeyOf, type Draft } from './access.ts';
import { bindingContext, bindMfa, type BindingContext, type BindingResult } from './binding.ts';
import { dayOf, dayStart, markDone } from './dirty.ts';
import { msOf } from './events.ts';
import { cloudEvidenceFindings, sessionFindings } from './findings.ts';
import { createIdentityResolver, type ResolvedIdentity } from './identity.ts';
import {
  loadAccessEvents, loadBuckets, loadCloudEvidence, loadDeviceMethods, loadIamChanges, loadIdpProfiles, loadIssuances,
  loadMfaProofs, loadOffboarding, loadRevocationEvents, loadSessionEnds,
} from './load.ts';
import { correlationPolicy, type CorrelationPolicy } from './policy.ts';
import { isPrivilegedSession } from './privilege.ts';
import { checkProfiles } from './profiles.ts';
import { revocationEpisodes, revocationFacts, revokedBefore, type RevocationFacts } from './revocation.ts';
import { applyEnds, attachToDrafts, buildBucketDrafts, buildEventDrafts, cachedResolver, endLookupIds } from './sessions.ts';
import { loadExemptions } from './exemptions.ts';
import { nextToken } from './version.ts';
import { replaceFindings, replaceRevocations, replaceSessions } from './write.ts';

/** What correlation needs from the app context. */
export interface CorrelateDeps {
  readonly config: Pick<Config, 'file'>;
  readonly logger: Logger;
}

/** Counts of one correlation run. */
export interface CorrelateSummary {
  from: string;
  to: string;
  days: number;
  sessions: number;
  findings: number;
  revocations: number;
  account_changes: number;
  rows_written: number;
  rows_deleted: number;
  duration_ms: number;
}

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** Everything a day's correlation shares with the other days of the run. */
interface RunContext {
  readonly store: Store;
  readonly policy: CorrelationPolicy;
  readonly who: (e: { user: string; user_raw: string; user_type: string; details?: Readonly<Record<string, string>> }) => ResolvedIdentity;
  readonly devices: BindingContext['devices'];
  readonly exemptions: BindingContext['exemptions'];
  readonly facts: RevocationFacts;
  readonly token: number;
  readonly log: Logger;
}

function toSessionRecord(d: Draft, b: BindingResult, privileged: boolean): SessionRecord {
  const ids = [...new Set(d.ids)];
  return {
    session_key: sessionKeyOf(d.who.subject || d.who.identity, d.resource, d.anchor_ref),
    person: d.who.person,
    identity: d.who.identity,
    resource: d.resource,
    resource_type: d.resource_type as SessionRecord['resource_type'],
    environment: d.environment as SessionRecord['environment'],
    surface: d.surface,
    path: d.path,
    started_at: new Date(d.start).toISOString(),
    ended_at: d.end === null ? null : new Date(d.end).toISOString(),
    privileged,
    outcome: 'success',
    mfa_binding: b.binding,
    mfa_method: (b.proof?.method ?? 'none') as SessionRecord['mfa_method'],
    phishing_resistant: b.proof?.phishing_resistant ?? false,
    mfa_event_id: b.proof?.id ?? '',
    mfa_age_seconds: b.age_seconds,
    exemption_id: b.exemption_id,
    break_glass: d.who.kind === 'break_glass',
    identity_kind: d.who.kind,
    source: d.source,
    event_ids: ids.slice(0, 1000),
    event_count: Math.max(d.count, ids.length),
  };
}

/** All drafts of the sessions that started on day [d0, d0 + 1 day). */
async function draftsOfDay(run: RunContext, d0: number): Promise<Draft[]> {
  const { store, policy } = run;
  const access = await loadAccessEvents(store, d0 - HOUR, d0 + DAY + HOUR);
  const drafts = buildEventDrafts(access, run.who, policy);
  applyEnds(drafts, await loadSessionEnds(store, d0 - HOUR, d0 + 2 * DAY, endLookupIds(drafts)));
  attachToDrafts(access, drafts, policy);
  const buckets = buildBucketDrafts(await loadBuckets(store, d0, d0 + DAY), (r) => run.who(r),
    (r) => r.proofs.map(([t, id, method, pr]) => ({ t: msOf(t), id, method, phishing_resistant: pr })));
  return [...drafts, ...buckets].filter((d) => !d.absorbed_by && d.start >= d0 && d.start < d0 + DAY);
}

/** Correlates one UTC day: sessions, bindings, findings, account changes; rewrites that day's rows. */
async function correlateDay(run: RunContext, d0: number): Promise<{ sessions: number; findings: number; accounts: number; written: number; deleted: number }> {
  const { store, policy } = run;
  const t0 = Date.now();
  const drafts = await draftsOfDay(run, d0);
  const proofs = await loadMfaProofs(store, d0 - policy.credential_ttl_ms - policy.issue_window_ms - HOUR, d0 + DAY + HOUR);
  const ctx = bindingContext({
    policy, proofs, issuances: await loadIssuances(store, d0 - policy.credential_ttl_ms - HOUR, d0 + DAY + HOUR),
    devices: run.devices, exemptions: run.exemptions, who: run.who,
  });
  const t1 = Date.now();
  const sessions: SessionRecord[] = [];
  const findings: FindingRecord[] = [];
  for (const d of drafts) {
    const privileged = isPrivilegedSession(d, policy);
    const b = bindMfa(d, ctx);
    const s = toSessionRecord(d, b, privileged);
    sessions.push(s);
    findings.push(...sessionFindings(s, d, b, revokedBefore(run.facts, policy, d.who.person, d.start, privileged), policy));
  }
  for (const r of await loadCloudEvidence(store, d0, d0 + DAY)) findings.push(...cloudEvidenceFindings(r, run.who(r)));
  const accounts = accountChangeRows(await loadIamChanges(store, d0, d0 + DAY), policy);
  await store.insertRows('accounts', accounts, ACCOUNT_CHANGE_TIME_KEYS);
  const t2 = Date.now();
  const ws = await replaceSessions(store, d0, d0 + DAY, dedupe(sessions, (s) => s.session_key), run.token);
  const wf = await replaceFindings(store, d0, d0 + DAY, dedupe(findings, (f) => f.finding_id), run.token);
  run.log.debug({ day: dayOf(d0), sessions: sessions.length, readMs: t1 - t0, bindMs: t2 - t1, writeMs: Date.now() - t2 }, 'day correlated');
  return { sessions: sessions.length, findings: findings.length, accounts: accounts.length, written: ws.written + wf.written, deleted: ws.deleted + wf.deleted };
}

function dedupe<T>(rows: readonly T[], key: (r: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const r of rows) if (!seen.has(key(r))) seen.set(key(r), r);
  return [...seen.values()];
}

const locks = new WeakMap<Store, Promise<unknown>>();

/** Runs `fn` after any correlation already running on this store (reads may trigger correlation concurrently). */
export function withCorrelationLock<T>(store: Store, fn: () => Promise<T>): Promise<T> {
  const prior = locks.get(store) ?? Promise.resolve();
  const run = prior.then(fn, fn);
  locks.set(store, run.catch(() => undefined));
  return run;
}

/**
 * Recomputes sessions, MFA bindings, findings, account changes (every UTC day touched by [from, to)) and the
 * revocation episodes that can depend on those days. Deterministic: reads stored events (FINAL) only, so the
 * result never depends on the order events were ingested in.
 */
export function correlate(store: Store, deps: CorrelateDeps, range: { from: string; to: string }): Promise<CorrelateSummary> {
  return withCorrelationLock(store, () => correlateHoldingLock(store, deps, range));
}

/** {@link correlate} for a caller that already holds the correlation lock (the lock is not re-entrant). */
export async function correlateHoldingLock(store: Store, deps: CorrelateDeps, range: { from: string; to: string }): Promise<CorrelateSummary> {
  const started = Date.now();
  const token = nextToken();
  const policy = correlationPolicy(deps.config.file);
  const from = dayStart(dayOf(Date.parse(range.from)));
  const toMs = Date.parse(range.to);
  const to = dayStart(dayOf(toMs)) === toMs ? toMs : dayStart(dayOf(toMs)) + DAY;
  const profiles = await loadIdpProfiles(store);
  const L = policy.lookahead_ms;
  await checkProfiles(store, profiles, L);
  const resolver = createIdentityResolver(policy, profiles);
  const facts = revocationFacts(await loadRevocationEvents(store, from - 2 * L, to + L),
    await loadOffboarding(store, from - 2 * L, to + L), resolver, policy);
  const run: RunContext = {
    store, policy, who: cachedResolver(resolver), devices: await loadDeviceMethods(store),
    exemptions: await loadExemptions(store), facts, token, log: deps.logger.child({ stage: 'processing', component: 'correlate' }),
  };
  const summary: CorrelateSummary = { from: new Date(from).toISOString(), to: new Date(to).toISOString(), days: 0, sessions: 0, findings: 0, revocations: 0, account_changes: 0, rows_written: 0, rows_deleted: 0, duration_ms: 0 };
  const days: string[] = [];
  for (let d0 = from; d0 < to; d0 += DAY) {
    const r = await correlateDay(run, d0);
    days.push(dayOf(d0));
    summary.days++;
    summary.sessions += r.sessions;
    summary.findings += r.findings;
    summary.account_changes += r.accounts;
    summary.rows_written += r.written;
    summary.rows_deleted += r.deleted;
  }
  const episodes = revocationEpisodes(facts, policy, from - L, to);
  const wr = await replaceRevocations(store, from - L, to, episodes, token);
  summary.revocations = episodes.filter((e) => Date.parse(e.trigger_time) >= from).length;
  summary.rows_written += wr.written;
  summary.rows_deleted += wr.deleted;
  // The report rollups of a day derive from its events only; rebuilt before the days are marked done, so a
  // reader never takes a day from them that was dirty when this run started.
  await rebuildRollups(store, days, token);
  await markDone(store, days, token);
  summary.duration_ms = Date.now() - started;
  deps.logger.info({ days: summary.days, sessions: summary.sessions, findings: summary.findings, durationMs: summary.duration_ms }, 'correlated');
  return summary;
}
