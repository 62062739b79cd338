import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markDirtyDays, markDone } from '../../../../ingest/correlate/dirty.ts';
import { nextToken } from '../../../../ingest/correlate/version.ts';
import { ACTIVE_USERS_BY_MONTH, INGEST_LAG, METHOD_MIX_BY_SOURCE, RESOURCE_BREAKDOWN, USER_BREAKDOWN } from '../../../../reports/metrics/event-queries.ts';
import { FAILURES } from '../../../../reports/metrics/queries.ts';
import { eventDays, monthsToRebuild, rebuildRollups, ROLLED_MONTHS } from '../../../../schema/store/queries/report-rollups.ts';
import { migrate } from '../../../../schema/store/migrate.ts';
import type { Store } from '../../../../schema/store/store.ts';
import { openTempStore } from '../../../helpers/temp-store.ts';

// The daily report rollups must never change a figure: every query that reads them equals the straightforward
// raw-table formulation (the queries as they were before the rollups) on the same data — with no rollup built,
// with every day built, after duplicate re-delivery, after a late event for an old day (dirty, then rebuilt), and
// for periods that do not start or end at midnight.

const T = "DateTime64(3, 'UTC')";
const EVENTS = `FROM auth_events FINAL WHERE event_time >= {from:${T}} AND event_time < {to:${T}}`;
const S = 'SETTINGS do_not_merge_across_partitions_select_final = 1';

/** The raw-table reference formulations (the pre-rollup queries, string keys and all). */
const REFERENCE: Record<string, string> = {
  FAILURES: `SELECT uniqExactIf(attempt, is_login) AS failed_logins, uniqExactIf(attempt, is_mfa) AS mfa_failures
    FROM (
      SELECT (source, user, src_ip, toStartOfSecond(event_time)) AS attempt,
        action IN ('login', 'session_start', 'role_assumption') AND details['okta_result'] != 'CHALLENGE' AS is_login,
        (action = 'mfa_verify' OR mfa_method NOT IN ('none', 'unknown', 'bypass', ''))
          AND NOT (mfa_evidence = 'performed' AND outcome = 'denied') AND details['okta_result'] != 'CHALLENGE' AS is_mfa
      FROM auth_events
      WHERE event_time >= {from:${T}} AND event_time < {to:${T}} AND outcome IN ('failure', 'denied'))`,
  METHOD_MIX_BY_SOURCE: `SELECT source, mfa_method AS method, count() AS events, countIf(mfa_verified) AS verified,
      countIf(mfa_verified AND phishing_resistant) AS phishing_resistant
    ${EVENTS} GROUP BY source, method ORDER BY source, events DESC, method ${S}`,
  ACTIVE_USERS_BY_MONTH: `SELECT toStartOfMonth(event_time) AS month, source, uniqExact(user) AS users, count() AS events
    ${EVENTS} AND user != '' GROUP BY month, source ORDER BY month, source ${S}`,
  USER_BREAKDOWN: `SELECT user, count() AS events, countIf(action = 'login' AND outcome = 'success') AS logins,
      countIf(mfa_verified) AS mfa_verified, countIf(outcome != 'success') AS failures, countIf(privileged) AS privileged_events,
      uniqExact(resource) AS resources, uniqExact(source) AS sources
    ${EVENTS} AND user != '' GROUP BY user ORDER BY events DESC, user LIMIT {limit:UInt32} ${S}`,
  RESOURCE_BREAKDOWN: `SELECT resource, any(resource_type) AS resource_type, count() AS events, uniqExact(user) AS users,
      countIf(privileged AND outcome = 'success') AS privileged_successes,
      countIf(privileged AND outcome = 'success' AND NOT mfa_verified) AS privileged_without_mfa
    ${EVENTS} AND resource != '' GROUP BY resource ORDER BY users DESC, resource LIMIT {limit:UInt32} ${S}`,
  INGEST_LAG: `SELECT total AS events,
      arrayMap(p -> lags[arrayFirstIndex(c -> c >= ceil(p * total), cum)] / 1000, [0.5, 0.9, 0.99]) AS q
    FROM (
      SELECT arraySort(groupArray((lag, c))) AS h, arrayMap(x -> x.1, h) AS lags, arrayCumSum(arrayMap(x -> x.2, h)) AS cum, sum(c) AS total
      FROM (SELECT dateDiff('millisecond', event_time, ingested_at) AS lag, count() AS c ${EVENTS} GROUP BY lag ${S}))`,
};
const QUERIES: Record<string, string> = { FAILURES, METHOD_MIX_BY_SOURCE, ACTIVE_USERS_BY_MONTH, USER_BREAKDOWN, RESOURCE_BREAKDOWN, INGEST_LAG };

// Recent days: auth_events drops rows past the retention TTL (from ingested_at), so fixed old dates would vanish.
const DAY = 86_400_000;
const BASE = Math.floor(Date.now() / DAY) * DAY - 40 * DAY;
const dayAt = (i: number): string => new Date(BASE + i * DAY).toISOString().slice(0, 10);
const DAYS = [dayAt(0), dayAt(1), dayAt(2)];
const [D0, D1, D2] = DAYS as [string, string, string];
/** The calendar months of the event days ('YYYY-MM-01'), and a period made of whole months around them. */
const MONTHS = [...new Set(DAYS.map((d) => `${d.slice(0, 7)}-01`))];
const monthStart = (d: string, add = 0): number => Date.UTC(Number(d.slice(0, 4)), Number(d.slice(5, 7)) - 1 + add, 1);
const ch = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');

/**
 * Events of one day: 3 sources, 7 users (one empty), Okta CHALLENGE denials, repeated attempts in one second,
 * several methods and resources, lags from -1.5 s (clock skew) to 7.5 s. `salt` makes new vendor ids (a different
 * event), same salt = the same event.
 */
function eventsSql(day: string, count: number, salt: string): string {
  return `INSERT INTO auth_events (source, source_kind, source_event_id, event_type, event_time, ingested_at, action, user, user_raw,
      resource, resource_type, privileged, mfa_method, mfa_verified, mfa_evidence, phishing_resistant, outcome, src_ip, raw_sha256, details)
    SELECT ['okta', 'entra', 'teleport'][number % 3 + 1] AS source, if(source = 'teleport', 'gateway', 'idp'),
      concat('${salt}-', toString(number)), 'e', toDateTime64('${day} 00:00:00', 3, 'UTC') + toIntervalMillisecond(intDiv(number, 4) * 997 * 5 % 86400000) AS t,
      t + toIntervalMillisecond(toInt64(number * 37 % 9000) - 1500), ['login', 'mfa_verify', 'session_start', 'api_call'][number % 4 + 1],
      if(number % 11 = 0, '', concat('user', toString(number % 6), '@example.com')) AS u, u,
      concat('app-', toString(number % 5)), 'idp_app', number % 5 < 2,
      ['push', 'webauthn', 'none', 'unknown', 'totp'][number % 5 + 1] AS m,
      m NOT IN ('none', 'unknown') AND number % 7 != 0, if(m NOT IN ('none', 'unknown') AND number % 7 != 0, 'performed', 'unknown'),
      m = 'webauthn' AND number % 7 != 0,
      ['success', 'success', 'failure', 'denied'][number % 4 + 1] AS o,
      concat('10.0.0.', toString(number % 3)), toString(number),
      if(source = 'okta', map('okta_result', if(o = 'denied' AND number % 8 = 3, 'CHALLENGE', upper(o))), map('k', 'v'))
    FROM numbers(${count}) SETTINGS insert_deduplicate = 0`;
}

describe('daily report rollups', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  const month = { from: ch(BASE - 10 * DAY), to: ch(BASE + 20 * DAY), as_of: ch(BASE + 20 * DAY - 1), admins: [], limit: 4 };
  const months = { ...month, from: ch(monthStart(D0, -1)), to: ch(monthStart(D2, 2)), as_of: ch(monthStart(D2, 2) - 1) };
  const rolledMonths = async (): Promise<string[]> => (await store.query<{ month: string }>(`${ROLLED_MONTHS} ORDER BY m.month`, months)).map((r) => r.month);

  async function run(sql: string, p: Record<string, unknown>): Promise<string> {
    return JSON.stringify(await store.query<unknown>(sql, p));
  }
  async function expectSameAsRaw(p: Record<string, unknown>): Promise<void> {
    for (const [name, sql] of Object.entries(QUERIES)) {
      const got = JSON.parse(await run(sql, p)) as Record<string, unknown>[];
      const want = JSON.parse(await run(REFERENCE[name] as string, p)) as Record<string, unknown>[];
      if (name === 'INGEST_LAG') {
        expect(got.map((r) => [r.events, r.q]), name).toEqual(want.map((r) => [r.events, r.q]));
        continue;
      }
      // Numbers as numbers: the rollup side sums where the reference counts (same values, maybe other widths).
      const norm = (rows: Record<string, unknown>[]): unknown[] => rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v])));
      expect(norm(got), name).toEqual(norm(want));
    }
  }
  const figures = async (p: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const [f] = await store.query<Record<string, unknown>>(FAILURES, p);
    return { failures: f, users: await store.query(ACTIVE_USERS_BY_MONTH, p) };
  };

  beforeAll(async () => {
    ({ store, cleanup } = await openTempStore());
    for (const d of DAYS) await store.command(eventsSql(d, 600, d));
  });
  afterAll(async () => cleanup());

  it('equals the raw-table queries before any rollup is built', async () => {
    const [n] = await store.query<{ n: string }>('SELECT count() AS n FROM rollup_days');
    expect(Number(n?.n)).toBe(0);
    const [f] = await store.query<{ failed_logins: string; mfa_failures: string }>(FAILURES, month);
    expect(Number(f?.failed_logins)).toBeGreaterThan(50);
    expect(Number(f?.mfa_failures)).toBeGreaterThan(50);
    await expectSameAsRaw(month);
    await expectSameAsRaw(months);
  });

  it('equals them with every day built, and for periods that cut days', async () => {
    expect(await eventDays(store, BASE - 10 * DAY, BASE + 20 * DAY)).toEqual(DAYS);
    await rebuildRollups(store, DAYS, nextToken());
    const [a] = await store.query<{ n: string }>(`SELECT count() AS n FROM auth_daily WHERE day = '${D1}'`);
    const [f] = await store.query<{ n: string }>(`SELECT count() AS n FROM failure_attempts WHERE day = '${D1}'`);
    expect(Number(a?.n)).toBeGreaterThan(0);
    expect(Number(f?.n)).toBeGreaterThan(0);
    // The monthly rollups hold every event of the built days, in fewer rows than events, and are read for the
    // whole months of a period.
    const [x] = await store.query<{ rows: string; events: string }>('SELECT count() AS rows, sum(events) AS events FROM auth_monthly_access');
    const [l] = await store.query<{ rows: string; events: string }>('SELECT count() AS rows, sum(events) AS events FROM auth_monthly_lag');
    expect([Number(x?.events), Number(l?.events)]).toEqual([1800, 1800]);
    expect(Number(x?.rows)).toBeLessThan(600);
    expect(Number(l?.rows)).toBeGreaterThan(1);
    expect(await rolledMonths()).toEqual(MONTHS);
    const [lag] = await store.query<{ q: number[] }>(INGEST_LAG, month);
    expect(lag?.q[0]).toBeLessThan(lag?.q[2] ?? 0);
    expect(lag?.q.some((x) => !Number.isInteger(x))).toBe(true); // millisecond precision kept
    await expectSameAsRaw(month);
    await expectSameAsRaw(months);
    await expectSameAsRaw({ ...month, from: ch(BASE + 5 * DAY), to: ch(BASE + 6 * DAY) }); // no events at all
    await expectSameAsRaw({ ...month, from: ch(BASE + 13 * 3_600_000 + 500), to: ch(BASE + 2 * DAY + 7.5 * 3_600_000) });
    await expectSameAsRaw({ ...month, from: ch(BASE + DAY), to: ch(BASE + DAY + 12 * 3_600_000) });
    await expectSameAsRaw({ ...month, from: ch(BASE + DAY), to: ch(BASE + 2 * DAY) });
  });

  it('counts re-delivered duplicates once, before and after a rebuild', async () => {
    const before = await figures(month);
    await store.command(eventsSql(D1, 600, D1)); // the same events again, not merged yet
    const [n] = await store.query<{ n: string }>(`SELECT count() AS n FROM auth_events WHERE toDate(event_time) = '${D1}'`);
    expect(Number(n?.n)).toBe(1200);
    await markDirtyDays(store, [D1]);
    await expectSameAsRaw(month);
    await expectSameAsRaw(months);
    await rebuildRollups(store, [D1], nextToken());
    await markDone(store, [D1], nextToken());
    await expectSameAsRaw(month);
    await expectSameAsRaw(months);
    expect(await figures(month)).toEqual(before);
  });

  it('reads a day with a late event from auth_events until it is rebuilt, then from the rollup', async () => {
    const before = await figures(month);
    await store.command(eventsSql(D0, 40, 'late')); // new events for an old, built day
    const stale = await figures(month);
    expect(stale).toEqual(before); // not marked dirty yet: the built day still answers (as sessions do)
    await markDirtyDays(store, [D0]);
    expect(await rolledMonths()).not.toContain(`${D0.slice(0, 7)}-01`); // a dirty day takes its month off the monthly rollups
    const fresh = await figures(month);
    expect(fresh).not.toEqual(before);
    await expectSameAsRaw(month);
    await expectSameAsRaw(months);
    await rebuildRollups(store, [D0], nextToken());
    await markDone(store, [D0], nextToken());
    expect(await figures(month)).toEqual(fresh);
    await expectSameAsRaw(month);
    await expectSameAsRaw(months);
  });

  it('rebuilding is idempotent and an emptied day drops its rows', async () => {
    const before = await figures(month);
    await rebuildRollups(store, DAYS, nextToken());
    await rebuildRollups(store, DAYS, nextToken());
    expect(await figures(month)).toEqual(before);
    await store.command(`ALTER TABLE auth_events DELETE WHERE toDate(event_time) = '${D2}' SETTINGS mutations_sync = 1`);
    await rebuildRollups(store, [D2], nextToken());
    const [a] = await store.query<{ n: string }>(`SELECT count() AS n FROM auth_daily WHERE day = '${D2}'`);
    expect(Number(a?.n)).toBe(0);
    await expectSameAsRaw(month);
    await expectSameAsRaw(months);
    const [s] = await store.query<{ n: string }>("SELECT count() AS n FROM system.tables WHERE database = currentDatabase() AND name LIKE '%_stage_%'");
    expect(Number(s?.n)).toBe(0);
  });
  it('builds a month once it has ended, and the month that just ended once even when none of its days changes again', async () => {
    const last = MONTHS[MONTHS.length - 1] as string;
    await rebuildRollups(store, DAYS, nextToken());
    const during = Date.parse(`${D2}T12:00:00.000Z`);
    const afterEnd = monthStart(last, 1) + DAY;
    expect(await monthsToRebuild(store, [D2], during)).not.toContain(last); // still running: left to the daily rollups
    expect(await monthsToRebuild(store, [D2], afterEnd)).toContain(last);
    expect(await monthsToRebuild(store, [], afterEnd)).toEqual([]); // built and current
    await store.command('TRUNCATE TABLE rollup_months');
    expect(await rolledMonths()).toEqual([]);
    await expectSameAsRaw(months);
    expect(await monthsToRebuild(store, [], afterEnd)).toEqual([last]); // the first round after the month ended
    await rebuildRollups(store, DAYS, nextToken());
    expect(await rolledMonths()).toEqual(MONTHS);
  });

  it('reads a never-built day inside a rolled month from auth_events', async () => {
    await rebuildRollups(store, DAYS, nextToken());
    const first = `${D0.slice(0, 7)}-01`;
    const extra = DAYS.includes(first) ? dayAt(3) : first; // a day of D0's month that has no events yet
    expect(`${extra.slice(0, 7)}-01`).toBe(first);
    await store.command(eventsSql(extra, 90, 'unbuilt'));
    expect(await rolledMonths()).toContain(first);
    await expectSameAsRaw(months);
  });

  it('expires a built day with the first of its events: rollup_days carries their earliest ingestion and the retention TTL', async () => {
    await rebuildRollups(store, DAYS, nextToken());
    const [row] = await store.query<{ first: string; min: string }>(
      `SELECT (SELECT toString(first_ingested_at) FROM rollup_days FINAL WHERE day = '${D1}') AS first,
              (SELECT toString(min(ingested_at)) FROM auth_events WHERE toDate(event_time) = '${D1}') AS min`);
    expect(row?.first).toBe(row?.min);
    await migrate(store.client, { retentionDays: 30 });
    const [t] = await store.query<{ q: string }>("SELECT create_table_query AS q FROM system.tables WHERE database = currentDatabase() AND name = 'rollup_days'");
    expect(t?.q).toMatch(/TTL toDateTime\(first_ingested_at\) \+ toIntervalDay\(30\)/);
    // What expiry leaves: the day is no longer listed as built, so it is read from auth_events, figures unchanged.
    const before = await figures(month);
    expect(await rolledMonths()).toEqual(MONTHS);
    await store.command(`ALTER TABLE rollup_days DELETE WHERE day = '${D1}' SETTINGS mutations_sync = 1`);
    expect(await rolledMonths()).not.toContain(`${D1.slice(0, 7)}-01`); // the month's rollups no longer match its built days
    expect(await figures(month)).toEqual(before);
    await expectSameAsRaw(month);
    await expectSameAsRaw(months);
  });

});
