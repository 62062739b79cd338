import type { Store } from '../../schema/store/store.ts';
import { SOURCE_KIND } from '../../schema/auth-event.ts';
import { chOf, EVENT_SELECT, FINAL_SETTINGS, isoOf, queryRows, toCorrEvent, type CorrEvent, type RawEventRow } from './events.ts';

// Every read of the correlator, bounded by time so one day is processed at a time. All reads of auth_events use
// FINAL (a re-imported event must not count twice); the time filter prunes partitions and index granules.

const T = "DateTime64(3, 'UTC')";
const IDP_SOURCES = Object.entries(SOURCE_KIND).filter(([, k]) => k === 'idp').map(([s]) => s);
/** Teleport kube requests that open an interactive stream (exec/attach/portforward) are sessions of their own. */
export const KUBE_STREAM_PATH = '/(exec|attach|portforward)(\\\\?|$)';

async function events(store: Store, where: string, a: number, b: number, extra: Record<string, unknown> = {}): Promise<CorrEvent[]> {
  const rows = await queryRows<RawEventRow>(store,
    `SELECT ${EVENT_SELECT} FROM auth_events FINAL
     WHERE event_time >= {a:${T}} AND event_time < {b:${T}} AND (${where})
     ORDER BY event_time, event_id ${FINAL_SETTINGS}`, { a: chOf(a), b: chOf(b), ...extra });
  return rows.map(toCorrEvent);
}

/** Successful events that start a session, or that join one (sudo, privileged SQL, gateway follow-on logins). */
export function loadAccessEvents(store: Store, a: number, b: number): Promise<CorrEvent[]> {
  return events(store, `outcome = 'success' AND (
      (source IN ('teleport', 'boundary', 'k8s', 'postgres', 'gcp', 'azure') AND action = 'session_start')
      OR (source = 'teleport' AND action = 'api_call' AND resource_type = 'kubernetes' AND match(details['request_path'], '${KUBE_STREAM_PATH}'))
      OR (source = 'sshd' AND action = 'login')
      OR (source IN ('sshd', 'postgres') AND privileged AND action NOT IN ('login', 'session_start', 'session_end'))
      OR (source = 'cloudtrail' AND (event_type = 'signin:ConsoleLogin' OR action = 'role_assumption'
          OR event_type IN ('sts:GetSessionToken', 'sts:GetFederationToken')))
      OR (source_kind = 'idp' AND privileged AND action = 'login'))`, a, b);
}

/** One hourly bucket of Kubernetes API requests or GCP/Azure privileged operations of one actor. */
export interface BucketRow {
  source: string;
  user: string;
  user_raw: string;
  user_type: string;
  scope: string;
  res: string;
  res_type: string;
  env: string;
  hour: string;
  first_time: string;
  first_id: string;
  last_time: string;
  n: string;
  ids: string[];
  priv: boolean;
  via_gateway: boolean;
  federated_hint: boolean;
  /** [time, event id, mfa_method, phishing_resistant] of events in the bucket whose token proves MFA. */
  proofs: [string, string, string, boolean][];
  hints: string[];
}

/** Kubernetes API requests (not exec/attach/portforward) and GCP/Azure privileged operations, one row per hour bucket. */
export async function loadBuckets(store: Store, a: number, b: number): Promise<BucketRow[]> {
  return queryRows<BucketRow>(store,
    `SELECT source, user, user_raw, user_type,
        multiIf(source = 'teleport', details['kube_cluster'], source = 'k8s', details['cluster'],
                source = 'gcp', details['project_id'], source = 'azure', details['subscription_id'], '') AS scope,
        min(resource) AS res, min(resource_type) AS res_type,
        arrayFirst(x -> x != 'unknown', arraySort(groupUniqArray(environment))) AS env,
        toString(toStartOfHour(event_time)) AS hour,
        toString(min(event_time)) AS first_time,
        min(tuple(event_time, toString(event_id))).2 AS first_id,
        toString(max(event_time)) AS last_time, toString(count()) AS n,
        arraySlice(arraySort(groupArray(toString(event_id))), 1, 1000) AS ids,
        max(privileged) AS priv,
        max(details['via'] != '' OR positionCaseInsensitive(details['impersonated_by'], 'teleport') > 0) AS via_gateway,
        max(details['role_arn'] != '' OR auth_method = 'sso') AS federated_hint,
        arraySlice(arraySort(groupArrayIf(tuple(toString(event_time), toString(event_id), toString(mfa_method), phishing_resistant), mfa_verified)), 1, 10) AS proofs,
        arraySlice(arraySort(groupUniqArray(concat(details['groups'], ',', details['role'], ',', details['caller_role']))), 1, 50) AS hints
     FROM auth_events FINAL
     WHERE event_time >= {a:${T}} AND event_time < {b:${T}} AND outcome = 'success'
       AND ((source = 'k8s' AND action NOT IN ('session_start', 'session_end', 'login', 'mfa_verify'))
         OR (source = 'teleport' AND action = 'api_call' AND resource_type = 'kubernetes' AND NOT match(details['request_path'], '${KUBE_STREAM_PATH}'))
         OR (source IN ('gcp', 'azure') AND privileged AND action NOT IN ('login', 'session_start', 'session_end', 'mfa_verify', 'mfa_enroll')))
     GROUP BY source, user, user_raw, user_type, scope, hour
     ORDER BY hour, source, user, user_raw, scope ${FINAL_SETTINGS}`, { a: chOf(a), b: chOf(b) });
}

/** CloudTrail calls that are not sessions but are findings evidence: root, IAM users, long-term keys; per hour. */
export interface CloudEvidenceRow {
  user: string;
  user_raw: string;
  user_type: string;
  identity_kind: string;
  account_id: string;
  hour: string;
  first_time: string;
  ids: string[];
  long_term_key: boolean;
}

/** Non-session CloudTrail evidence of root usage, IAM-user access and long-term key use. */
export async function loadCloudEvidence(store: Store, a: number, b: number): Promise<CloudEvidenceRow[]> {
  return store.query<CloudEvidenceRow>(
    `SELECT user, user_raw, user_type, details['identity_kind'] AS identity_kind, details['account_id'] AS account_id,
        toString(toStartOfHour(event_time)) AS hour, toString(min(event_time)) AS first_time,
        arraySlice(arraySort(groupArray(toString(event_id))), 1, 1000) AS ids,
        max(startsWith(details['caller_access_key_id'], 'AKIA')) AS long_term_key
     FROM auth_events FINAL
     WHERE event_time >= {a:${T}} AND event_time < {b:${T}} AND source = 'cloudtrail' AND outcome = 'success'
       AND event_type != 'signin:ConsoleLogin' AND action != 'role_assumption'
       AND event_type NOT IN ('sts:GetSessionToken', 'sts:GetFederationToken')
       AND (user_type = 'root' OR details['identity_kind'] = 'iam_user' OR startsWith(details['caller_access_key_id'], 'AKIA'))
     GROUP BY user, user_raw, user_type, identity_kind, account_id, hour
     ORDER BY hour, user, user_raw ${FINAL_SETTINGS}`, { a: chOf(a), b: chOf(b) });
}

/** IdP (and gateway-local) second-factor successes: the proofs `idp_bound` and host-side MFA are matched against. */
export function loadMfaProofs(store: Store, a: number, b: number): Promise<CorrEvent[]> {
  return events(store, `mfa_verified AND outcome = 'success' AND source_kind IN ('idp', 'gateway') AND action IN ('login', 'mfa_verify')`, a, b);
}

/** Credential issuances: gateway logins/certificates, Boundary auth tokens, STS credentials. */
export function loadIssuances(store: Store, a: number, b: number): Promise<CorrEvent[]> {
  return events(store, `outcome = 'success' AND (
      (source IN ('teleport', 'boundary') AND action IN ('login', 'credential_issue'))
      OR (source = 'cloudtrail' AND action IN ('role_assumption', 'credential_issue') AND startsWith(event_type, 'sts:')))`, a, b);
}

/** Session end times per (source, session id), for sessions started in the window. */
export async function loadSessionEnds(store: Store, a: number, b: number, ids: readonly string[]): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  if (ids.length === 0) return out;
  const rows = await store.query<{ source: string; session_id: string; ends: string[] }>(
    `SELECT source, session_id, arraySort(groupArray(toString(event_time))) AS ends FROM auth_events FINAL
     WHERE event_time >= {a:${T}} AND event_time < {b:${T}} AND session_id IN {ids:Array(String)}
       AND (action = 'session_end' OR (action = 'access_revoked' AND session_id != ''))
     GROUP BY source, session_id ${FINAL_SETTINGS}`, { a: chOf(a), b: chOf(b), ids });
  for (const r of rows) out.set(`${r.source}|${r.session_id}`, r.ends.map((s) => Date.parse(isoOf(s))));
  return out;
}

/** Revocations and reactivations (any source), the inputs of revocation timing and post-revocation findings. */
export function loadRevocationEvents(store: Store, a: number, b: number): Promise<CorrEvent[]> {
  return events(store, `outcome = 'success' AND (action = 'access_revoked'
      OR (action = 'account_change' AND details['lifecycle'] IN ('activate', 'reactivate', 'unsuspend')))`, a, b);
}

/** HR/offboarding rows in the window. */
export async function loadOffboarding(store: Store, a: number, b: number): Promise<{ person: string; t: number; row_sha256: string; reason: string }[]> {
  const rows = await store.query<{ person: string; offboarded_s: string; row_sha256: string; reason: string }>(
    `SELECT person, toString(offboarded_at) AS offboarded_s, row_sha256, reason FROM offboarding FINAL
     WHERE offboarded_at >= {a:${T}} AND offboarded_at < {b:${T}} ORDER BY offboarded_at, row_sha256`, { a: chOf(a), b: chOf(b) });
  return rows.map((r) => ({ person: r.person, t: Date.parse(isoOf(r.offboarded_s)), row_sha256: r.row_sha256, reason: r.reason }));
}

/** CloudTrail IAM user changes and root usage of the window (the accounts inventory between reports). */
export function loadIamChanges(store: Store, a: number, b: number): Promise<CorrEvent[]> {
  return events(store, `source = 'cloudtrail' AND outcome = 'success'
      AND ((startsWith(event_type, 'iam:') AND target_user != '') OR user_type = 'root')`, a, b);
}

/** People seen in IdP events (emails), over all stored events. */
export async function loadIdpProfiles(store: Store): Promise<string[]> {
  const rows = await store.query<{ user: string }>(
    `SELECT DISTINCT lower(user) AS user FROM auth_events
     WHERE source IN {sources:Array(String)} AND user_type = 'human' AND position(user, '@') > 0 ORDER BY user`, { sources: IDP_SOURCES });
  return rows.map((r) => r.user);
}

/** Teleport MFA device UUID → the method and phishing resistance its enrollment or login named. */
export async function loadDeviceMethods(store: Store): Promise<Map<string, { method: string; phishing_resistant: boolean }>> {
  const rows = await store.query<{ uuid: string; method: string; pr: boolean }>(
    `SELECT details['mfa_device_uuid'] AS uuid, argMax(mfa_method, (event_time, toString(event_id))) AS method,
        max(phishing_resistant) AS pr
     FROM auth_events WHERE source = 'teleport' AND action IN ('login', 'mfa_enroll') AND details['mfa_device_uuid'] != ''
       AND mfa_method NOT IN ('unknown', 'none', 'bypass')
     GROUP BY uuid`);
  return new Map(rows.map((r) => [r.uuid, { method: r.method, phishing_resistant: r.pr }]));
}
