import { CorrelationStateRow } from '../../schema/correlation-state.ts';
import type { Store } from '../../schema/store/store.ts';
import { dayStart, markDirtyDays, markDirtyRange } from './dirty.ts';
import { nextToken } from './version.ts';

const STATE_KEY = 'idp_profiles';

/** local part → person, or null when two people share it (the same rule identity resolution uses). */
function localParts(profiles: readonly string[]): Map<string, string | null> {
  const m = new Map<string, string | null>();
  for (const p of profiles) {
    const at = p.indexOf('@');
    if (at <= 0) continue;
    const local = p.slice(0, at);
    const prior = m.get(local);
    m.set(local, prior === undefined || prior === p ? p : null);
  }
  return m;
}

/**
 * Keeps identity resolution order-independent: a bare login maps to a person through the IdP profiles seen so
 * far, so when the profile set changes (a new person, a newly ambiguous local part) the days with sessions or
 * revocations of those logins are marked dirty and re-correlated. The profile list is kept in correlation_state.
 */
export async function checkProfiles(store: Store, profiles: readonly string[], lookaheadMs: number): Promise<void> {
  const rows = await store.query<{ value: string }>(
    'SELECT argMax(value, token) AS value FROM correlation_state WHERE key = {k:String} GROUP BY key', { k: STATE_KEY });
  const current = JSON.stringify(profiles);
  if (rows[0]?.value === current) return;
  if (rows[0]) {
    const before = localParts(JSON.parse(rows[0].value) as string[]);
    const after = localParts(profiles);
    const changed = [...new Set([...before.keys(), ...after.keys()])].filter((k) => before.get(k) !== after.get(k));
    if (changed.length > 0) await markAffected(store, changed, lookaheadMs);
  }
  await store.insertRows('correlation_state', [CorrelationStateRow.parse({ key: STATE_KEY, value: current, token: nextToken() })]);
}

async function markAffected(store: Store, locals: readonly string[], lookaheadMs: number): Promise<void> {
  const sessionDays = await store.query<{ day: string }>(
    `SELECT DISTINCT toString(toDate(started_at)) AS day FROM sessions FINAL
     WHERE lower(extract(identity, '([^/:@]+)$')) IN {locals:Array(String)}`, { locals });
  await markDirtyDays(store, sessionDays.map((r) => r.day));
  const revocationDays = await store.query<{ day: string }>(
    `SELECT DISTINCT toString(toDate(event_time)) AS day FROM auth_events
     WHERE action = 'access_revoked' AND lower(extract(target_user, '([^/:@]+)$')) IN {locals:Array(String)}`, { locals });
  // NOTE: a revocation re-attributed to a person changes that person's post-revocation findings after it.
  for (const r of revocationDays) await markDirtyRange(store, dayStart(r.day), dayStart(r.day) + lookaheadMs);
}
