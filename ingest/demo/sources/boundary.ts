/**
 * HashiCorp Boundary controller audit events in `cloudevents-json` (formats/boundary.md). The demo
 * controller's sink writes `email`/`name` in clear text (audit_filter_overrides: sensitive = "").
 */
import { INFRA, type Person } from '../org.ts';
import { ALPHABET, type Rng } from '../prng.ts';
import { isoNanoZ, MS } from '../time-format.ts';
import type { World } from '../world.ts';

/** Boundary targets of the demo org. */
export const BOUNDARY_TARGETS = {
  prod_db: { id: 'ttcp_Pq7LmN2xRt', type: 'tcp', endpoint: 'tcp://10.40.1.15:5432', host: 'hst_Fj1Db0Prod1', scope: 'prod' },
  staging_db: { id: 'ttcp_Sg4KdW9vBe', type: 'tcp', endpoint: 'tcp://10.41.1.15:5432', host: 'hst_Fj1Db0Stg01', scope: 'staging' },
  prod_ssh: { id: 'tssh_Ap2ZcX8yHu', type: 'ssh', endpoint: 'tcp://10.40.2.22:22', host: 'hst_Fj1App0002', scope: 'prod' },
} as const;

/** One Boundary target. */
export type BoundaryTarget = (typeof BOUNDARY_TARGETS)[keyof typeof BOUNDARY_TARGETS];
type Target = BoundaryTarget;

const SOURCE = 'https://hashicorp.com/boundary/boundary-controller-1/controller';
const SCOPES = { prod: 'p_FjProd0001', staging: 'p_FjStag0001' } as const;
const ORG_SCOPE = 'o_FjOrg00001';

/** Who calls the API: an authenticated user with a token, or anonymous. */
export interface BoundaryCaller {
  readonly user_id: string;
  readonly account_id: string;
  readonly token_id: string;
  readonly email?: string;
  readonly name?: string;
  readonly grants: readonly { grant: string; scope_id: string; role_id: string }[];
}

function ns(rng: Rng, t: number): string {
  return isoNanoZ(t, rng.int(0, 999_999));
}

function emitAudit(w: World, rng: Rng, t: number, data: Record<string, unknown>): void {
  const ts = ns(rng, t);
  w.emit('boundary', t, {
    id: rng.chars(10, ALPHABET.alnum), source: SOURCE, specversion: '1.0', type: 'audit',
    data: { id: `e_${rng.chars(10, ALPHABET.alnum)}`, version: 'v0.1', type: 'APIRequest', timestamp: ts, ...data },
    datacontentype: 'application/cloudevents', time: ts,
  });
}

function requestInfo(rng: Rng, method: string, path: string, ip: string, publicId?: string): Record<string, unknown> {
  return { id: `gtraceid_${rng.chars(20, ALPHABET.alnum)}`, method, path, client_ip: ip, ...(publicId ? { public_id: publicId } : {}) };
}

function authOf(c: BoundaryCaller): Record<string, unknown> {
  return { auth_token_id: c.token_id, user_info: { id: c.user_id, auth_account_id: c.account_id }, grants_info: { grants: c.grants }, email: c.email ?? '', name: c.name ?? '' };
}

/** The caller record of a person (OIDC account). */
export function boundaryPerson(p: Person, tokenId: string): BoundaryCaller {
  const wildcard = p.team === 'sre' || p.team === 'dba';
  return {
    user_id: p.boundary_user_id, account_id: p.boundary_account_id, token_id: tokenId, email: p.email, name: p.display,
    grants: [{ grant: wildcard ? 'ids=*;type=*;actions=*' : 'ids=*;type=target;actions=authorize-session', scope_id: wildcard ? SCOPES.prod : SCOPES.staging, role_id: wildcard ? 'r_FjDbaAdm01' : 'r_FjDevRole1' }],
  };
}

/** OIDC login: `start`, IdP callback, `token`. Returns the new auth token id. */
export function boundaryOidcLogin(w: World, rng: Rng, p: Person, t: number, ip: string): string {
  const am = w.org.svc.boundary_oidc_method;
  const path = `/v1/auth-methods/${am}:authenticate`;
  const anon = { auth_token_id: '', user_info: { id: 'u_anon' } };
  emitAudit(w, rng, t, { request_info: requestInfo(rng, 'POST', path, ip), auth: anon, request: { details: { auth_method_id: am, command: 'start' } }, response: { status_code: 200, details: { command: 'start', attributes: { auth_url: '[REDACTED]', token_id: '[REDACTED]' } } } });
  const cb = t + rng.int(4000, 9000);
  emitAudit(w, rng, cb, { request_info: requestInfo(rng, 'GET', '/v1/auth-methods/oidc:authenticate:callback', ip), auth: anon, response: { status_code: 302 } });
  const tt = cb + rng.int(300, 900);
  const token = `at_${rng.chars(10, ALPHABET.alnum)}`;
  const stamp = ns(rng, tt);
  emitAudit(w, rng, tt, {
    request_info: requestInfo(rng, 'POST', path, ip), auth: anon,
    request: { details: { auth_method_id: am, command: 'token', attributes: { token_id: '[REDACTED]' } } },
    response: { status_code: 200, details: { command: 'token', attributes: { id: token, scope_id: 'global', token: '[REDACTED]', user_id: p.boundary_user_id, auth_method_id: am, account_id: p.boundary_account_id, created_time: stamp, updated_time: stamp, approximate_last_used_time: stamp, expiration_time: `${new Date(tt + 7 * MS.day).toISOString().slice(0, 19)}Z` } } },
  });
  return token;
}

/** Password login of a service account. Returns the token id. */
export function boundaryPasswordLogin(w: World, rng: Rng, t: number, ip: string, loginName: string): string {
  const s = w.org.svc;
  const path = `/v1/auth-methods/${s.ci_boundary_auth_method}:authenticate`;
  const token = `at_${rng.chars(10, ALPHABET.alnum)}`;
  const stamp = ns(rng, t);
  emitAudit(w, rng, t, {
    request_info: requestInfo(rng, 'POST', path, ip), auth: { auth_token_id: '', user_info: { id: 'u_anon' } },
    request: { details: { auth_method_id: s.ci_boundary_auth_method, command: 'login', attributes: { login_name: loginName, password: '[REDACTED]' } } },
    response: { status_code: 200, details: { command: 'login', attributes: { id: token, scope_id: 'global', token: '[REDACTED]', user_id: s.ci_boundary_user, auth_method_id: s.ci_boundary_auth_method, account_id: s.ci_boundary_account, created_time: stamp, updated_time: stamp, approximate_last_used_time: stamp, expiration_time: `${new Date(t + MS.day).toISOString().slice(0, 19)}Z` } } },
  });
  return token;
}

/** `:authorize-session` on a target; 403 when the grants do not allow it. Returns the session id (or ''). */
export function boundaryAuthorize(w: World, rng: Rng, c: BoundaryCaller, t: number, ip: string, target: Target, allowed = true): string {
  const info = requestInfo(rng, 'POST', `/v1/targets/${target.id}:authorize-session`, ip, target.id);
  if (!allowed) {
    emitAudit(w, rng, t, { request_info: info, auth: authOf(c), request: { details: { id: target.id } }, response: { status_code: 403 } });
    return '';
  }
  const sessionId = `s_${rng.chars(10, ALPHABET.alnum)}`;
  emitAudit(w, rng, t, {
    request_info: info, auth: authOf(c), request: { details: { id: target.id } },
    response: { status_code: 200, details: { item: {
      session_id: sessionId, target_id: target.id, scope: { id: SCOPES[target.scope], type: 'project', name: target.scope, parent_scope_id: ORG_SCOPE },
      created_time: ns(rng, t), user_id: c.user_id, host_set_id: `hsst_Fj${target.scope === 'prod' ? 'Prod' : 'Stag'}Set1`, host_id: target.host, type: target.type,
      authorization_token: '[REDACTED]', endpoint: target.endpoint, connection_limit: -1, expiration: `${new Date(t + 8 * MS.hour).toISOString().slice(0, 19)}Z`,
    } } },
  });
  return sessionId;
}

/** An admin cancels a session owned by `ownerUserId`. */
export function boundaryCancel(w: World, rng: Rng, admin: BoundaryCaller, t: number, session: { id: string; target: Target; owner: string }): void {
  emitAudit(w, rng, t, {
    request_info: requestInfo(rng, 'POST', `/v1/sessions/${session.id}:cancel`, INFRA.office_ip, session.id), auth: authOf(admin),
    request: { details: { id: session.id, version: 2 } },
    response: { status_code: 200, details: { item: { id: session.id, target_id: session.target.id, status: 'canceling', user_id: session.owner, type: session.target.type } } },
  });
}

/** An admin (or the owner) deletes an auth token. */
export function boundaryRevokeToken(w: World, rng: Rng, admin: BoundaryCaller, t: number, tokenId: string): void {
  emitAudit(w, rng, t, { request_info: requestInfo(rng, 'DELETE', `/v1/auth-tokens/${tokenId}`, INFRA.office_ip, tokenId), auth: authOf(admin), request: { details: { id: tokenId } }, response: { status_code: 204 } });
}
