/**
 * Google Workspace login audit normalizer: Admin SDK Reports `activity` resources of application `login`
 * (and the account-security events of `user_accounts`). One AuthEvent per `events[]` element.
 *
 * `details` keys written by this source: `customer_id`, `profile_id`, `application`, `login_type`,
 * `challenge_methods` (comma list of login_challenge_method), `challenge_status`, `is_second_factor`,
 * `is_suspicious`, `failure_type`, `affected_email`, `login_time` (login_timestamp as ISO), `sensitive_action`,
 * `risk_event` (account_warning event name), `skipped_events` (unsupported event names in the same activity).
 */
import type { Action, AuthEvent, Outcome } from '../../schema/auth-event.ts';
import { buildEvent, getPath, isObject, isRealMfa, PHISHING_RESISTANT_METHODS, str, toIsoMs } from './common.ts';
import {
  authMethodOf, challengeOutcome, factorOf, failureOutcome, methodsOf, paramsOf, pStr, type Factor, type Params,
} from './google/mapping.ts';
import type { NormalizeContext, Normalizer } from './normalizer.ts';
import { ok, reject, type StepResult } from './step-result.ts';

/** Applications whose events this normalizer understands. */
const APPLICATIONS: ReadonlySet<string> = new Set(['login', 'user_accounts']);

/** Fields decided per event name; the rest (actor, time, resource) are shared by the activity. */
interface Decided {
  action: Action;
  outcome: Outcome;
  reason?: string;
  factor?: Factor;
  verified?: boolean;
  target_user?: string;
}

function decide(name: string, type: string, params: Params, actor: string): Decided | undefined {
  const methods = methodsOf(params);
  const loginType = pStr(params, 'login_type').toLowerCase();
  const affected = pStr(params, 'affected_email_address').toLowerCase();
  switch (name) {
    case 'login_success': {
      const factor = factorOf(methods, loginType);
      return { action: 'login', outcome: 'success', factor, verified: factor.evidence === 'performed' };
    }
    case 'login_failure': {
      const f = factorOf(methods, loginType);
      const failureType = pStr(params, 'login_failure_type');
      const factor: Factor = { ...f, evidence: f.evidence === 'external_idp' ? f.evidence : 'not_performed' };
      return { action: 'login', outcome: failureOutcome(failureType), reason: failureType || 'login_failure', factor };
    }
    case 'login_verification':
    case 'login_challenge':
    case 'risky_sensitive_action_allowed':
    case 'risky_sensitive_action_blocked': {
      const f = factorOf(methods, '');
      const status = pStr(params, 'login_challenge_status');
      const blocked = name === 'risky_sensitive_action_blocked';
      // A challenge with no readable status proves nothing: recorded as a failure, never as MFA.
      const outcome: Outcome = blocked ? 'denied' : challengeOutcome(status) ?? (name === 'risky_sensitive_action_allowed' ? 'success' : 'failure');
      const secondFactor = params.get('is_second_factor') !== false;
      const verified = outcome === 'success' && secondFactor && isRealMfa(f.method);
      const factor: Factor = { ...f, evidence: verified ? 'performed' : f.evidence === 'performed' ? 'not_performed' : f.evidence };
      const reason = outcome === 'success' ? '' : status || (blocked ? name : 'challenge_status_unknown');
      return { action: 'mfa_verify', outcome, reason, factor, verified };
    }
    case 'logout':
      return { action: 'session_end', outcome: 'success' };
    case '2sv_enroll':
    case 'titanium_enroll':
      return { action: 'mfa_enroll', outcome: 'success', reason: name };
    case '2sv_disable':
    case 'titanium_unenroll':
    case 'password_edit':
    case 'recovery_email_edit':
    case 'recovery_phone_edit':
    case 'recovery_secret_qa_edit':
      return { action: 'account_change', outcome: 'success', reason: name };
    default:
      break;
  }
  if (name.startsWith('account_disabled_')) {
    return { action: 'access_revoked', outcome: 'success', reason: name, target_user: affected || actor };
  }
  // Risk signals (suspicious_login*, gov_attack_warning, ...): a fact about the account, not a login.
  if (type === 'account_warning' || name.startsWith('suspicious_')) {
    return { action: 'account_change', outcome: 'success', reason: name, target_user: affected || actor };
  }
  return undefined;
}

function detailsOf(name: string, type: string, params: Params, base: Record<string, string>): Record<string, string> {
  const bool = (k: string): string => (typeof params.get(k) === 'boolean' ? String(params.get(k)) : '');
  const ts = pStr(params, 'login_timestamp');
  const d: Record<string, string> = {
    ...base,
    login_type: pStr(params, 'login_type'),
    challenge_methods: methodsOf(params).join(','),
    challenge_status: pStr(params, 'login_challenge_status'),
    is_second_factor: bool('is_second_factor'),
    is_suspicious: bool('is_suspicious'),
    failure_type: pStr(params, 'login_failure_type'),
    affected_email: pStr(params, 'affected_email_address').toLowerCase(),
    // login_timestamp is epoch microseconds.
    login_time: /^\d+$/.test(ts) ? toIsoMs(Number(ts)) ?? '' : '',
    sensitive_action: pStr(params, 'sensitive_action_name'),
    risk_event: type === 'account_warning' ? name : '',
  };
  for (const k of Object.keys(d)) if (d[k] === '') delete d[k];
  return d;
}

/** Splits a list page (`{"kind":"admin#reports#activities","items":[...]}`) into activities. */
function unwrapGoogle(doc: unknown): StepResult<unknown[]> {
  if (!isObject(doc) || 'events' in doc || 'id' in doc) return ok([doc]);
  if (doc.kind === 'admin#reports#activities' || 'items' in doc || 'nextPageToken' in doc) {
    if (doc.items === undefined || doc.items === null) return ok([]);
    if (!Array.isArray(doc.items)) return reject('unsupported_shape', '`items` is not an array');
    return ok(doc.items);
  }
  return ok([doc]);
}

function partitionKeyGoogle(record: unknown): string {
  if (!isObject(record) || !isObject(record.actor)) return '';
  return str(record.actor.email).trim().toLowerCase();
}

/** What every event of one activity shares. */
interface Activity {
  events: unknown[];
  event_time: string;
  base_id: string;
  user_raw: string;
  user_type: 'human' | 'service';
  resource: string;
  src_ip: string;
  base_details: Record<string, string>;
}

/** Validates the activity envelope: application, events[], time, vendor id and actor. */
function activityOf(record: unknown): StepResult<Activity> {
  if (!isObject(record)) return reject('unsupported_shape', 'record is not a JSON object');
  const id = isObject(record.id) ? record.id : {};
  const app = str(id.applicationName) || 'login';
  if (!APPLICATIONS.has(app)) return reject('unsupported_application', app);
  // Some exporters (Elastic, the samples' malformed case) flatten a one-event `events[]` to a single object:
  // the format notes say to normalize both shapes.
  const events = isObject(record.events) ? [record.events] : record.events;
  if (!Array.isArray(events)) {
    return reject('unsupported_shape', events === undefined ? 'no events[] (flattened activity)' : 'events is not an array');
  }
  if (events.length === 0) return reject('missing_field', 'events');
  if (id.time === undefined || id.time === null || id.time === '') return reject('missing_field', 'id.time');
  // Reports API times are RFC 3339 UTC; a collector that dropped the `Z` still means UTC.
  const eventTime = toIsoMs(id.time, { assumeUtcIfNoZone: true });
  if (!eventTime) return reject('invalid_time', `id.time: ${str(id.time).slice(0, 64)}`);
  // NOTE: without uniqueQualifier the activity has no vendor id; a raw hash would change whenever
  // the collector re-serializes it and break de-duplication of overlapping polls, so it is rejected.
  const qualifier = str(id.uniqueQualifier);
  if (qualifier === '') return reject('missing_event_id', 'id.uniqueQualifier');
  const actor = isObject(record.actor) ? record.actor : {};
  const userRaw = str(actor.email) || str(actor.key) || str(actor.profileId);
  if (userRaw === '') return reject('missing_field', 'actor.email');
  const customer = str(id.customerId);
  return ok({
    events,
    event_time: eventTime,
    base_id: `${app}/${eventTime}/${qualifier}`,
    user_raw: userRaw,
    user_type: str(actor.email) === '' || str(actor.callerType).toUpperCase() === 'KEY' ? 'service' : 'human',
    resource: customer ? `google-workspace:${customer}` : 'google-workspace',
    src_ip: str(record.ipAddress),
    base_details: { application: app, customer_id: customer, profile_id: str(actor.profileId) },
  });
}

/** One event of the activity → AuthEvent, or undefined when the event name is not understood. */
function eventOf(act: Activity, i: number, ctx: NormalizeContext): AuthEvent | undefined {
  const ev: unknown = act.events[i];
  if (!isObject(ev)) return undefined;
  const name = str(ev.name);
  const type = str(ev.type);
  const params = paramsOf(ev);
  const decided = params ? decide(name, type, params, act.user_raw.toLowerCase()) : undefined;
  if (!params || !decided) return undefined;
  const f = decided.factor;
  const verified = decided.verified ?? false;
  const loginType = pStr(params, 'login_type').toLowerCase();
  return buildEvent('google', act.events.length > 1 ? `${act.base_id}#${i}` : act.base_id, {
    event_type: name,
    event_time: act.event_time,
    action: decided.action,
    user_raw: act.user_raw,
    user_type: act.user_type,
    target_user: decided.target_user ?? '',
    resource: act.resource,
    resource_type: 'idp_app',
    auth_method: decided.action === 'login' ? authMethodOf(methodsOf(params), loginType) : undefined,
    mfa_method: f?.method,
    mfa_method_raw: f?.raw,
    mfa_verified: verified,
    mfa_evidence: f?.evidence,
    phishing_resistant: verified && f !== undefined && PHISHING_RESISTANT_METHODS.has(f.method),
    outcome: decided.outcome,
    reason: decided.reason ?? '',
    src_ip: act.src_ip,
    details: detailsOf(name, type, params, act.base_details),
  }, ctx);
}

function normalizeGoogle(record: unknown, ctx: NormalizeContext): StepResult<AuthEvent[]> {
  const act = activityOf(record);
  if (act.kind !== 'ok') return act.kind === 'reject' ? reject(act.reason, act.detail) : reject('unsupported_shape', act.reason);
  const out: AuthEvent[] = [];
  const skipped: string[] = [];
  for (let i = 0; i < act.value.events.length; i++) {
    const e = eventOf(act.value, i, ctx);
    if (e) out.push(e);
    else skipped.push(str(getPath(act.value.events[i], ['name'])) || `#${i}`);
  }
  if (out.length === 0) return reject('unsupported_event', skipped.join(','));
  if (skipped.length > 0) for (const e of out) e.details.skipped_events = skipped.join(',');
  return ok(out);
}

/** Normalizer for the Google Workspace login audit (Admin SDK Reports API). */
export const googleNormalizer: Normalizer = {
  source: 'google',
  format: 'json',
  unwrap: unwrapGoogle,
  partitionKey: partitionKeyGoogle,
  normalize: normalizeGoogle,
};
