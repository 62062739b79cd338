import type { AuthMethod, MfaEvidence, MfaMethod, Outcome, UserType } from '../../../schema/auth-event.ts';
import { environmentOf, getPath, globMatch, isObject, isPrivilegedResource, str, type EventFields } from '../common.ts';
import type { NormalizeContext } from '../normalizer.ts';

/** One Boundary `APIRequest` audit event with the envelope facts every handler needs. */
export interface BoundaryRequest {
  readonly data: Record<string, unknown>;
  readonly time: string;
  readonly path: string;
  readonly method: string;
  readonly status: number;
  /** `data.auth.user_info.id` (`u_anon` before login). */
  readonly user_id: string;
  readonly account_id: string;
}

/** Fields a handler decides; event_type/event_time are filled by the caller. */
export type RequestFields = Omit<EventFields, 'event_type' | 'event_time'>;

/** Auth facts by auth method / account prefix: OIDC delegates MFA to the IdP; password/LDAP have none. */
interface MethodFacts {
  readonly auth_method: AuthMethod;
  readonly mfa_method: MfaMethod;
  readonly mfa_evidence: MfaEvidence;
  readonly user_type: UserType;
}

const OIDC: MethodFacts = { auth_method: 'sso', mfa_method: 'unknown', mfa_evidence: 'external_idp', user_type: 'human' };
// Password and LDAP accounts are often service or shared accounts, which the id alone cannot tell apart.
const PASSWORD: MethodFacts = { auth_method: 'password', mfa_method: 'none', mfa_evidence: 'not_performed', user_type: 'unknown' };
const UNKNOWN: MethodFacts = { auth_method: 'unknown', mfa_method: 'unknown', mfa_evidence: 'unknown', user_type: 'unknown' };

/** Facts from an auth method id (`amoidc_`, `ampw_`, `amldap_`) or account id (`acctoidc_`, `acctpw_`, `acctldap_`). */
export function methodFacts(id: string): MethodFacts {
  if (/^(amoidc|acctoidc)_/.test(id)) return OIDC;
  if (/^(ampw|acctpw|amldap|acctldap)_/.test(id)) return PASSWORD;
  return UNKNOWN;
}

/** HTTP status → outcome; 403 is an authorization decision, 401 a bad/expired credential. */
export function outcomeOfStatus(status: number, unauthorizedAs: Outcome = 'failure'): Outcome {
  if (status >= 200 && status < 400) return 'success';
  if (status === 403) return 'denied';
  if (status === 401) return unauthorizedAs;
  return 'failure';
}

/** Grants strings of the caller (`ids=*;type=*;actions=*`, ...). */
export function grantsOf(data: Record<string, unknown>): string[] {
  const grants = getPath(data, ['auth', 'grants_info', 'grants']);
  if (!Array.isArray(grants)) return [];
  return grants.map((g) => (isObject(g) ? str(g.grant) : '')).filter((g) => g !== '');
}

/** A wildcard grant (all ids, all actions) makes the caller an admin of that scope. */
export function hasWildcardGrant(grants: readonly string[]): boolean {
  return grants.some((g) => {
    const parts = new Map(g.split(';').map((kv) => [kv.split('=')[0]?.trim() ?? '', kv.slice(kv.indexOf('=') + 1).trim()]));
    return parts.get('ids') === '*' && (parts.get('actions') ?? '').split(',').includes('*');
  });
}

/** Environment: policy rule on the resource, then name heuristics on the resource, then on the scope name. */
function environmentFor(ctx: NormalizeContext, resource: string, scopeName: string): RequestFields['environment'] {
  const rule = ctx.policy.environment_rules.find((x) => globMatch(x.pattern, resource));
  if (rule) return rule.environment;
  const byName = environmentOf(resource, ctx.policy);
  return byName !== 'unknown' || scopeName === '' ? byName : environmentOf(scopeName, ctx.policy);
}

/** Facts shared by every request event. */
function common(req: BoundaryRequest): Pick<RequestFields, 'src_ip' | 'user_agent'> & { details: Record<string, string> } {
  const details: Record<string, string> = { via: 'boundary', request_path: req.path };
  const token = str(getPath(req.data, ['auth', 'auth_token_id']));
  if (token) details.auth_token_id = token;
  if (req.account_id) details.account_id = req.account_id;
  // email/name are "sensitive" fields: keep them only when written in clear text, never as the identity.
  const email = str(getPath(req.data, ['auth', 'email']));
  if (/^[^@\s[\]]+@[^@\s]+$/.test(email)) details.email = email.toLowerCase();
  if (req.status) details.status_code = String(req.status);
  return { src_ip: str(getPath(req.data, ['request_info', 'client_ip'])), user_agent: '', details };
}

/** `POST /v1/auth-methods/{id}:authenticate` with command token/login: a completed login (or its failure). */
export function authenticate(req: BoundaryRequest, authMethodId: string): RequestFields {
  const c = common(req);
  const attrs = getPath(req.data, ['response', 'details', 'attributes']);
  const a = isObject(attrs) ? attrs : {};
  const loginName = str(getPath(req.data, ['request', 'details', 'attributes', 'login_name']));
  const userId = str(a.user_id) || (req.user_id !== 'u_anon' ? req.user_id : '') || loginName || req.user_id || 'u_anon';
  const facts = methodFacts(authMethodId);
  const outcome = outcomeOfStatus(req.status);
  const details: Record<string, string> = { ...c.details, auth_method_id: authMethodId };
  if (loginName) details.login_name = loginName;
  if (str(a.account_id)) details.account_id = str(a.account_id);
  if (str(a.id)) details.issued_auth_token_id = str(a.id);
  if (str(a.expiration_time)) details.token_expires = str(a.expiration_time);
  if (str(a.scope_id)) details.scope_id = str(a.scope_id);
  return {
    ...c,
    action: 'login',
    user_raw: userId,
    user_type: userId === 'u_anon' ? 'unknown' : facts.user_type,
    resource: 'boundary',
    resource_type: 'application',
    auth_method: facts.auth_method,
    mfa_method: facts.mfa_method,
    mfa_evidence: outcome === 'success' ? facts.mfa_evidence : 'unknown',
    outcome,
    details,
  };
}

/** `POST /v1/targets/{id}:authorize-session`: the grant of a session to a target (403 = denied). */
export function authorizeSession(req: BoundaryRequest, targetId: string, ctx: NormalizeContext): RequestFields {
  const c = common(req);
  const itemRaw = getPath(req.data, ['response', 'details', 'item']);
  const item = isObject(itemRaw) ? itemRaw : {};
  const target = str(item.target_id) || targetId;
  const scopeName = str(getPath(item, ['scope', 'name']));
  const grants = grantsOf(req.data);
  const facts = methodFacts(req.account_id);
  const details: Record<string, string> = { ...c.details, target_id: target };
  for (const [key, field] of [['host_id', 'host_id'], ['host_set_id', 'host_set_id'], ['endpoint', 'endpoint'],
    ['target_type', 'type'], ['session_expires', 'expiration']] as const) {
    if (str(item[field])) details[key] = str(item[field]);
  }
  if (scopeName) details.scope = scopeName;
  const scopeId = str(getPath(item, ['scope', 'id']));
  if (scopeId) details.scope_id = scopeId;
  if (grants.length > 0) details.grants = grants.join(' | ');
  return {
    ...c,
    action: 'session_start',
    user_raw: req.user_id,
    user_type: facts.user_type,
    resource: target,
    resource_type: 'server',
    environment: environmentFor(ctx, target, scopeName),
    privileged: hasWildcardGrant(grants) || isPrivilegedResource(target, ctx.policy),
    auth_method: facts.auth_method === 'unknown' ? 'token' : facts.auth_method,
    mfa_method: facts.mfa_method,
    mfa_evidence: facts.mfa_evidence,
    // An expired or revoked token refused at authorization is the revocation taking effect.
    outcome: outcomeOfStatus(req.status, 'denied'),
    session_id: str(item.session_id),
    details,
  };
}

/**
 * `POST /v1/sessions/{id}:cancel`: ending one's own session is a session_end; cancelling another user's
 * session is a revocation with that user as target.
 */
export function cancelSession(req: BoundaryRequest, sessionId: string): RequestFields {
  const c = common(req);
  const itemRaw = getPath(req.data, ['response', 'details', 'item']);
  const item = isObject(itemRaw) ? itemRaw : {};
  const owner = str(item.user_id);
  const self = owner === '' || owner === req.user_id;
  const details: Record<string, string> = { ...c.details, session_id: sessionId };
  if (str(item.target_id)) details.target_id = str(item.target_id);
  if (str(item.status)) details.session_status = str(item.status);
  return {
    ...c,
    action: self ? 'session_end' : 'access_revoked',
    user_raw: req.user_id,
    user_type: methodFacts(req.account_id).user_type,
    target_user: self ? '' : owner,
    resource: str(item.target_id),
    resource_type: 'server',
    privileged: hasWildcardGrant(grantsOf(req.data)),
    outcome: outcomeOfStatus(req.status, 'denied'),
    session_id: sessionId,
    details,
  };
}

/**
 * `DELETE /v1/auth-tokens/{id}`: deleting one's own token is a logout (session_end); deleting another's is a
 * revocation. The owner of another token is not in the record, so target_user stays empty and the
 * correlator joins on details.revoked_auth_token_id (= the login's details.issued_auth_token_id).
 */
export function deleteAuthToken(req: BoundaryRequest, tokenId: string): RequestFields {
  const c = common(req);
  const self = str(getPath(req.data, ['auth', 'auth_token_id'])) === tokenId;
  return {
    ...c,
    action: self ? 'session_end' : 'access_revoked',
    user_raw: req.user_id,
    user_type: methodFacts(req.account_id).user_type,
    resource: 'boundary',
    resource_type: 'application',
    privileged: hasWildcardGrant(grantsOf(req.data)),
    outcome: outcomeOfStatus(req.status, 'denied'),
    details: { ...c.details, revoked_auth_token_id: tokenId },
  };
}

/** `POST /v1/roles/{id}:add-principals|set-principals|remove-principals`: one event per principal. */
export function rolePrincipals(req: BoundaryRequest, roleId: string, op: string): RequestFields[] {
  const c = common(req);
  const raw = getPath(req.data, ['request', 'details', 'principal_ids']);
  const principals = Array.isArray(raw) ? raw.map(str).filter((p) => p !== '') : [];
  const base: RequestFields = {
    ...c,
    action: 'privilege_change',
    user_raw: req.user_id,
    user_type: methodFacts(req.account_id).user_type,
    resource: 'boundary',
    resource_type: 'application',
    privileged: true,
    outcome: outcomeOfStatus(req.status, 'denied'),
    details: { ...c.details, role: roleId, operation: op },
  };
  return principals.length === 0 ? [base] : principals.map((p) => ({ ...base, target_user: p }));
}
