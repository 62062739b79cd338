import type { FileConfig } from '../../core/config.ts';
import type { AuthEvent } from '../../schema/auth-event.ts';
import { CorrelationDirtyRow } from '../../schema/correlation-state.ts';
import type { Store } from '../../schema/store/store.ts';
import { nextToken } from './version.ts';

// Stale-day bookkeeping. Every stored batch marks the days whose correlation it can change (the pipeline's
// onStored hook); a correlation run marks its days done with a token taken before it read anything. A day is
// dirty while its latest `dirty` token is newer than its latest `done` token, so marks that arrive during a
// run keep the day dirty for the next one. Reads of sessions/findings/metrics correlate dirty days first.

const DAY = 86_400_000;

/** UTC day ('YYYY-MM-DD') of an epoch ms. */
export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Epoch ms of a UTC day's midnight. */
export function dayStart(day: string): number {
  return Date.parse(`${day}T00:00:00.000Z`);
}

/** Inserts `dirty` marks for days (no-op for none). */
export async function markDirtyDays(store: Store, days: Iterable<string>): Promise<void> {
  const token = nextToken();
  const rows = [...new Set(days)].sort().map((day) => CorrelationDirtyRow.parse({ day, kind: 'dirty', token }));
  if (rows.length) await store.insertRows('correlation_dirty', rows);
}

/** Marks every day touched by [from, to] (epoch ms) dirty. */
export async function markDirtyRange(store: Store, from: number, to: number): Promise<void> {
  const days: string[] = [];
  for (let t = dayStart(dayOf(from)); t <= to; t += DAY) days.push(dayOf(t));
  await markDirtyDays(store, days);
}

/** Inserts `done` marks for days with the token of the run that recomputed them. */
export async function markDone(store: Store, days: readonly string[], token: number): Promise<void> {
  if (days.length) await store.insertRows('correlation_dirty', days.map((day) => CorrelationDirtyRow.parse({ day, kind: 'done', token })));
}

/**
 * Days an event can change: its own day and the day before (sessions started before midnight end or get
 * their gateway follow-on after it), the days an MFA success or issuance can still bind (credential_ttl),
 * and for revocations and reactivations the days of the post-revocation lookahead.
 */
export function dirtyDaysOfEvents(events: readonly Pick<AuthEvent, 'event_time' | 'action'>[], file: FileConfig): Set<string> {
  const ttlDays = Math.ceil((file.policy.credential_ttl_hours * 3_600_000) / DAY);
  const lookahead = file.policy.revocation_lookahead_days;
  const days = new Set<string>();
  const seen = new Set<string>();
  for (const e of events) {
    const revocation = e.action === 'access_revoked' || e.action === 'account_change';
    const k = `${e.event_time.slice(0, 10)}|${revocation ? 1 : 0}`;
    if (seen.has(k)) continue;
    seen.add(k);
    const d = dayStart(e.event_time.slice(0, 10));
    const ahead = revocation ? Math.max(ttlDays, lookahead) : ttlDays;
    for (let i = -1; i <= ahead; i++) days.add(dayOf(d + i * DAY));
  }
  return days;
}

/** The pipeline `onStored` hook: marks the days a stored batch can change. */
export function createCorrelationMarker(store: Store, file: FileConfig): (events: readonly Pick<AuthEvent, 'event_time' | 'action'>[]) => Promise<void> {
  return (events) => markDirtyDays(store, dirtyDaysOfEvents(events, file));
}

/** Dirty days in [fromDay, toDay] (inclusive), ascending. */
export async function dirtyDaysIn(store: Store, fromDay: string, toDay: string): Promise<string[]> {
  const rows = await store.query<{ d: string }>(
    `SELECT toString(day) AS d FROM correlation_dirty WHERE day >= {a:Date} AND day <= {b:Date}
     GROUP BY day HAVING maxIf(token, kind = 'dirty') > maxIf(token, kind = 'done') ORDER BY day`, { a: fromDay, b: toDay });
  return rows.map((r) => r.d);
}

/** Every dirty day, ascending. */
export async function allDirtyDays(store: Store): Promise<string[]> {
  const rows = await store.query<{ d: string }>(
    `SELECT toString(day) AS d FROM correlation_dirty GROUP BY day
     HAVING maxIf(token, kind = 'dirty') > maxIf(token, kind = 'done') ORDER BY day`);
  return rows.map((r) => r.d);
}

/** Groups ascending days into contiguous [first, last] runs. */
export function dayRuns(days: readonly string[]): [string, string][] {
  const runs: [string, string][] = [];
  for (const d of days) {
    const last = runs[runs.length - 1];
    if (last && dayStart(d) - dayStart(last[1]) === DAY) last[1] = d;
    else runs.push([d, d]);
  }
  return runs;
}
