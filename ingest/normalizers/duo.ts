/**
 * Cisco Duo normalizer: Admin API v2 authentication logs (and Administrator Log entries), per
 * shared/formats/duo.md.
 *
 * details keys written here (snake_case):
 *   duo_result, duo_reason   raw `result` / `reason`
 *   fraud_reported           'true' when the user marked the push as fraud (`result=fraud`)
 *   application_key          `application.key` (DI…); destination: `application.destination_name`
 *   user_key, alias, groups  `user.key` (DU…), `alias`, `user.groups[]` comma-joined (privileged hint)
 *   mfa_device               `auth_device.name` (the phone/token that approved); auth_device_ip: its IP
 *   access_hostname          `access_device.hostname`
 *   trusted_session_id       `trusted_session_info.trusted_session_uuid`
 *   timestamp_unit           'ms' when `timestamp` was sent in milliseconds instead of seconds
 *   admin records: duo_action, role, duo_status, changed, lifecycle, credential, valid_secs, remaining_uses
 */
import type { AuthEvent } from '../../schema/auth-event.ts';
import { buildEvent, canonicalUser, getPath, isObject, str, toIsoMs } from './common.ts';
import { isDuoAdminRecord, normalizeDuoAdmin } from './duo/admin.ts';
import { duoMfa, duoOutcome, foldDuo } from './duo/factors.ts';
import type { NormalizeContext, Normalizer } from './normalizer.ts';
import { drop, ok, reject, type StepResult } from './step-result.ts';

/**
 * Splits an Admin API response: `{"stat":"OK","response":{"authlogs":[…],"metadata":…}}` (v2 auth logs)
 * or `{"stat":"OK","response":[…]}` (administrator logs). `stat: FAIL` bodies (429 rate limit, 40x) are rejected.
 */
function unwrapDuo(doc: unknown): StepResult<unknown[]> {
  if (!isObject(doc) || doc.stat === undefined) return ok([doc]);
  if (str(doc.stat).toUpperCase() !== 'OK') {
    return reject('api_error', `stat=${str(doc.stat)} code=${str(doc.code)} ${str(doc.message)}`.trim());
  }
  const response = doc.response;
  const logs = Array.isArray(response) ? response : getPath(response, ['authlogs']);
  if (!Array.isArray(logs)) return reject('unsupported_shape', 'Duo response without authlogs[] or a record list');
  return logs.length === 0 ? drop('empty_page') : ok(logs);
}

/** Access-device IPs sometimes carry a port (`1.2.3.4:5678`, `[2001:db8::1]:443`). */
function stripPort(ip: string): string {
  const v6 = /^\[([0-9a-f:.]+)\](?::\d+)?$/i.exec(ip);
  if (v6) return v6[1] ?? ip;
  const v4 = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(ip);
  return v4 ? v4[1] ?? ip : ip;
}

function putIf(details: Record<string, string>, key: string, value: string): void {
  if (value !== '') details[key] = value;
}

/** Event time from `isotimestamp` (µs, +00:00), else `timestamp` (seconds; ms detected by magnitude). */
function timeOf(rec: Record<string, unknown>, details: Record<string, string>): string | null {
  const ts = rec.timestamp;
  if (typeof ts === 'number' && ts > 1e11) details.timestamp_unit = 'ms';
  return toIsoMs(rec.isotimestamp) ?? toIsoMs(ts);
}

function detailsOf(rec: Record<string, unknown>): Record<string, string> {
  const d: Record<string, string> = {};
  putIf(d, 'duo_result', str(rec.result));
  putIf(d, 'duo_reason', str(rec.reason));
  if (foldDuo(str(rec.result)) === 'fraud') d.fraud_reported = 'true';
  putIf(d, 'application_key', str(getPath(rec, ['application', 'key'])));
  putIf(d, 'destination', str(getPath(rec, ['application', 'destination_name'])));
  putIf(d, 'user_key', str(getPath(rec, ['user', 'key'])));
  putIf(d, 'alias', str(rec.alias));
  const groups = getPath(rec, ['user', 'groups']);
  if (Array.isArray(groups)) putIf(d, 'groups', groups.map(str).filter((g) => g !== '').join(','));
  putIf(d, 'mfa_device', str(getPath(rec, ['auth_device', 'name'])));
  putIf(d, 'auth_device_ip', str(getPath(rec, ['auth_device', 'ip'])));
  putIf(d, 'access_hostname', str(getPath(rec, ['access_device', 'hostname'])));
  putIf(d, 'trusted_session_id', str(getPath(rec, ['trusted_session_info', 'trusted_session_uuid'])));
  return d;
}

function normalizeDuoAuth(rec: Record<string, unknown>, ctx: NormalizeContext): StepResult<AuthEvent[]> {
  const eventType = str(rec.event_type).trim().toLowerCase() || 'authentication';
  if (eventType !== 'authentication' && eventType !== 'enrollment') return drop('unmapped_event_type');
  const details = detailsOf(rec);
  const time = timeOf(rec, details);
  if (time === null) return reject('invalid_time', `isotimestamp=${JSON.stringify(rec.isotimestamp ?? null)} timestamp=${JSON.stringify(rec.timestamp ?? null)}`);
  const userName = str(getPath(rec, ['user', 'name'])).trim();
  const email = str(rec.email).trim();
  if (userName === '' && email === '') return reject('missing_field', 'user.name and email');
  // NOTE: every v2 record has a txid; one without it is damaged, and a hash id would duplicate the
  // intact copy of the same authentication.
  const txid = str(rec.txid).trim();
  if (txid === '') return reject('missing_event_id', 'txid is missing');
  const result = str(rec.result);
  if (result === '') return reject('missing_field', 'result');
  const reason = str(rec.reason);
  const outcome = duoOutcome(result, reason);
  const factor = str(rec.factor);
  const mfa = duoMfa(factor, reason, outcome);
  const ua = [str(getPath(rec, ['access_device', 'browser'])), str(getPath(rec, ['access_device', 'browser_version']))]
    .filter((s) => s !== '').join(' ');
  return ok([buildEvent('duo', txid, {
    event_type: eventType,
    event_time: time,
    action: eventType === 'enrollment' ? 'mfa_enroll' : 'login',
    // Duo usernames may be bare logins; the email (when Duo has one) is the cross-source identity.
    user: canonicalUser(email !== '' ? email : userName),
    user_raw: userName !== '' ? userName : email,
    user_type: email !== '' ? 'human' : 'unknown',
    resource: str(getPath(rec, ['application', 'name'])),
    resource_type: 'application',
    mfa_method: mfa.method,
    mfa_method_raw: factor,
    mfa_verified: eventType === 'enrollment' ? false : mfa.verified,
    mfa_evidence: eventType === 'enrollment' ? 'unknown' : mfa.evidence,
    phishing_resistant: mfa.phishing_resistant,
    outcome,
    reason,
    src_ip: stripPort(str(getPath(rec, ['access_device', 'ip']))),
    user_agent: ua,
    details,
  }, ctx)]);
}

function normalizeDuo(record: unknown, ctx: NormalizeContext): StepResult<AuthEvent[]> {
  if (!isObject(record)) return reject('unsupported_shape', 'Duo log record must be a JSON object');
  if (record.stat !== undefined && record.response === undefined) return reject('api_error', `stat=${str(record.stat)} code=${str(record.code)}`);
  if (isDuoAdminRecord(record)) return normalizeDuoAdmin(record, ctx);
  if (!isObject(record.user) && typeof record.username === 'string') {
    return reject('unsupported_shape', 'legacy v1 authentication log; poll /admin/v2/logs/authentication');
  }
  return normalizeDuoAuth(record, ctx);
}

/** Cisco Duo Admin API logs: v2 authentication logs (pages or single records) and administrator logs. */
export const duoNormalizer: Normalizer = {
  source: 'duo',
  format: 'json',
  unwrap: unwrapDuo,
  partitionKey(record: unknown): string {
    const key = str(getPath(record, ['email'])) || str(getPath(record, ['user', 'name'])) || str(getPath(record, ['username']));
    return key.trim().toLowerCase();
  },
  normalize: normalizeDuo,
};
