/**
 * Okta System Log normalizer (Classic and Identity Engine), per shared/formats/okta.md.
 *
 * details keys written here (snake_case):
 *   actor_id          Okta user id of the actor (`00u…`); stable when logins are renamed
 *   okta_result       raw `outcome.result` (SUCCESS, FAILURE, ALLOW, DENY, CHALLENGE, ...)
 *   transaction_id    `transaction.id` (one HTTP request); authn_request_id: `debugData.authnRequestId`
 *   risk, behaviors   `debugData.risk` / `debugData.behaviors` as logged (push-fatigue triage)
 *   threat_suspected  'true' when `debugData.threatSuspected` is "true"
 *   client_zone       matched network zone name; is_proxy: 'true' when `securityContext.isProxy`
 *   api_token_id      `transaction.detail.requestApiTokenId` (event caused by an API token)
 *   policy, policy_rule  sign-on policy and rule names of `policy.evaluate_sign_on`
 *   mfa_step          'challenge_sent' (push sent) | 'denied_by_user' (push denied)
 *   factor_change     deactivate | reset_all | suspend | unsuspend (factor lifecycle)
 *   lifecycle         deactivate | suspend | delete.initiated | create | activate | reset_password ...
 *   group, app, role  group / app / admin role (privilegeGranted text) an admin change is about
 *   token_name, token_id  API token created or revoked
 */
import type { AuthEvent } from '../../schema/auth-event.ts';
import { buildEvent, canonicalUser, getPath, isObject, isPrivilegedResource, str } from './common.ts';
import type { NormalizeContext, Normalizer } from './normalizer.ts';
import { fieldsForKind, OKTA_EVENT_KINDS } from './okta/event-types.ts';
import { baseFields, parseOktaRecord } from './okta/record.ts';
import { drop, ok, reject, type StepResult } from './step-result.ts';

/**
 * Splits Okta envelopes into LogEvents: Event Hook deliveries (`{"data":{"events":[...]}}`), EventBridge
 * Log Streaming (`{"source":"aws.partner/okta.com/…","detail":{…}}`). API pages (top-level arrays) are
 * already split by the generic framing. An Okta API error body is rejected.
 */
function unwrapOkta(doc: unknown): StepResult<unknown[]> {
  if (!isObject(doc)) return ok([doc]);
  const events = getPath(doc, ['data', 'events']);
  if (Array.isArray(events)) return events.length === 0 ? drop('empty_batch') : ok(events);
  if (isObject(doc.detail) && str(doc.source).startsWith('aws.partner/okta.com')) return ok([doc.detail]);
  if (typeof doc.errorCode === 'string' && doc.eventType === undefined) {
    return reject('api_error', `${doc.errorCode}: ${str(doc.errorSummary)}`);
  }
  return ok([doc]);
}

function normalizeOkta(record: unknown, ctx: NormalizeContext): StepResult<AuthEvent[]> {
  const parsed = parseOktaRecord(record);
  if (parsed.kind !== 'ok') return parsed;
  const r = parsed.value;
  const kind = OKTA_EVENT_KINDS[r.event_type];
  if (!kind) return drop('unmapped_event_type');
  const base = baseFields(r);
  const specific = fieldsForKind(kind, r, base);
  // base and its details are new per event: completed in place rather than copied (~20 fields per event).
  const details: Record<string, string> = base.details ?? {};
  for (const [k, v] of Object.entries(specific.details ?? {})) if (v !== '') details[k] = v;
  const fields = Object.assign(base, specific, { details } as const);
  // A membership change on a group the policy calls privileged (e.g. `*admins*`) is a privileged change.
  if (details.group && isPrivilegedResource(details.group, ctx.policy)) fields.privileged = true;
  return ok([buildEvent('okta', r.uuid, fields, ctx)]);
}

/** Okta System Log: poll pages, Event Hook deliveries and Log Streaming records. */
export const oktaNormalizer: Normalizer = {
  source: 'okta',
  format: 'json',
  unwrap: unwrapOkta,
  partitionKey(record: unknown): string {
    const login = str(getPath(record, ['actor', 'alternateId'])).trim();
    return login === '' ? '' : canonicalUser(login).toLowerCase();
  },
  normalize: normalizeOkta,
};
