import type { Outcome, UserType } from '../../../schema/auth-event.ts';
import { canonicalUser, getPath, isObject, str, toIsoMs, type EventFields } from '../common.ts';
import { ok, reject, type StepResult } from '../step-result.ts';
import { debugDataOf, targetsOf } from './mfa.ts';

/** The validated core of one Okta LogEvent. */
export interface OktaRecord {
  readonly rec: Record<string, unknown>;
  readonly event_type: string;
  readonly time: string;
  readonly uuid: string;
  readonly actor_raw: string;
  readonly actor_type: string;
  readonly actor_id: string;
  /** `outcome.result` upper-cased (SUCCESS, FAILURE, ALLOW, DENY, CHALLENGE, ...). */
  readonly result: string;
  readonly reason: string;
  readonly debug: Record<string, string>;
  readonly targets: Record<string, unknown>[];
}

/** Values Okta writes instead of a real id/time in redacted exports; never a de-dup key. */
const PLACEHOLDER = new Set(['', 'null', 'unknown', 'redacted']);

/**
 * Checks the fields every Okta event needs, in an order that names the first real problem:
 * event type, time, actor, event id, outcome.
 */
export function parseOktaRecord(record: unknown): StepResult<OktaRecord> {
  if (!isObject(record)) return reject('unsupported_shape', 'Okta LogEvent must be a JSON object');
  const eventType = str(record.eventType).trim();
  if (eventType === '') return reject('missing_field', 'eventType');
  // Okta publishes UTC only; SIEM exports (e.g. Panther) re-render it without the zone designator.
  const time = toIsoMs(record.published, { assumeUtcIfNoZone: true });
  if (time === null) return reject('invalid_time', `published=${JSON.stringify(record.published ?? null)}`);
  const actor = record.actor;
  const actorRaw = isObject(actor) ? str(actor.alternateId).trim() : '';
  if (actorRaw === '' || actorRaw.toLowerCase() === 'unknown') return reject('missing_field', 'actor.alternateId');
  const uuid = str(record.uuid).trim();
  // NOTE: no raw-hash fallback for Okta: every real LogEvent has a uuid, and Event Hooks redeliver
  // (at-least-once), so a hash of a re-serialized record would turn one event into several.
  if (PLACEHOLDER.has(uuid.toLowerCase())) return reject('missing_event_id', 'uuid is null or empty');
  const result = str(getPath(record, ['outcome', 'result'])).trim().toUpperCase();
  if (result === '') return reject('missing_field', 'outcome.result');
  return ok({
    rec: record,
    event_type: eventType,
    time,
    uuid,
    actor_raw: actorRaw,
    actor_type: isObject(actor) ? str(actor.type) : '',
    actor_id: isObject(actor) ? str(actor.id) : '',
    result,
    reason: str(getPath(record, ['outcome', 'reason'])),
    debug: debugDataOf(record),
    targets: targetsOf(record),
  });
}

/**
 * `outcome.result` → canonical outcome. CHALLENGE (step-up required) did not grant access; it is a
 * policy decision, so `denied` — `details.okta_result=CHALLENGE` tells it apart from a real DENY.
 * Everything else that is not a success (FAILURE, SKIPPED, UNKNOWN, ABANDONED, UNANSWERED, ...) → failure.
 */
export function outcomeOf(result: string): Outcome {
  if (result === 'SUCCESS' || result === 'ALLOW') return 'success';
  if (result === 'DENY' || result === 'CHALLENGE') return 'denied';
  return 'failure';
}

function userTypeOf(actorType: string, login: string): UserType {
  if (login.toLowerCase() === 'system@okta.com') return 'service';
  switch (actorType) {
    case 'User': return 'human';
    case 'SystemPrincipal': case 'PublicClientApp': case 'Client': return 'service';
    default: return 'unknown';
  }
}

/** First target of a type, or undefined. */
export function targetOf(r: OktaRecord, type: string): Record<string, unknown> | undefined {
  return r.targets.find((t) => str(t.type) === type);
}

/** Canonical login of the `User` target (the subject of admin actions), or ''. */
export function targetUserOf(r: OktaRecord): string {
  const t = targetOf(r, 'User');
  const login = t ? str(t.alternateId) : '';
  return login === '' || login.toLowerCase() === 'unknown' ? '' : canonicalUser(login);
}

function putIf(details: Record<string, string>, key: string, value: string): void {
  // Okta writes the strings "null"/"unknown" where it has no value.
  if (value !== '' && value.toLowerCase() !== 'null' && value.toLowerCase() !== 'unknown') details[key] = value;
}

/** Fields shared by every Okta event: actor, client, session, outcome and the facts kept in details. */
export function baseFields(r: OktaRecord): EventFields {
  const rec = r.rec;
  const details: Record<string, string> = {};
  putIf(details, 'actor_id', r.actor_id);
  putIf(details, 'okta_result', r.result);
  putIf(details, 'transaction_id', str(getPath(rec, ['transaction', 'id'])));
  putIf(details, 'authn_request_id', r.debug.authnRequestId ?? '');
  putIf(details, 'risk', r.debug.risk ?? '');
  putIf(details, 'behaviors', r.debug.behaviors ?? '');
  if (r.debug.threatSuspected === 'true') details.threat_suspected = 'true';
  putIf(details, 'client_zone', str(getPath(rec, ['client', 'zone'])));
  if (getPath(rec, ['securityContext', 'isProxy']) === true) details.is_proxy = 'true';
  const apiToken = str(getPath(rec, ['transaction', 'detail', 'requestApiTokenId']));
  putIf(details, 'api_token_id', apiToken);
  const sessionId = str(getPath(rec, ['authenticationContext', 'externalSessionId']));
  return {
    event_type: r.event_type,
    event_time: r.time,
    action: 'login',
    user_raw: r.actor_raw,
    user_type: userTypeOf(r.actor_type, r.actor_raw),
    outcome: outcomeOf(r.result),
    reason: r.reason !== '' ? r.reason : r.result === 'SUCCESS' ? '' : r.result,
    session_id: sessionId === 'unknown' ? '' : sessionId,
    src_ip: str(getPath(rec, ['client', 'ipAddress'])),
    user_agent: str(getPath(rec, ['client', 'userAgent', 'rawUserAgent'])),
    resource_type: 'idp_app',
    details,
  };
}
