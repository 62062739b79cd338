import type { AuthMethod, Outcome } from '../../../schema/auth-event.ts';
import { isObject, str, toIsoMs, type EventFields } from '../common.ts';
import type { NormalizeContext } from '../normalizer.ts';
import { reject, type StepResult } from '../step-result.ts';
import { resolveIdentity, type CloudTrailIdentity } from './identity.ts';

/** One validated CloudTrail record with the facts every mapping needs. */
export interface CtRecord {
  readonly rec: Record<string, unknown>;
  readonly name: string;
  /** eventSource without `.amazonaws.com` (`iam`, `sts`, `signin`, `s3`…). */
  readonly service: string;
  readonly time: string;
  /** eventID, or the raw record's SHA-256 when the record has none. */
  readonly id: string;
  readonly account: string;
  readonly actor: CloudTrailIdentity;
  readonly req: Record<string, unknown>;
  readonly resp: Record<string, unknown>;
  readonly error_code: string;
  readonly error_message: string;
}

/** errorCode values that mean an authorization decision said no. */
const DENIED_CODES = /^(Client\.)?(AccessDenied(Exception)?|UnauthorizedOperation|UnauthorizedAccess|Forbidden)$/i;

const AWS_DOMAIN = '.amazonaws.com';

/** `iam.amazonaws.com` → `iam`; other values as they are. */
function serviceOf(eventSource: string): string {
  return eventSource.endsWith(AWS_DOMAIN) ? eventSource.slice(0, -AWS_DOMAIN.length) : eventSource;
}

/** Validates the record shape; data problems become rejects with a stable reason code. */
export function parseRecord(record: unknown, ctx: NormalizeContext): StepResult<CtRecord> {
  if (!isObject(record)) return reject('unsupported_shape', 'CloudTrail record is not a JSON object');
  const name = str(record.eventName);
  if (name === '') return reject('missing_field', 'eventName');
  if (record.userIdentity === undefined || record.userIdentity === null) return reject('missing_field', 'userIdentity');
  if (!isObject(record.userIdentity)) return reject('invalid_field', `userIdentity is a ${typeof record.userIdentity}, expected an object`);
  if (record.eventTime === undefined || record.eventTime === null) return reject('missing_field', 'eventTime');
  // NOTE: CloudTrail writes ISO 8601 UTC; re-exports (e.g. Panther) drop the `Z` but the instant is still UTC.
  // Locale or zone-shifted strings are never guessed.
  const time = typeof record.eventTime === 'string' ? toIsoMs(record.eventTime, { assumeUtcIfNoZone: true }) : null;
  if (time === null) return reject('invalid_time', `eventTime ${JSON.stringify(record.eventTime).slice(0, 80)}`);
  const actor = resolveIdentity(record.userIdentity, record);
  return {
    kind: 'ok',
    value: {
      rec: record,
      name,
      service: serviceOf(str(record.eventSource)),
      time,
      id: str(record.eventID) || ctx.raw_sha256,
      account: str(record.recipientAccountId) || actor.account_id,
      actor,
      req: isObject(record.requestParameters) ? record.requestParameters : {},
      resp: isObject(record.responseElements) ? record.responseElements : {},
      error_code: str(record.errorCode),
      error_message: str(record.errorMessage),
    },
  };
}

/** success, or denied/failure from errorCode. */
export function outcomeOf(r: CtRecord): Outcome {
  if (r.error_code === '') return 'success';
  return DENIED_CODES.test(r.error_code) ? 'denied' : 'failure';
}

/** Credential the caller used: long-term key, temporary session key, or unknown (console cookie). */
export function callerAuthMethod(r: CtRecord): AuthMethod {
  if (r.actor.caller_key.startsWith('AKIA')) return 'access_key';
  if (r.actor.caller_key.startsWith('ASIA')) return 'token';
  return 'unknown';
}

/**
 * Fields shared by every event of a record: actor, time, network, session and base details. A new object (and
 * details object) per call, which the mappers complete in place: copying its ~12 fields into yet another object per
 * event cost about as much as building them.
 */
export function commonFields(r: CtRecord): Omit<EventFields, 'action'> & { details: Record<string, string> } {
  const details: Record<string, string> = { identity_kind: r.actor.kind };
  const put = (k: string, v: string): void => {
    if (v !== '') details[k] = v;
  };
  put('account_id', r.account);
  put('region', str(r.rec.awsRegion));
  put('event_source', str(r.rec.eventSource));
  put('role', r.actor.role);
  put('role_session_name', r.actor.role_session_name);
  put('caller_access_key_id', r.actor.caller_key);
  put('session_issuer', r.actor.session_issuer_arn);
  put('error_code', r.error_code);
  put('error_message', r.error_message.slice(0, 500));
  put('vpc_endpoint_id', str(r.rec.vpcEndpointId));
  const key = r.actor.caller_key;
  return {
    event_type: `${r.service || 'aws'}:${r.name}`,
    event_time: r.time,
    user: r.actor.user,
    user_raw: r.actor.user_raw,
    user_type: r.actor.user_type,
    outcome: outcomeOf(r),
    reason: r.error_code,
    // Temporary keys identify an STS session: the issuing call's new key equals later calls' caller key.
    session_id: key.startsWith('ASIA') ? key : '',
    src_ip: str(r.rec.sourceIPAddress),
    user_agent: str(r.rec.userAgent),
    details,
  };
}

const MONTHS: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };

/**
 * STS `credentials.expiration` is a locale string (`Mar 11, 2025, 10:02:03 AM`, UTC); parsed with an
 * explicit format. ISO strings pass through. Returns '' when unparseable.
 */
export function parseStsExpiration(value: string): string {
  const m = /^([A-Z][a-z]{2}) (\d{1,2}), (\d{4}),? (\d{1,2}):(\d{2}):(\d{2}) ?(AM|PM)$/.exec(value.trim());
  if (!m) return toIsoMs(value) ?? '';
  const month = MONTHS[m[1]];
  if (month === undefined) return '';
  let hour = Number(m[4]) % 12;
  if (m[7] === 'PM') hour += 12;
  const ms = Date.UTC(Number(m[3]), month, Number(m[2]), hour, Number(m[5]), Number(m[6]));
  return Number.isFinite(ms) ? new Date(ms).toISOString() : '';
}
