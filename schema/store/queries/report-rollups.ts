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

/** Days of the period (and its edge days) marked dirty and not correlated since: their rollups are stale. */
const DIRTY_DAYS = `SELECT day FROM correlation_dirty WHERE day >= toDate({from:${T}}) AND day <= toDate({to:${T}})
      GROUP BY day HAVING maxIf(token, kind = 'dirty') > maxIf(token, kind = 'done')`;

/** Days of [from, to) whose rollup rows stand for the whole day: built, not dirty, entirely inside the period. */
export const ROLLED_DAYS = `SELECT day FROM rollup_days
  WHERE day >= ${FIRST_WHOLE_DAY} AND day < toDate({to:${T}})
    AND day NOT IN (${DIRTY_DAYS})`;

/**
 * Months wholly inside [from, to) whose monthly rollups (0009) stand for all their built days: rollup_days still
 * lists as many days of the month, with the same latest build, as when the month was built, and none of the
 * month's days is dirty. Each such month's rollup rows equal the sum of its built days; its other days (never
 * built) are read from auth_events (RAW_DAYS).
 */
export const ROLLED_MONTHS = `SELECT m.month FROM (
    SELECT month, argMax(days, built_at) AS days, argMax(last_day_built, built_at) AS last_day_built FROM rollup_months
    WHERE toDateTime64(month, 3, 'UTC') >= {from:${T}} AND toDateTime64(addMonths(month, 1), 3, 'UTC') <= {to:${T}}
    GROUP BY month) AS m
  INNER JOIN (
    SELECT toStartOfMonth(day) AS month, toUInt32(uniqExact(day)) AS days, max(built_at) AS last_day_built FROM rollup_days
    WHERE day >= toDate({from:${T}}) AND day < toDate({to:${T}}) GROUP BY month) AS d
  ON d.month = m.month AND d.days = m.days AND d.last_day_built = m.last_day_built
  WHERE m.month NOT IN (SELECT toStartOfMonth(day) FROM (${DIRTY_DAYS}))`;

/**
 * Every day the period touches that a monthly-rollup query reads from auth_events: all but the built days of
 * ROLLED_MONTHS (a sort-key condition, like RAW_DAYS).
 */
export const RAW_MONTH_DAYS = `SELECT d FROM (
    SELECT arrayJoin(arrayMap(i -> toDate({from:${T}}) + i,
      range(toUInt32(greatest(0, dateDiff('day', toDate({from:${T}}), toDate({to:${T}} - toIntervalMillisecond(1))) + 1))))) AS d)
  WHERE d NOT IN (SELECT day FROM rollup_days WHERE day >= toDate({from:${T}}) AND day < toDate({to:${T}}) AND toStartOfMonth(day) IN (${ROLLED_MONTHS}))`;

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

/** Ingestion lag of an event in whole milliseconds (the histogram key of INGEST_LAG and auth_monthly_lag). */
export const LAG_MS = 'toUnixTimestamp64Milli(ingested_at) - toUnixTimestamp64Milli(event_time)';

/**
 * What each count of auth_monthly_access counts (in the table's column order): the monthly rollup sums these per
 * month, and the reports count the raw rows of the other days with the same conditions.
 */
export const ACCESS_COUNTS = {
  logins: "action = 'login' AND outcome = 'success'",
  verified: 'mfa_verified',
  failures: "outcome != 'success'",
  privileged_events: 'privileged',
  privileged_successes: "privileged AND outcome = 'success'",
  privileged_without_mfa: "privileged AND outcome = 'success' AND NOT mfa_verified",
} as const;

/** The monthly rollups (0009): how a month of each is computed from the rows of its built days ({m}: the month). */
const MONTH_EVENTS = `FROM auth_events FINAL WHERE event_time >= {a:${T}} AND event_time < {b:${T}}
    AND toDate(event_time) IN (SELECT day FROM rollup_days WHERE toStartOfMonth(day) = {m:Date})`;
export const MONTHLY_ROLLUPS: readonly { readonly table: string; readonly orderBy: string; readonly select: string }[] = [
  {
    table: 'auth_monthly_access',
    orderBy: '(resource, user_key, source, resource_type)',
    select: `SELECT {m:Date} AS month, source, user_key, resource, resource_type, count() AS events,
        ${Object.entries(ACCESS_COUNTS).map(([column, condition]) => `countIf(${condition}) AS ${column}`).join(', ')}
      ${MONTH_EVENTS} GROUP BY source, user_key, resource, resource_type`,
  },
  {
    table: 'auth_monthly_lag',
    orderBy: 'lag_ms',
    select: `SELECT {m:Date} AS month, ${LAG_MS} AS lag_ms, count() AS events ${MONTH_EVENTS} GROUP BY lag_ms`,
  },
];

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

interface Staged { readonly table: string; readonly select: string; readonly stage: string }

/**
 * Creates a staging table per rollup (named by `tag`, unique per run, so concurrent runs never share one), runs
 * `fill`, and drops them again whatever happens. A staging table is a plain local MergeTree even when the target is
 * replicated (cluster mode): REPLACE PARTITION accepts it, and it must not share the target's Keeper path.
 */
async function withStages(
  store: Store, rollups: readonly { table: string; orderBy: string; select: string }[], partitionBy: string, tag: string | number,
  fill: (staged: readonly Staged[]) => Promise<void>,
): Promise<void> {
  const staged = rollups.map((r) => ({ ...r, stage: `${r.table}_stage_${String(tag).replace(/[^A-Za-z0-9_]/g, '_')}` }));
  try {
    for (const r of staged) {
      await store.command(`DROP TABLE IF EXISTS ${r.stage}`);
      await store.command(`CREATE TABLE ${r.stage} AS ${r.table} ENGINE = MergeTree PARTITION BY ${partitionBy} ORDER BY ${r.orderBy}`);
    }
    await fill(staged);
  } finally {
    for (const r of staged) await store.command(`DROP TABLE IF EXISTS ${r.stage}`);
  }
}

/** Computes one partition of each rollup into its staging table and swaps it in (an empty result drops it). */
async function replacePartition(store: Store, staged: readonly Staged[], partitionId: string, params: Record<string, unknown>): Promise<void> {
  for (const r of staged) {
    await store.command(`TRUNCATE TABLE ${r.stage}`);
    await store.command(`INSERT INTO ${r.stage} ${r.select} SETTINGS do_not_merge_across_partitions_select_final = 1`, params);
    const [n] = await store.query<{ n: string }>(`SELECT count() AS n FROM ${r.stage}`);
    // REPLACE from an empty source is refused by newer engines; an empty partition is simply dropped.
    if (Number(n?.n ?? 0) > 0) await store.command(`ALTER TABLE ${r.table} REPLACE PARTITION ID '${partitionId}' FROM ${r.stage}`);
    else await store.command(`ALTER TABLE ${r.table} DROP PARTITION ID '${partitionId}'`);
  }
}

/**
 * Rebuilds the rollups of the given UTC days ('YYYY-MM-DD') from auth_events and records them in rollup_days, then
 * the monthly rollups of their ended months (monthsToRebuild). Idempotent. `tag` names the staging tables.
 */
export async function rebuildRollups(store: Store, days: readonly string[], tag: string | number): Promise<void> {
  if (days.length === 0) return;
  await withStages(store, ROLLUPS, 'day', tag, async (staged) => {
    for (const day of days) {
      const bounds = dayBounds(day);
      await replacePartition(store, staged, day.replaceAll('-', ''), bounds);
      // Names of the day's people (user_names collapses repeats; re-running only refreshes last_seen).
      await store.command(`INSERT INTO user_names SELECT user_key, any(user), today() FROM auth_events
        WHERE event_time >= {a:${T}} AND event_time < {b:${T}} AND user_key != sipHash64('') GROUP BY user_key`, bounds);
    }
  });
  const built = chAt(Date.now());
  const sorted = [...days].sort();
  const first = await store.query<{ d: string; t: string }>(
    `SELECT toString(toDate(event_time)) AS d, toString(min(ingested_at)) AS t FROM auth_events
      WHERE event_time >= {a:${T}} AND event_time < {b:${T}} GROUP BY d`,
    { a: dayBounds(sorted[0] as string).a, b: dayBounds(sorted[sorted.length - 1] as string).b });
  const firstIngested = new Map(first.map((r) => [r.d, r.t]));
  await store.insertRows('rollup_days', days.map((day) => ({ day, built_at: built.padEnd(26, '0'), first_ingested_at: firstIngested.get(day) ?? built })));
  await rebuildMonthlyRollups(store, await monthsToRebuild(store, sorted, Date.now()), tag);
}

/** 'YYYY-MM-01' of a day ('YYYY-MM-DD') or of an epoch ms instant. */
const monthOf = (day: string | number): string => `${(typeof day === 'number' ? new Date(day).toISOString() : day).slice(0, 7)}-01`;
/** Epoch ms at which a month ('YYYY-MM-01') ends. */
function monthEnd(month: string): number {
  const end = new Date(`${month}T00:00:00.000Z`);
  end.setUTCMonth(end.getUTCMonth() + 1);
  return end.getTime();
}

/**
 * The months whose monthly rollups a rebuild of `days` must rebuild: the ended months among theirs, and the
 * previous month when its rollups do not match its built days (so the month that just ended is built once, by the
 * first correlation round after it, even when none of its days changes again). A month still running is left to
 * the daily rollups: its days are rebuilt every correlation round, and rebuilding the whole month each time would
 * rescan it every round.
 */
export async function monthsToRebuild(store: Store, days: readonly string[], now: number): Promise<string[]> {
  const months = [...new Set(days.map((d) => monthOf(d)))].filter((m) => monthEnd(m) <= now);
  const previous = monthOf(Date.parse(`${monthOf(now)}T00:00:00.000Z`) - 1);
  if (!months.includes(previous) && !(await monthlyRollupsCurrent(store, previous))) months.push(previous);
  return months;
}

/** Which built days rollup_days lists for a month: how many, and the latest of their build times. */
async function builtDaysOf(store: Store, month: string): Promise<{ days: number; last: string }> {
  const [r] = await store.query<{ days: string; last: string }>(
    'SELECT uniqExact(day) AS days, toString(max(built_at)) AS last FROM rollup_days WHERE toStartOfMonth(day) = {m:Date}', { m: month });
  return { days: Number(r?.days ?? 0), last: r?.last ?? '' };
}

/** Whether a month's monthly rollups cover exactly the days rollup_days lists as built (or it has none). */
async function monthlyRollupsCurrent(store: Store, month: string): Promise<boolean> {
  const built = await builtDaysOf(store, month);
  if (built.days === 0) return true;
  const [rolled] = await store.query<{ days: string; last: string }>(
    'SELECT toString(argMax(days, built_at)) AS days, toString(argMax(last_day_built, built_at)) AS last FROM rollup_months WHERE month = {m:Date}', { m: month });
  return Number(rolled?.days) === built.days && rolled?.last === built.last;
}

/**
 * Rebuilds the monthly rollups of the given months ('YYYY-MM-01') over the days rollup_days lists as built, and
 * records which days those were (their count and latest build) in rollup_months. Idempotent.
 */
export async function rebuildMonthlyRollups(store: Store, months: readonly string[], tag: string | number): Promise<void> {
  if (months.length === 0) return;
  await withStages(store, MONTHLY_ROLLUPS, 'month', tag, async (staged) => {
    for (const month of months) {
      // Read before the rows: a day rebuilt in between makes the month look stale (read daily), never the reverse.
      const covered = await builtDaysOf(store, month);
      const bounds = { m: month, a: chAt(Date.parse(`${month}T00:00:00.000Z`)), b: chAt(monthEnd(month)) };
      await replacePartition(store, staged, month.replaceAll('-', ''), bounds);
      if (covered.days > 0) {
        await store.insertRows('rollup_months', [{ month, days: covered.days, last_day_built: covered.last, built_at: chAt(Date.now()).padEnd(26, '0') }]);
      }
    }
  });
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
