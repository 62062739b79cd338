/**
 * HashiCorp Boundary controller events (`cloudevents-json` sink) → AuthEvents.
 *
 * Mapping decisions:
 * - Only `type=audit` events with `data.type=APIRequest` carry access facts; `type=error` events of an
 *   authenticate/OIDC-callback request become a failed login (that is how a rejected IdP callback shows
 *   up); observation/system events are dropped. `data` that is not an object is rejected.
 * - Either envelope key `datacontentype` (what Boundary writes, sic) or `datacontenttype` is accepted;
 *   neither is required.
 * - Event id = `data.id` (one audit event per request); error events use `<data.id>#error`.
 * - Actor = `data.auth.user_info.id` (`u_…`): email/name are "sensitive" fields that may be redacted or
 *   HMAC'd, so they are kept in details.email only when in clear text, never used as the identity.
 *   For logins the actor is the token's `user_id` from the response (the request is still `u_anon`).
 * - `:authenticate` command `start` and the OIDC callback redirect are flow steps → dropped; the
 *   `token`/`login` command is the login. amoidc_/acctoidc_ → sso, mfa_evidence external_idp, human;
 *   ampw_/amldap_ → password, mfa none/not_performed, user_type unknown (often service accounts).
 * - `:authorize-session` → session_start on the target: resource = target id (the target name is not
 *   in the audit record), session_id = `s_…`, environment from the target or its scope name.
 * - Privileged: the caller holds a wildcard grant (`ids=*` and `actions=*`), or the target matches
 *   policy.privileged_resources; role principal changes are always privileged.
 * - Revocations: cancelling someone else's session → access_revoked (target_user = session owner);
 *   one's own → session_end. `DELETE /v1/auth-tokens/{id}` → access_revoked (session_end when the
 *   caller deletes its own token). When request_info is null, an authenticate request is recognised by
 *   `request.details.auth_method_id`.
 *
 * details keys added here: via, request_path, auth_token_id, account_id, email, status_code,
 * auth_method_id, login_name, issued_auth_token_id, token_expires, scope_id, target_id, host_id,
 * host_set_id, endpoint, target_type, session_expires, scope, grants, session_id, session_status,
 * revoked_auth_token_id, role, operation, error.
 */
import type { AuthEvent } from '../../schema/auth-event.ts';
import { buildEvent, canonicalUser, getPath, isObject, str, toIsoMs } from './common.ts';
import type { NormalizeContext, Normalizer } from './normalizer.ts';
import { drop, ok, reject, type StepResult } from './step-result.ts';
import {
  authenticate, authorizeSession, cancelSession, deleteAuthToken, methodFacts, rolePrincipals,
  type BoundaryRequest, type RequestFields,
} from './boundary/requests.ts';

const AUTHENTICATE = /^\/v1\/auth-methods\/([^/:]+):authenticate$/;
const OIDC_CALLBACK = /:authenticate:callback$/;
const AUTHORIZE = /^\/v1\/targets\/([^/:]+):authorize-session$/;
const CANCEL = /^\/v1\/sessions\/([^/:]+):cancel$/;
const AUTH_TOKEN = /^\/v1\/auth-tokens\/([^/:]+)$/;
const ROLE_PRINCIPALS = /^\/v1\/roles\/([^/:]+):(add|set|remove)-principals$/;

function statusOf(data: Record<string, unknown>): number {
  const s = getPath(data, ['response', 'status_code']);
  return typeof s === 'number' ? s : Number(str(s) || '0');
}

/** Path and method of the request; with request_info missing, an authenticate call is inferred from its body. */
function routeOf(data: Record<string, unknown>): { path: string; method: string } | null {
  const path = str(getPath(data, ['request_info', 'path']));
  if (path) return { path, method: str(getPath(data, ['request_info', 'method'])).toUpperCase() };
  const am = str(getPath(data, ['request', 'details', 'auth_method_id']));
  return am ? { path: `/v1/auth-methods/${am}:authenticate`, method: 'POST' } : null;
}

/** Stable event type: method + path template (`POST /v1/targets/{id}:authorize-session`). */
function eventTypeOf(method: string, path: string): string {
  return `${method} ${path.replace(/^(\/v1\/[a-z-]+)\/[^/:]+/, '$1/{id}')}`;
}

/** Routes one audit APIRequest to its handler; unmatched paths are API noise. */
function handleRequest(req: BoundaryRequest, ctx: NormalizeContext): StepResult<RequestFields[]> {
  let m = AUTHENTICATE.exec(req.path);
  if (m) {
    const command = str(getPath(req.data, ['request', 'details', 'command'])) || str(getPath(req.data, ['response', 'details', 'command']));
    // OIDC `start` only returns the IdP URL; the login completes with `token`.
    if (command === 'start') return drop('auth_flow_step');
    return ok([authenticate(req, m[1])]);
  }
  if (OIDC_CALLBACK.test(req.path)) return drop('auth_flow_step');
  if ((m = AUTHORIZE.exec(req.path))) return ok([authorizeSession(req, m[1], ctx)]);
  if ((m = CANCEL.exec(req.path))) return ok([cancelSession(req, m[1])]);
  if ((m = AUTH_TOKEN.exec(req.path)) && req.method === 'DELETE') return ok([deleteAuthToken(req, m[1])]);
  if ((m = ROLE_PRINCIPALS.exec(req.path))) return ok(rolePrincipals(req, m[1], `${m[2]}-principals`));
  return drop('not_access_event');
}

/** An error event of a login request (e.g. the IdP refused the OIDC callback) is a failed login. */
function errorEvent(record: Record<string, unknown>, data: Record<string, unknown>, ctx: NormalizeContext): StepResult<AuthEvent[]> {
  const path = str(getPath(data, ['request_info', 'path']));
  if (!OIDC_CALLBACK.test(path) && !AUTHENTICATE.exec(path)) return drop('ignored_event_type');
  const time = toIsoMs(record.time) ?? toIsoMs(data.timestamp);
  if (time === null) return reject('invalid_time', `time=${JSON.stringify(record.time) ?? 'undefined'}`);
  const am = AUTHENTICATE.exec(path)?.[1] ?? (OIDC_CALLBACK.test(path) ? 'amoidc_' : '');
  const facts = methodFacts(am);
  const id = str(data.id) || str(record.id);
  const error = str(data.error);
  const details: Record<string, string> = { via: 'boundary', request_path: path };
  if (str(data.op)) details.operation = str(data.op);
  if (error) details.error = error;
  return ok([buildEvent('boundary', id ? `${id}#error` : ctx.raw_sha256, {
    event_type: `error ${eventTypeOf(str(getPath(data, ['request_info', 'method'])).toUpperCase(), path)}`,
    event_time: time,
    action: 'login',
    user_raw: 'u_anon',
    user_type: 'unknown',
    resource: 'boundary',
    resource_type: 'application',
    auth_method: facts.auth_method,
    outcome: 'failure',
    reason: error,
    src_ip: str(getPath(data, ['request_info', 'client_ip'])),
    details,
  }, ctx)]);
}

function normalizeBoundary(record: unknown, ctx: NormalizeContext): StepResult<AuthEvent[]> {
  if (!isObject(record)) return reject('unsupported_shape', 'expected a CloudEvents JSON object');
  if (!('data' in record)) return reject('missing_field', 'data');
  const data = record.data;
  if (!isObject(data)) return reject('unsupported_shape', `data is ${data === null ? 'null' : typeof data}, expected an object`);
  const type = str(record.type);
  if (type === 'error') return errorEvent(record, data, ctx);
  if (type !== 'audit') return type === '' ? reject('missing_field', 'type') : drop('ignored_event_type');
  if (str(data.type) !== 'APIRequest') return drop('ignored_event_type');
  const time = toIsoMs(data.timestamp) ?? toIsoMs(record.time);
  if (time === null) return reject('invalid_time', `data.timestamp=${JSON.stringify(data.timestamp) ?? 'undefined'}`);
  const route = routeOf(data);
  if (!route) return reject('missing_field', 'data.request_info.path');
  const req: BoundaryRequest = {
    data,
    time,
    path: route.path,
    method: route.method,
    status: statusOf(data),
    user_id: str(getPath(data, ['auth', 'user_info', 'id'])) || 'u_anon',
    account_id: str(getPath(data, ['auth', 'user_info', 'auth_account_id'])),
  };
  const r = handleRequest(req, ctx);
  if (r.kind !== 'ok') return r;
  const id = str(data.id) || str(record.id) || ctx.raw_sha256;
  const many = r.value.length > 1;
  return ok(r.value.map((f, i) => buildEvent('boundary', many && i > 0 ? `${id}#${i}` : id, {
    ...f,
    event_type: eventTypeOf(route.method, route.path),
    event_time: time,
    target_user: f.target_user ? canonicalUser(f.target_user) : '',
  }, ctx)));
}

/** HashiCorp Boundary audit event normalizer (controller `cloudevents-json` file/stderr sinks). */
export const boundaryNormalizer: Normalizer = {
  source: 'boundary',
  format: 'json',
  partitionKey(record: unknown): string {
    return str(getPath(record, ['data', 'auth', 'user_info', 'id']));
  },
  normalize: normalizeBoundary,
};
