import { z } from 'zod';
import type { Store } from '../../schema/store/store.ts';
import { ACCESS_COUNTS as A, LAG_MS, RAW_DAYS, RAW_MONTH_DAYS, ROLLED_DAYS, ROLLED_MONTHS, USER_NAMES } from '../../schema/store/queries/report-rollups.ts';

// Event-level figures over auth_events for a period: the method mix per source, active users per month, and the
// per-user / per-resource breakdowns auditors drill into. Parameters: {from}/{to} (half-open, ClickHouse
// DateTime64 text), {limit} for the top-N lists. Every count is exact. Rows are read FINAL, so a re-delivered
// event counts once even before merges; a month is one partition and the dedup key never crosses partitions,
// which lets FINAL merge per partition only. Distinct people are counted on user_key (sipHash64 of the canonical
// user, a stored column): the same exact distinct count as on the string, with a UInt64 hash table instead of a
// String one (research/performance.md §2.4: 2–4.7× on these queries). Whole days the correlator has rolled up
// (schema/store/queries/report-rollups.ts) are read from the daily rollups instead, and for the per-person,
// per-resource and lag figures whole built months from the monthly rollups; every other day from here.

const T = "DateTime64(3, 'UTC')";
const EVENTS = `FROM auth_events FINAL WHERE event_time >= {from:${T}} AND event_time < {to:${T}}`;
const SETTINGS = 'SETTINGS do_not_merge_across_partitions_select_final = 1';

/** Rows of the period not covered by the daily rollups (partial and unbuilt or dirty days), read FINAL. */
const RAW_EVENTS = `${EVENTS} AND toDate(event_time) IN (${RAW_DAYS})`;
/** Rows of the period not covered by whole built months (ROLLED_MONTHS), read FINAL. */
const MONTH_RAW_EVENTS = `${EVENTS} AND toDate(event_time) IN (${RAW_MONTH_DAYS})`;
/** user_key of the empty user (events without an actor), so no query reads the user String to exclude them. */
const NO_USER = "sipHash64('')";

/** Second factors per source: how often each method was used and how often it proved MFA. */
export const METHOD_MIX_BY_SOURCE = `SELECT source, method, sum(n) AS events, sum(v) AS verified, sum(pr) AS phishing_resistant
  FROM (
    SELECT source, mfa_method AS method, events AS n, verified AS v, phishing_resistant AS pr FROM auth_daily_methods WHERE day IN (${ROLLED_DAYS})
    UNION ALL
    SELECT source, mfa_method AS method, count() AS n, countIf(mfa_verified) AS v, countIf(mfa_verified AND phishing_resistant) AS pr
    ${RAW_EVENTS} GROUP BY source, method
  )
  GROUP BY source, method ORDER BY source, events DESC, method ${SETTINGS}`;

/**
 * Events per person and source with the month they fall in, from the cheapest tier that covers each day: whole
 * built months from auth_monthly_access, other built days from auth_daily, every other day from auth_events.
 * (A rolled month's built days are all clean and inside the period, so they are in ROLLED_DAYS and never in
 * RAW_DAYS; its never-built days are in RAW_DAYS.)
 */
const USER_EVENTS = `SELECT month, source, user_key, events AS n FROM auth_monthly_access WHERE month IN (${ROLLED_MONTHS}) AND user_key != ${NO_USER}
    UNION ALL
    SELECT toStartOfMonth(day) AS month, source, user_key, events AS n FROM auth_daily
    WHERE day IN (${ROLLED_DAYS}) AND toStartOfMonth(day) NOT IN (${ROLLED_MONTHS}) AND user_key != ${NO_USER}
    UNION ALL
    SELECT toStartOfMonth(event_time) AS month, source, user_key, toUInt64(1) AS n ${RAW_EVENTS} AND user_key != ${NO_USER}`;

/** Distinct active people and events per month and source. */
export const ACTIVE_USERS_BY_MONTH = `SELECT month, source, uniqExact(user_key) AS users, sum(n) AS events
  FROM (${USER_EVENTS})
  GROUP BY month, source ORDER BY month, source ${SETTINGS}`;

/**
 * The most active people: events, successful logins, verified MFA, failures, distinct resources and sources.
 * Two passes: the top N keys by count (USER_EVENTS; WITH TIES keeps everyone tied with the N-th, so the final
 * ORDER BY … user LIMIT N picks the same people as ranking by name directly), then the exact breakdown for those
 * people only: whole built months from the monthly access rollup (month × source × person × resource), every other
 * day from auth_events. Distinct resources/sources are counted on numeric hashes of the LowCardinality values.
 * Names come from user_names, not from the user String of every event.
 */
export const USER_BREAKDOWN = `SELECT n.user AS user, s.events AS events, s.logins AS logins, s.mfa_verified AS mfa_verified,
    s.failures AS failures, s.privileged_events AS privileged_events, s.resources AS resources, s.sources AS sources
  FROM (
    SELECT user_key, sum(n) AS events, sum(l) AS logins, sum(v) AS mfa_verified, sum(f) AS failures, sum(p) AS privileged_events,
      uniqExact(toUInt64(sipHash64(resource))) AS resources, uniqExact(toUInt64(sipHash64(source))) AS sources
    FROM (
      SELECT user_key, source, resource, events AS n, logins AS l, verified AS v, failures AS f, privileged_events AS p
      FROM auth_monthly_access WHERE month IN (${ROLLED_MONTHS})
      UNION ALL
      SELECT user_key, source, resource, toUInt64(1) AS n, toUInt64(${A.logins}) AS l, toUInt64(${A.verified}) AS v,
        toUInt64(${A.failures}) AS f, toUInt64(${A.privileged_events}) AS p
      ${MONTH_RAW_EVENTS}
    )
    WHERE user_key IN (SELECT user_key FROM (${USER_EVENTS}) GROUP BY user_key ORDER BY sum(n) DESC LIMIT {limit:UInt32} WITH TIES)
    GROUP BY user_key
  ) AS s
  INNER JOIN (${USER_NAMES}) AS n ON n.user_key = s.user_key
  ORDER BY events DESC, user LIMIT {limit:UInt32} ${SETTINGS}`;

/** Resources by how many people reached them, with privileged successes that carried no verified factor. */
export const RESOURCE_BREAKDOWN = `SELECT resource, any(resource_type) AS resource_type, sum(n) AS events, uniqExact(user_key) AS users,
    sum(ps) AS privileged_successes, sum(pn) AS privileged_without_mfa
  FROM (
    SELECT resource, resource_type, user_key, events AS n, privileged_successes AS ps, privileged_without_mfa AS pn
    FROM auth_monthly_access WHERE month IN (${ROLLED_MONTHS}) AND resource != ''
    UNION ALL
    SELECT resource, resource_type, user_key, toUInt64(1) AS n, toUInt64(${A.privileged_successes}) AS ps,
      toUInt64(${A.privileged_without_mfa}) AS pn
    ${MONTH_RAW_EVENTS} AND resource != ''
  )
  GROUP BY resource ORDER BY users DESC, resource LIMIT {limit:UInt32} ${SETTINGS}`;

/**
 * Ingestion lag (event time → stored) in seconds: exact nearest-rank quantiles (the smallest lag at which the
 * cumulative count reaches ⌈p·n⌉), from a histogram of millisecond lags (auth_monthly_lag for whole built months)
 * instead of sorting every row.
 */
export const INGEST_LAG = `SELECT total AS events,
    arrayMap(p -> lags[arrayFirstIndex(c -> c >= ceil(p * total), cum)] / 1000, [0.5, 0.9, 0.99]) AS q
  FROM (
    SELECT arraySort(groupArray((lag, c))) AS h, arrayMap(x -> x.1, h) AS lags, arrayCumSum(arrayMap(x -> x.2, h)) AS cum, sum(c) AS total
    FROM (
      SELECT lag, sum(n) AS c FROM (
        SELECT lag_ms AS lag, events AS n FROM auth_monthly_lag WHERE month IN (${ROLLED_MONTHS})
        UNION ALL
        SELECT ${LAG_MS} AS lag, toUInt64(1) AS n ${MONTH_RAW_EVENTS}
      )
      GROUP BY lag ${SETTINGS})
  )`;

const n = z.coerce.number();

export const MethodMixRow = z.object({ source: z.string(), method: z.string(), events: n, verified: n, phishing_resistant: n });
export type MethodMixRow = z.infer<typeof MethodMixRow>;
export const ActiveUsersRow = z.object({ month: z.string(), source: z.string(), users: n, events: n });
export type ActiveUsersRow = z.infer<typeof ActiveUsersRow>;
export const UserBreakdownRow = z.object({
  user: z.string(), events: n, logins: n, mfa_verified: n, failures: n, privileged_events: n, resources: n, sources: n,
});
export type UserBreakdownRow = z.infer<typeof UserBreakdownRow>;
export const ResourceBreakdownRow = z.object({
  resource: z.string(), resource_type: z.string(), events: n, users: n, privileged_successes: n, privileged_without_mfa: n,
});
export type ResourceBreakdownRow = z.infer<typeof ResourceBreakdownRow>;
export const IngestLag = z.object({ events: n, p50_s: z.number().nullable(), p90_s: z.number().nullable(), p99_s: z.number().nullable() });
export type IngestLag = z.infer<typeof IngestLag>;

/** Event-level figures of one period. */
export interface EventBreakdowns {
  readonly method_mix: MethodMixRow[];
  readonly active_users: ActiveUsersRow[];
  readonly top_users: UserBreakdownRow[];
  readonly top_resources: ResourceBreakdownRow[];
  readonly ingest_lag: IngestLag;
}

/** Query parameters of a period given as ClickHouse DateTime64 text. */
export interface EventPeriodParams {
  readonly from: string;
  readonly to: string;
  readonly limit?: number;
}

/** Runs the event-level queries for a period. */
export async function loadEventBreakdowns(store: Store, p: EventPeriodParams): Promise<EventBreakdowns> {
  const params = { from: p.from, to: p.to, limit: p.limit ?? 100 };
  const [mix, users, topUsers, topResources, lag] = await Promise.all([
    store.query<unknown>(METHOD_MIX_BY_SOURCE, params),
    store.query<unknown>(ACTIVE_USERS_BY_MONTH, params),
    store.query<unknown>(USER_BREAKDOWN, params),
    store.query<unknown>(RESOURCE_BREAKDOWN, params),
    store.query<{ events: string; q: number[] }>(INGEST_LAG, params),
  ]);
  const l = lag[0];
  const events = Number(l?.events ?? 0);
  return {
    method_mix: mix.map((r) => MethodMixRow.parse(r)),
    active_users: users.map((r) => ActiveUsersRow.parse(r)),
    top_users: topUsers.map((r) => UserBreakdownRow.parse(r)),
    top_resources: topResources.map((r) => ResourceBreakdownRow.parse(r)),
    ingest_lag: IngestLag.parse({
      events, p50_s: events ? (l?.q[0] ?? null) : null, p90_s: events ? (l?.q[1] ?? null) : null, p99_s: events ? (l?.q[2] ?? null) : null,
    }),
  };
}
