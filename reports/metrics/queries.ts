// The metrics engine's SQL, one named query per figure. Parameters: {from}/{to} (half-open period, ClickHouse
// DateTime64 text), {as_of} (last instant of the period). Sessions and findings are read with FINAL (versioned,
// tombstoned rows); all counts are exact (count/countIf/uniqExact, never approximate uniq).

import { failureRows, RAW_DAYS, ROLLED_DAYS } from '../../schema/store/queries/report-rollups.ts';

const T = "DateTime64(3, 'UTC')";
/** Versions and tombstones of a row share its month partition, so FINAL merges within partitions only. */
const SETTINGS = 'SETTINGS do_not_merge_across_partitions_select_final = 1';

/** The privileged sessions the coverage figures are about: humans and shared accounts, not service identities. */
const PRIVILEGED_SESSIONS = `FROM sessions FINAL
  WHERE started_at >= {from:${T}} AND started_at < {to:${T}} AND privileged AND identity_kind != 'service'`;

/** Coverage by binding, and phishing-resistant coverage. */
export const SESSION_SUMMARY = `SELECT
    count() AS privileged_sessions,
    countIf(mfa_binding IN ('direct', 'idp_bound')) AS covered,
    countIf(mfa_binding = 'direct') AS b_direct,
    countIf(mfa_binding = 'idp_bound') AS b_idp_bound,
    countIf(mfa_binding = 'exempt') AS b_exempt,
    countIf(mfa_binding = 'none') AS b_none,
    countIf(mfa_binding IN ('direct', 'idp_bound') AND phishing_resistant) AS phishing_resistant
  ${PRIVILEGED_SESSIONS} ${SETTINGS}`;

/** Coverage per surface. */
export const COVERAGE_BY_SURFACE = `SELECT surface, count() AS privileged_sessions,
    countIf(mfa_binding IN ('direct', 'idp_bound')) AS covered
  ${PRIVILEGED_SESSIONS}
  GROUP BY surface ORDER BY surface ${SETTINGS}`;

/** Methods of the covered privileged sessions. */
export const MFA_METHODS = `SELECT mfa_method AS method, count() AS sessions
  ${PRIVILEGED_SESSIONS} AND mfa_binding IN ('direct', 'idp_bound')
  GROUP BY method ORDER BY sessions DESC, method ${SETTINGS}`;

/** Findings per kind. */
export const FINDINGS_BY_KIND = `SELECT kind, count() AS n FROM findings FINAL
  WHERE event_time >= {from:${T}} AND event_time < {to:${T}}
  GROUP BY kind ${SETTINGS}`;

/** Time to revoke of the episodes triggered in the period (hours; exact quantiles, linear interpolation). */
export const TIME_TO_REVOKE = `SELECT count() AS n,
    quantileExactInclusive(0.5)(hours) AS p50, quantileExactInclusive(0.9)(hours) AS p90,
    max(hours) AS mx, countIf(over_sla) AS over
  FROM revocations FINAL
  WHERE trigger_time >= {from:${T}} AND trigger_time < {to:${T}} ${SETTINGS}`;

/**
 * Failed/denied login attempts and failed/denied second factors, once per attempt: rows of one source, actor,
 * client IP and second are one attempt (a vendor logging one attempt as two records counts once; a re-imported
 * row counts once, so no FINAL is needed). A sign-on step-up challenge (Okta CHALLENGE) is not a failure. An
 * MFA failure names a real factor (or is a factor-verification event) that did not pass; a login denied after
 * its factor passed (conditional access) is a failed login, not an MFA failure. The actor is its user_key (the
 * exact key of the canonical user, numeric: no String hash table). Whole built days come from the daily
 * failure_attempts rollup (schema/store/queries/report-rollups.ts), every other day from auth_events; an attempt lies within
 * one second, so the two sides never share one.
 */
export const FAILURES = `SELECT countIf(l) AS failed_logins, countIf(m) AS mfa_failures
  FROM (
    SELECT is_login AS l, is_mfa AS m FROM failure_attempts WHERE day IN (${ROLLED_DAYS})
    UNION ALL
    SELECT max(row_login) AS l, max(row_mfa) AS m
    FROM (${failureRows(`event_time >= {from:${T}} AND event_time < {to:${T}} AND toDate(event_time) IN (${RAW_DAYS})`)})
    GROUP BY source, user_key, src_ip, second
  )`;

/** Break-glass uses in the period and how many have at least one review. */
export const BREAK_GLASS = `SELECT count() AS uses,
    countIf(session_key IN (SELECT session_key FROM break_glass_reviews)) AS reviewed
  FROM sessions FINAL
  WHERE break_glass AND started_at >= {from:${T}} AND started_at < {to:${T}} ${SETTINGS}`;

/** Exemptions in force at the end of the period, and exemptions that ran out (not revoked) during it. */
export const EXEMPTIONS = `SELECT
    countIf(s_at <= {as_of:${T}} AND e_at > {as_of:${T}} AND (r_at IS NULL OR r_at > {as_of:${T}})) AS active,
    countIf(e_at >= {from:${T}} AND e_at <= {as_of:${T}} AND (r_at IS NULL OR r_at >= e_at)) AS expired
  FROM (
    SELECT exemption_id, anyIf(starts_at, row_kind = 'create') AS s_at, anyIf(expires_at, row_kind = 'create') AS e_at,
      minIf(revoked_at, row_kind = 'revoke') AS r_at
    FROM exemptions GROUP BY exemption_id
  )`;

/**
 * Local superusers as of {as_of}: the accounts inventory (credential report snapshots) folded with the
 * CloudTrail-derived changes after each user's latest report row. A user counts when it is a root account, or
 * when it is not deleted, holds admin rights (CloudTrail admin grants; else `local_admin_accounts` /
 * break-glass config {admins}) and has a usable password or an active access key. A user missing from a
 * newer report of its account (and not re-created since) is deleted.
 */
export const LOCAL_SUPERUSERS = `WITH rows AS (
    SELECT account_id, user, arn, origin, snapshot_time, is_root, password_enabled, access_key_1_active, access_key_2_active,
      is_admin, deleted,
      if(origin = 'cloudtrail', splitByChar('#', origin_ref)[2], 'report') AS change,
      if(origin = 'cloudtrail', splitByChar('#', origin_ref)[3], '') AS key_id,
      max(if(origin = 'cloudtrail', toDateTime64(0, 3, 'UTC'), snapshot_time)) OVER (PARTITION BY account_id, user) AS base_t,
      max(if(origin = 'cloudtrail', toDateTime64(0, 3, 'UTC'), snapshot_time)) OVER (PARTITION BY account_id) AS account_report_t
    FROM accounts FINAL
    WHERE snapshot_time <= {as_of:${T}}
  ),
  keys AS (
    SELECT account_id, user,
      toInt64(countIf(created_after AND last_on)) - toInt64(countIf(NOT created_after AND NOT last_on)) AS key_delta
    FROM (
      SELECT account_id, user, key_id, max(change = 'key_create') AS created_after,
        argMax(change IN ('key_create', 'key_on'), snapshot_time) AS last_on
      FROM rows WHERE change IN ('key_create', 'key_on', 'key_off') AND snapshot_time > base_t
      GROUP BY account_id, user, key_id
    ) GROUP BY account_id, user
  ),
  state AS (
    SELECT account_id, user, argMax(arn, snapshot_time) AS arn_latest,
      max(is_root OR change = 'root_seen') AS root,
      argMaxIf(password_enabled, snapshot_time, change IN ('report', 'password_on', 'password_off')) AS password,
      argMaxIf(deleted, snapshot_time, change IN ('report', 'user_create', 'user_delete')) AS deleted_flag,
      any(base_t) < any(account_report_t) AND countIf(change = 'user_create' AND snapshot_time > account_report_t) = 0 AS missing_from_report,
      countIf(change IN ('admin_on', 'admin_off')) > 0 AS admin_known,
      argMaxIf(is_admin, snapshot_time, change IN ('admin_on', 'admin_off')) AS admin_ct,
      argMaxIf(toInt64(access_key_1_active) + toInt64(access_key_2_active), snapshot_time, change = 'report') AS report_keys
    FROM rows GROUP BY account_id, user
  )
  SELECT account_id, user, arn_latest AS arn, root AS is_root, password AS password_enabled,
    greatest(0, report_keys + ifNull(key_delta, 0)) AS active_keys,
    if(admin_known, admin_ct, has({admins:Array(String)}, lower(user)) OR has({admins:Array(String)}, lower(arn_latest))) AS is_admin
  FROM state LEFT JOIN keys USING (account_id, user)
  WHERE root OR (NOT deleted_flag AND NOT missing_from_report AND is_admin AND (password_enabled OR active_keys > 0))
  ORDER BY account_id, user`;
