import { chTime, type Store } from '../store.ts';

// Daily report rollups (schema/migrations/0006_report_rollups.sql): what the event-level report queries need
// from a whole UTC day of auth_events, pre-aggregated once instead of per report. A day is rebuilt whole from
// `auth_events FINAL` into a staging table and swapped in with REPLACE PARTITION, so a rebuild is idempotent,
// duplicates (re-delivery before merges) count once, and readers see the old day or the new day, never a mix.
// The correlator rebuilds the days it recomputes; the queries take a day from the rollups only when it is built
// and clean (ROLLED_DAYS) and read every other day from auth_events (RAW_DAYS), so results never depend on
// whether a rollup is current — only speed does.

const T = "DateTime64(3, 'UTC')";

/** First whole day of the period: {from}'s day when it is midnight, else the day after. */
const FIRST_WHOLE_DAY = `(toDate({from:${T}}) + toUInt8(toDateTime64(toDate({from:${T}}), 3, 'UTC') < {from:${T}}))`;

/** Days of [from, to) whose rollup rows stand for the whole day: built, not dirty, entirely inside the period. */
export const ROLLED_DAYS = `SELECT day FROM rollup_days
  WHERE day >= ${FIRST_WHOLE_DAY} AND day < toDate({to:${T}})
    AND day NOT IN (
      SELECT day FROM correlation_dirty WHERE day >= toDate({from:${T}}) AND day <= toDate({to:${T}})
      GROUP BY day HAVING maxIf(token, kind = 'dirty') > maxIf(token, kind = 'done'))`;

/**
 * Every other day the period touches (read from auth_events). `toDate(event_time) IN (RAW_DAYS)` is a condition
 * on the sort key, so the raw side reads nothing for rolled days.
 */
export const RAW_DAYS = `SELECT d FROM (
    SELECT arrayJoin(arrayMap(i -> toDate({from:${T}}) + i,
      range(toUInt32(greatest(0, dateDiff('day', toDate({from:${T}}), toDate({to:${T}} - toIntervalMillisecond(1))) + 1))))) AS d)
  WHERE d NOT IN (${ROLLED_DAYS})`;

/** Rows of one day for auth_daily. */
const AUTH_DAILY_SELECT = `SELECT toDate(event_time) AS day, source, user_key, mfa_method, count() AS events,
    countIf(mfa_verified) AS verified, countIf(mfa_verified AND phishing_resistant) AS phishing_resistant
  FROM auth_events FINAL WHERE event_time >= {a:${T}} AND event_time < {b:${T}}
  GROUP BY day, source, user_key, mfa_method`;

/** Rows of one day for auth_daily_methods. */
const AUTH_DAILY_METHODS_SELECT = `SELECT toDate(event_time) AS day, source, mfa_method, count() AS events,
    countIf(mfa_verified) AS verified, countIf(mfa_verified AND phishing_resistant) AS phishing_resistant
  FROM auth_events FINAL WHERE event_time >= {a:${T}} AND event_time < {b:${T}}
  GROUP BY day, source, mfa_method`;

/**
 * One failed attempt = rows of one source, person, client IP and second (reports/metrics/queries.ts FAILURES);
 * the flags say whether any of its rows is a failed login / a failed second factor.
 */
export const FAILURE_ROW_FLAGS = `action IN ('login', 'session_start', 'role_assumption') AS row_login,
    (action = 'mfa_verify' OR mfa_method NOT IN ('none', 'unknown', 'bypass', '')) AND NOT (mfa_evidence = 'performed' AND outcome = 'denied') AS row_mfa`;

/**
 * The failed or denied rows of a time condition, with their attempt key and flags. An Okta step-up challenge is no
 * failure; only the Okta normalizer writes details.okta_result, and reading one key of the Map column is the
 * costly part, so it is read for the Okta rows only (the sort key starts with source: other sources' granules
 * never read the map).
 */
export function failureRows(timeCondition: string): string {
  const cols = `source, user_key, src_ip, toStartOfSecond(event_time) AS second, ${FAILURE_ROW_FLAGS}`;
  return `SELECT ${cols} FROM auth_events
    WHERE source = 'okta' AND ${timeCondition} AND outcome IN ('failure', 'denied') AND details['okta_result'] != 'CHALLENGE'
    UNION ALL
    SELECT ${cols} FROM auth_events
    WHERE source != 'okta' AND ${timeCondition} AND outcome IN ('failure', 'denied')`;
}

/** Rows of one day for failure_attempts (attempts with at least one flag). */
const FAILURE_ATTEMPTS_SELECT = `SELECT toDate(second) AS day, source, user_key, src_ip, second, max(row_login) AS is_login, max(row_mfa) AS is_mfa
  FROM (${failureRows(`event_time >= {a:${T}} AND event_time < {b:${T}}`)})
  GROUP BY source, user_key, src_ip, second HAVING is_login OR is_mfa`;

/** The rollup tables (sort keys as in the migration), and how one day of each is computed. */
export const ROLLUPS: readonly { readonly table: string; readonly orderBy: string; readonly select: string }[] = [
  { table: 'auth_daily', orderBy: '(source, mfa_method, user_key)', select: AUTH_DAILY_SELECT },
  { table: 'auth_daily_methods', orderBy: '(source, mfa_method)', select: AUTH_DAILY_METHODS_SELECT },
  { table: 'failure_attempts', orderBy: '(source, user_key, second, src_ip)', select: FAILURE_ATTEMPTS_SELECT },
];

const DAY = 86_400_000;
/** ClickHouse DateTime64 text of an epoch ms instant. */
const chAt = (ms: number): string => chTime(new Date(ms).toISOString());
/** The half-open bounds {a}, {b} of a UTC day ('YYYY-MM-DD'). */
const dayBounds = (day: string): { a: string; b: string } => {
  const start = Date.parse(`${day}T00:00:00.000Z`);
  return { a: chAt(start), b: chAt(start + DAY) };
};

/**
 * Rebuilds the rollups of the given UTC days ('YYYY-MM-DD') from auth_events and records them in rollup_days.
 * Idempotent. `tag` names the staging tables (unique per run, so concurrent runs never share one).
 */
export async function rebuildRollups(store: Store, days: readonly string[], tag: string | number): Promise<void> {
  if (days.length === 0) return;
  const staged = ROLLUPS.map((r) => ({ ...r, stage: `${r.table}_stage_${String(tag).replace(/[^A-Za-z0-9_]/g, '_')}` }));
  try {
    for (const r of staged) {
      await store.command(`DROP TABLE IF EXISTS ${r.stage}`);
      // A plain local MergeTree even when the target is replicated (cluster mode): REPLACE PARTITION accepts it,
      // and the staging table must not share the target's Keeper path.
      await store.command(`CREATE TABLE ${r.stage} AS ${r.table} ENGINE = MergeTree PARTITION BY day ORDER BY ${r.orderBy}`);
    }
    for (const day of days) {
      const bounds = dayBounds(day);
      const id = day.replaceAll('-', '');
      for (const r of staged) {
        await store.command(`TRUNCATE TABLE ${r.stage}`);
        await store.command(`INSERT INTO ${r.stage} ${r.select} SETTINGS do_not_merge_across_partitions_select_final = 1`, bounds);
        const [n] = await store.query<{ n: string }>(`SELECT count() AS n FROM ${r.stage}`);
        // REPLACE from an empty source is refused by newer engines; an empty day is simply dropped.
        if (Number(n?.n ?? 0) > 0) await store.command(`ALTER TABLE ${r.table} REPLACE PARTITION ID '${id}' FROM ${r.stage}`);
        else await store.command(`ALTER TABLE ${r.table} DROP PARTITION ID '${id}'`);
      }
      // Names of the day's people (user_names collapses repeats; re-running only refreshes last_seen).
      await store.command(`INSERT INTO user_names SELECT user_key, any(user), today() FROM auth_events
        WHERE event_time >= {a:${T}} AND event_time < {b:${T}} AND user_key != sipHash64('') GROUP BY user_key`, bounds);
    }
    const built = chAt(Date.now());
    const sorted = [...days].sort();
    const first = await store.query<{ d: string; t: string }>(
      `SELECT toString(toDate(event_time)) AS d, toString(min(ingested_at)) AS t FROM auth_events
        WHERE event_time >= {a:${T}} AND event_time < {b:${T}} GROUP BY d`,
      { a: dayBounds(sorted[0] as string).a, b: dayBounds(sorted[sorted.length - 1] as string).b });
    const firstIngested = new Map(first.map((r) => [r.d, r.t]));
    await store.insertRows('rollup_days', days.map((day) => ({ day, built_at: built.padEnd(26, '0'), first_ingested_at: firstIngested.get(day) ?? built })));
  } finally {
    for (const r of staged) await store.command(`DROP TABLE IF EXISTS ${r.stage}`);
  }
}

/**
 * user_key → user for every person of the period: user_names for built days, auth_events for the other days
 * (a condition on the sort key, so nothing is read from auth_events when every day is built).
 */
export const USER_NAMES = `SELECT user_key, any(user) AS user FROM (
    SELECT user_key, user FROM user_names
    UNION ALL
    SELECT user_key, user FROM auth_events
    WHERE event_time >= {from:${T}} AND event_time < {to:${T}} AND toDate(event_time) IN (${RAW_DAYS}) AND user_key != sipHash64('')
  ) GROUP BY user_key`;

/** Every UTC day that has events in [from, to) (epoch ms), ascending. */
export async function eventDays(store: Store, from: number, to: number): Promise<string[]> {
  const rows = await store.query<{ d: string }>(
    `SELECT DISTINCT toString(toDate(event_time)) AS d FROM auth_events WHERE event_time >= {a:${T}} AND event_time < {b:${T}} ORDER BY d`,
    { a: chAt(from), b: chAt(to) });
  return rows.map((r) => r.d);
}
