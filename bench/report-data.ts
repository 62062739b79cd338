import type { Store } from '../schema/store/store.ts';
import { eventDays, rebuildRollups } from '../schema/store/queries/report-rollups.ts';

// Report-suite data generated in SQL with the production DDL: M normalised auth_events rows over six months, and
// the correlated tables the metrics engine reads (sessions ≈ M/5, findings, revocations, exemptions, reviews,
// accounts). Every value derives from a hash of the row number, so a size always gives the same data. The rows
// carry what the normalizers really write — random vendor ids (event ids, request ids, new access keys) where
// the vendors have them, per-user and per-session values where those repeat — so bytes/row is not flattered by
// repetition (research/performance.md §2.5). Each person works on a few resources (RESOURCE_SLOTS, skewed), as
// real people do, instead of every event picking any of the 300 resources.

/** The six whole months before the current one (six monthly partitions, all inside the 400-day retention TTL). */
export interface ReportWindow {
  readonly start: string;
  readonly end: string;
  /** The month the one-month report covers (the last one). */
  readonly month: { readonly from: string; readonly to: string };
  readonly span_s: number;
}

/** The report window for `now` (ClickHouse DateTime64 text). */
export function reportWindow(now = new Date()): ReportWindow {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const at = (months: number): string => new Date(Date.UTC(y, m + months, 1)).toISOString().replace('T', ' ').replace('Z', '');
  const span = (Date.UTC(y, m, 1) - Date.UTC(y, m - 6, 1)) / 1000;
  return { start: at(-6), end: at(0), month: { from: at(-1), to: at(0) }, span_s: span };
}

const USERS = 20_000;
/** Resources per person (real people reach a handful of apps, roles and hosts, not all of them). */
const RESOURCE_SLOTS = 8;
const CHUNK = 1_000_000;

/** A base-62-looking string of `len` (≤ 40) chars from a hash of the expression list. */
function randStr(len: number, ...args: string[]): string {
  return `substring(replaceRegexpAll(base64Encode(concat(reinterpretAsString(sipHash128(${args.join(', ')})), reinterpretAsString(sipHash128(${args.join(', ')}, 'b')))), '[+/=]', 'x'), 1, ${len})`;
}

function uuidOf(...args: string[]): string {
  return `toString(reinterpretAsUUID(sipHash128(${args.join(', ')})))`;
}

const FIRST = `['alice','bob','carol','dave','erin','frank','grace','heidi','ivan','judy','mallory','niaj','olivia','peggy','rupert','sybil','trent','victor','walter','zoe']`;
const LAST = `['nguyen','martin','smith','garcia','mueller','kowalski','rossi','dubois','tanaka','silva','novak','jensen','okafor','haddad','larsen']`;
const AGENTS = `['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/133.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/133.0.0.0 Safari/537.36 Edg/133.0.0.0',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:135.0) Gecko/20100101 Firefox/135.0', 'tsh/17.2.1 grpc-go/1.69.2',
  'aws-cli/2.22.10 md/awscrt#0.23.4 ua/2.0 os/macos#24.3.0 md/arch#arm64 lang/python#3.12.6', 'AWS Internal']`;

/** The SELECT producing auth_events rows for numbers [from, from+count). */
function authEventsSelect(w: ReportWindow, from: number, count: number, total: number): string {
  const spanS = w.span_s;
  const REPORT_START = w.start;
  return `
  SELECT source, source_kind, source_event_id, event_type, event_time, ingested_at, action, user, user_raw, user_type, target_user,
    resource, resource_type, environment, privileged, auth_method, mfa_method, mfa_method_raw, mfa_verified, mfa_evidence,
    phishing_resistant, outcome, reason, session_id, src_ip, user_agent, raw_sha256, details
  FROM (
    SELECT number AS n,
      cityHash64(n, 1) % 100 AS sp,
      multiIf(sp < 35, 'okta', sp < 55, 'entra', sp < 85, 'cloudtrail', 'teleport') AS source,
      multiIf(source IN ('okta', 'entra'), 'idp', source = 'teleport', 'gateway', 'cloud') AS source_kind,
      toUInt32(pow((cityHash64(n, 2) % 1000000) / 1000000., 2.2) * ${USERS}) AS u,
      concat(${FIRST}[u % 20 + 1], '.', ${LAST}[intDiv(u, 20) % 15 + 1], toString(u), '@example.com') AS user,
      toDateTime64(toDateTime64('${REPORT_START}', 3, 'UTC') + toIntervalMillisecond(toUInt64(n * ${spanS * 1000} / ${total}) + cityHash64(n, 3) % 60000), 3, 'UTC') AS event_time,
      -- Connectors deliver in batches (a poll per minute per source): the batch's events share ingested_at.
      toStartOfMinute(event_time) + toIntervalMillisecond(60000 + cityHash64(source, toStartOfMinute(event_time)) % 30000) AS ingested_at,
      intDiv(toUnixTimestamp(event_time), 3600) AS hour,
      cityHash64(n, 5) % 100 AS kp,
      cityHash64(n, 6) % 100 AS op,
      multiIf(op < 93, 'success', op < 98, 'failure', 'denied') AS outcome,
      -- People work on a few resources each: ${RESOURCE_SLOTS} per person, drawn from the same skewed popularity over
      -- 300, and each event picks one of them with a skew (the first slot ≈ 35 % of a person's events).
      toUInt32(pow((cityHash64(n, 7) % 1000000) / 1000000., 2) * ${RESOURCE_SLOTS}) AS slot,
      toUInt32(pow((cityHash64(u, slot, 'resource') % 1000000) / 1000000., 1.6) * 300) AS r,
      multiIf(
        source = 'okta', ['user.authentication.sso', 'user.authentication.auth_via_mfa', 'policy.evaluate_sign_on', 'user.session.start', 'system.push.send_factor_verify_push'][kp % 5 + 1],
        source = 'entra', 'signIn',
        source = 'cloudtrail', ['signin:ConsoleLogin', 'sts:AssumeRoleWithSAML', 'sts:AssumeRole', 'ec2:RunInstances', 'iam:CreateAccessKey'][kp % 5 + 1],
        ['session.start', 'session.end', 'kube.request', 'user.login', 'db.session.start', 'exec'][kp % 6 + 1]) AS event_type,
      multiIf(
        source = 'okta', ['login', 'mfa_verify', 'login', 'login', 'mfa_verify'][kp % 5 + 1],
        source = 'entra', 'login',
        source = 'cloudtrail', ['login', 'role_assumption', 'role_assumption', 'api_call', 'credential_issue'][kp % 5 + 1],
        ['session_start', 'session_end', 'api_call', 'login', 'session_start', 'api_call'][kp % 6 + 1]) AS action,
      multiIf(
        source = 'okta', concat('okta-app-', toString(r % 40)),
        source = 'entra', concat('entra-app-', toString(r % 30)),
        source = 'cloudtrail', concat('arn:aws:iam::111122223333:role/', ['OktaSRE-Admin', 'OktaDev-ReadOnly', 'OktaData-Analyst', 'deploy'][r % 4 + 1], toString(r)),
        concat(['prod', 'staging', 'dev'][r % 3 + 1], '-host-', toString(r))) AS resource,
      multiIf(source IN ('okta', 'entra'), 'idp_app', source = 'cloudtrail', 'cloud_role', 'server') AS resource_type,
      multiIf(r % 3 = 0, 'prod', r % 3 = 1, 'staging', 'dev') AS environment,
      r < 30 AS privileged,
      multiIf(source = 'okta', [['push', 'OKTA_VERIFY_PUSH'], ['webauthn', 'FIDO_WEBAUTHN'], ['totp', 'GOOGLE_OTP'], ['sms', 'SMS'], ['unknown', '']][u % 5 + 1],
              source = 'entra', [['push', 'Mobile app notification'], ['webauthn', 'FIDO2 security key'], ['webauthn', 'Windows Hello for Business'], ['unknown', 'Previously satisfied'], ['none', 'Password']][u % 5 + 1],
              source = 'teleport', [['unknown', ''], ['webauthn', 'WebAuthn'], ['unknown', '']][u % 3 + 1],
              [['unknown', ''], ['unknown', '']][1]) AS m,
      m[1] AS mfa_method, m[2] AS mfa_method_raw,
      outcome = 'success' AND mfa_method NOT IN ('none', 'unknown', 'bypass') AS mfa_verified,
      multiIf(mfa_verified, 'performed', source = 'cloudtrail', 'external_idp', mfa_method_raw = 'Previously satisfied', 'previously_satisfied', 'unknown') AS mfa_evidence,
      mfa_verified AND mfa_method IN ('webauthn', 'security_key', 'passkey') AS phishing_resistant,
      multiIf(source = 'cloudtrail', 'sso', source = 'teleport', 'certificate', mfa_method = 'none', 'password', 'unknown') AS auth_method,
      multiIf(source = 'cloudtrail', concat('arn:aws:sts::111122223333:assumed-role/OktaDev-ReadOnly/', user), user) AS user_raw,
      multiIf(u % 50 = 0, 'service', 'human') AS user_type,
      multiIf(kp = 99, concat('user', toString(cityHash64(n, 8) % ${USERS}), '@example.com'), '') AS target_user,
      multiIf(outcome = 'success', '', outcome = 'denied', 'Sign-on policy evaluation resulted in DENY', 'INVALID_CREDENTIALS') AS reason,
      multiIf(source = 'okta', concat('102', ${randStr(22, 'u', 'source', 'hour')}), source = 'cloudtrail', concat('ASIA', upper(${randStr(16, 'u', "'ct'", 'hour')})), ${uuidOf('u', 'source', 'hour')}) AS session_id,
      multiIf(source = 'okta', concat(lower(hex(reinterpretAsString(toUInt32(cityHash64(n, 9))))), '-', lower(hex(reinterpretAsString(toUInt16(cityHash64(n, 10))))), '-11ef-', ['9dfb-397e073cfdba', 'baf9-91a1c5f8627c', '80e9-f800a1b4c4a8', 'a1c3-0a1b2c3d4e5f'][n % 4 + 1]),
              ${uuidOf('n', "'event'")}) AS source_event_id,
      IPv4NumToString(toUInt32(cityHash64(u, n % 2) % 4294967296)) AS src_ip,
      ${AGENTS}[u % 6 + 1] AS user_agent,
      lower(hex(SHA256(toString(n)))) AS raw_sha256,
      multiIf(
        source = 'okta', map('actor_id', concat('00u', ${randStr(17, 'u', "'okta'")}), 'okta_result', if(outcome = 'success', 'SUCCESS', 'FAILURE'),
          'transaction_id', ${randStr(27, 'n', "'tx'")}, 'authn_request_id', ${randStr(27, 'n', "'authn'")}, 'risk', '{reasons=Anomalous Device, level=LOW}',
          'behaviors', '{New Geo-Location=NEGATIVE, New Device=NEGATIVE, New IP=NEGATIVE, New State=NEGATIVE, New Country=NEGATIVE, Velocity=NEGATIVE, New City=NEGATIVE}'),
        source = 'entra', map('app', concat('App ', toString(r % 30)), 'app_id', ${uuidOf('r % 30', "'app'")}, 'resource_id', ${uuidOf('r % 30', "'res'")},
          'correlation_id', ${uuidOf('u', 'hour', "'corr'")}, 'user_id', ${uuidOf('u', "'entra'")}, 'tenant_id', '5f1d2c3b-8a4e-4b6f-9c7d-2e1f0a9b8c71',
          'auth_requirement', 'multiFactorAuthentication', 'ca_status', 'success', 'interactive', 'true', 'device_id', ${uuidOf('u', "'device'")},
          'device_compliant', 'true', 'country', 'DE', 'error_code', '0', 'sign_in_type', 'interactiveUser'),
        source = 'cloudtrail', map('identity_kind', 'federated', 'account_id', '111122223333', 'region', 'eu-central-1', 'event_source', 'sts.amazonaws.com',
          'role', 'OktaDev-ReadOnly', 'role_session_name', user, 'caller_access_key_id', session_id,
          'access_key_id', concat('ASIA', upper(${randStr(16, 'n', "'key'")})), 'session_expires_at', formatDateTime(event_time + toIntervalHour(1), '%Y-%m-%dT%H:%i:%S.000Z', 'UTC'),
          'duration_seconds', '3600'),
        map('via', 'teleport', 'cluster', 'teleport.example.com', 'code', 'T2000I', 'role', 'access,dev', 'login_user', 'ubuntu', 'server_id', ${uuidOf('r', "'srv'")})) AS details
    FROM numbers(${from}, ${count})
  )`;
}

/** The SELECT producing sessions rows for numbers [from, from+count). */
function sessionsSelect(w: ReportWindow, from: number, count: number, total: number): string {
  const spanS = w.span_s;
  const REPORT_START = w.start;
  return `
  SELECT session_key, person, identity, resource, resource_type, environment, surface, path, started_at, ended_at, privileged, outcome,
    mfa_binding, mfa_method, phishing_resistant, mfa_event_id, mfa_age_seconds, exemption_id, break_glass, identity_kind, source,
    event_ids, event_count, computed_at, is_deleted
  FROM (
    SELECT number AS n,
      lower(hex(sipHash128(n, 'session'))) AS session_key,
      toUInt32(pow((cityHash64(n, 2) % 1000000) / 1000000., 2.2) * ${USERS}) AS u,
      concat('user', toString(u), '@example.com') AS person, person AS identity,
      toUInt32(pow((cityHash64(n, 7) % 1000000) / 1000000., 1.6) * 300) AS r,
      concat(['prod', 'staging', 'dev'][r % 3 + 1], '-host-', toString(r)) AS resource,
      ['server', 'database', 'kubernetes', 'cloud_role', 'idp_app'][r % 5 + 1] AS resource_type,
      ['prod', 'staging', 'dev'][r % 3 + 1] AS environment,
      ['ssh', 'database', 'kubernetes', 'cloud_console', 'app'][r % 5 + 1] AS surface,
      ['gateway', 'direct', 'federated', 'gateway'][cityHash64(n, 3) % 4 + 1] AS path,
      toDateTime64(toDateTime64('${REPORT_START}', 3, 'UTC') + toIntervalMillisecond(toUInt64(n * ${spanS * 1000} / ${total})), 3, 'UTC') AS started_at,
      if(cityHash64(n, 4) % 10 = 0, NULL, started_at + toIntervalSecond(60 + cityHash64(n, 5) % 7200)) AS ended_at,
      r < 60 AS privileged, 'success' AS outcome,
      ['direct', 'idp_bound', 'idp_bound', 'none', 'exempt', 'direct', 'idp_bound'][cityHash64(n, 6) % 7 + 1] AS mfa_binding,
      if(mfa_binding IN ('direct', 'idp_bound'), ['push', 'webauthn', 'totp', 'webauthn', 'sms'][u % 5 + 1], 'none') AS mfa_method,
      mfa_method = 'webauthn' AS phishing_resistant,
      if(mfa_binding IN ('direct', 'idp_bound'), ${uuidOf('n', "'mfa'")}, '') AS mfa_event_id,
      if(mfa_binding IN ('direct', 'idp_bound'), toInt64(cityHash64(n, 8) % 3600), NULL) AS mfa_age_seconds,
      if(mfa_binding = 'exempt', 'ex-1', '') AS exemption_id,
      cityHash64(n, 9) % 1000 = 0 AS break_glass,
      if(u % 50 = 0, 'service', 'person') AS identity_kind,
      ['teleport', 'okta', 'cloudtrail', 'entra'][r % 4 + 1] AS source,
      arrayMap(i -> ${uuidOf('n', 'i')}, range(1 + cityHash64(n, 10) % 6)) AS event_ids,
      toUInt32(length(event_ids)) AS event_count,
      now64(6) AS computed_at, toUInt8(0) AS is_deleted
    FROM numbers(${from}, ${count})
  )`;
}

/** Row counts of the correlated tables for M events. */
export function reportTableSizes(rows: number): { sessions: number; findings: number; revocations: number } {
  return { sessions: Math.round(rows / 5), findings: Math.round(rows / 500), revocations: Math.max(10, Math.round(rows / 20_000)) };
}

/**
 * Fills the (freshly migrated) store with M events and the correlated tables, merges every table, then builds the
 * daily report rollups of every day (what the correlator does for the days it recomputes).
 */
export async function generateReportData(store: Store, w: ReportWindow, rows: number, log: (s: string) => void): Promise<{ seconds: number; optimize_seconds: number; rollup_seconds: number }> {
  const t0 = performance.now();
  const { start: REPORT_START, end: REPORT_END, span_s: SPAN } = w;
  // One chunk of 1M rows at a time keeps generation memory (details maps, hashes) well below a GiB.
  const settings = 'SETTINGS max_insert_threads = 2, max_threads = 2, max_block_size = 65536';
  for (let from = 0; from < rows; from += CHUNK) {
    const count = Math.min(CHUNK, rows - from);
    await store.command(`INSERT INTO auth_events (source, source_kind, source_event_id, event_type, event_time, ingested_at, action, user, user_raw,
      user_type, target_user, resource, resource_type, environment, privileged, auth_method, mfa_method, mfa_method_raw, mfa_verified, mfa_evidence,
      phishing_resistant, outcome, reason, session_id, src_ip, user_agent, raw_sha256, details) ${authEventsSelect(w, from, count, rows)} ${settings}`);
    log(`    auth_events ${Math.min(rows, from + count).toLocaleString('en-US')}/${rows.toLocaleString('en-US')}`);
  }
  const sizes = reportTableSizes(rows);
  for (let from = 0; from < sizes.sessions; from += CHUNK) {
    const count = Math.min(CHUNK, sizes.sessions - from);
    await store.command(`INSERT INTO sessions (session_key, person, identity, resource, resource_type, environment, surface, path, started_at, ended_at,
      privileged, outcome, mfa_binding, mfa_method, phishing_resistant, mfa_event_id, mfa_age_seconds, exemption_id, break_glass, identity_kind,
      source, event_ids, event_count, computed_at, is_deleted) ${sessionsSelect(w, from, count, sizes.sessions)} ${settings}`);
  }
  const kinds = `['direct_ssh_key', 'shared_account', 'local_cloud_user', 'root_account', 'direct_db_superuser', 'static_credential', 'post_revocation_access', 'no_mfa']`;
  await store.command(`INSERT INTO findings (finding_id, kind, person, identity, resource, surface, session_key, event_time, evidence_event_ids, detail, privileged, computed_at, is_deleted)
    SELECT lower(hex(sipHash128(number, 'finding'))), ${kinds}[cityHash64(number, 1) % 8 + 1], concat('user', toString(cityHash64(number, 2) % ${USERS}), '@example.com'),
      concat('user', toString(cityHash64(number, 2) % ${USERS}), '@example.com'), concat('prod-host-', toString(cityHash64(number, 3) % 300)), 'ssh',
      lower(hex(sipHash128(number, 'session'))), toDateTime64('${REPORT_START}', 3, 'UTC') + toIntervalSecond(number * ${SPAN} / ${sizes.findings}),
      [${uuidOf('number', "'ev'")}], 'generated', true, now64(6), 0
    FROM numbers(${sizes.findings}) ${settings}`);
  await store.command(`INSERT INTO revocations (person, trigger_time, trigger_kind, trigger_ref, closed_at, closing_ref, hours, over_sla, evidence_event_ids, computed_at, is_deleted)
    SELECT concat('user', toString(number), '@example.com'), toDateTime64('${REPORT_START}', 3, 'UTC') + toIntervalSecond(number * ${SPAN} / ${sizes.revocations}),
      'offboarding', ${uuidOf('number', "'t'")}, toDateTime64('${REPORT_START}', 3, 'UTC') + toIntervalSecond(number * ${SPAN} / ${sizes.revocations} + 60 + cityHash64(number) % 200000),
      ${uuidOf('number', "'c'")}, (60 + cityHash64(number) % 200000) / 3600., (60 + cityHash64(number) % 200000) > 86400, [], now64(6), 0
    FROM numbers(${sizes.revocations}) ${settings}`);
  await store.command(`INSERT INTO exemptions (exemption_id, row_kind, person_pattern, resource_pattern, reason, approver, starts_at, expires_at, created_by, created_at, revoked_at, revoked_by)
    SELECT concat('ex-', toString(number)), 'create', '*', concat('dev-host-', toString(number)), 'legacy host', 'ciso@example.com',
      toDateTime64('${REPORT_START}', 3, 'UTC'), toDateTime64('${REPORT_END}', 3, 'UTC') - toIntervalDay(number), 'admin', toDateTime64('${REPORT_START}', 3, 'UTC'), NULL, ''
    FROM numbers(20)`);
  await store.command(`INSERT INTO break_glass_reviews (review_id, session_key, reviewer, reviewer_token_id, notes, reviewed_at)
    SELECT toString(number), session_key, 'ciso@example.com', 'token', 'ok', started_at + toIntervalHour(4)
    FROM (SELECT session_key, started_at FROM sessions WHERE break_glass LIMIT 1000) ARRAY JOIN [0] AS number`);
  await store.command(`INSERT INTO accounts (source, account_id, user, arn, is_root, password_enabled, password_last_used, mfa_active, access_key_1_active,
      access_key_1_last_used, access_key_2_active, access_key_2_last_used, user_creation_time, last_used, is_admin, deleted, snapshot_time, origin, origin_ref)
    SELECT 'aws_credential_report', '111122223333', concat('iam-user-', toString(number % 200)), concat('arn:aws:iam::111122223333:user/iam-user-', toString(number % 200)),
      number % 200 = 0, number % 3 = 0, NULL, number % 2 = 0, number % 4 = 0, NULL, false, NULL, NULL, NULL, number % 10 = 0, false,
      toDateTime64('${REPORT_START}', 3, 'UTC') + toIntervalDay(intDiv(number, 200) * 30), 'report', ''
    FROM numbers(1200)`);
  const seconds = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  for (const t of ['auth_events', 'sessions', 'findings', 'revocations']) {
    log(`    OPTIMIZE ${t} FINAL`);
    await store.command(`OPTIMIZE TABLE ${t} FINAL`);
  }
  const optimize_seconds = (performance.now() - t1) / 1000;
  const t2 = performance.now();
  const days = await eventDays(store, Date.parse(`${REPORT_START.replace(' ', 'T')}Z`) - 86_400_000, Date.parse(`${REPORT_END.replace(' ', 'T')}Z`) + 86_400_000);
  log(`    report rollups of ${days.length} days`);
  await rebuildRollups(store, days, 'bench');
  return { seconds, optimize_seconds, rollup_seconds: (performance.now() - t2) / 1000 };
}
