import type { MfaMethod, Outcome } from '../../../schema/auth-event.ts';
import { getPath, isObject, isRealMfa, PHISHING_RESISTANT_METHODS, str } from '../common.ts';
import type { NormalizeContext } from '../normalizer.ts';
import {
  commonFields, isAdminRole, isPrivileged, mfaMethodOfDevice, outcomeOf, reasonOf, strAt, strList,
  type HandlerFields, type TeleportRecord,
} from './fields.ts';

// Teleport identity events: logins, certificates, MFA devices, users, access requests, locks, bots.

const SSO_METHODS: ReadonlySet<string> = new Set(['saml', 'oidc', 'github']);

/** The MFA device block of a login: nested `mfa_device{}` or the flat keys some exports use. */
function deviceOf(r: Record<string, unknown>): { type: string; name: string; uuid: string } {
  const d = isObject(r.mfa_device) ? r.mfa_device : r;
  return { type: str(d.mfa_device_type), name: str(d.mfa_device_name), uuid: str(d.mfa_device_uuid) };
}

/** The Teleport cluster as the resource of cluster-level events. */
function clusterOf(r: Record<string, unknown>): string {
  return str(r.cluster_name) || strAt(r, ['identity', 'teleport_cluster']) || 'teleport';
}

/**
 * `user.login`: local (password + device), passwordless (passkey), SSO (MFA at the IdP), headless.
 * A successful SSO login has no device; that is `external_idp`, not "no MFA".
 */
export function userLogin(t: TeleportRecord, ctx: NormalizeContext): HandlerFields {
  const base = commonFields(t);
  const r = t.r;
  const method = str(r.method).toLowerCase();
  const outcome = outcomeOf(t);
  const device = deviceOf(r);
  const details: Record<string, string> = Object.assign(base.details, { login_method: method || 'unknown' } as const);
  if (device.name) details.mfa_device = device.name;
  if (device.uuid) details.mfa_device_uuid = device.uuid;
  let mfa: MfaMethod = 'unknown';
  let raw = device.type;
  let evidence: HandlerFields['mfa_evidence'] = 'unknown';
  let authMethod: HandlerFields['auth_method'] = 'unknown';
  if (SSO_METHODS.has(method)) {
    authMethod = 'sso';
    evidence = 'external_idp';
    details.connector = str(r.connector_id) || method;
  } else if (method === 'passwordless') {
    mfa = 'passkey';
    raw = device.type || 'passwordless';
    evidence = outcome === 'success' ? 'performed' : 'unknown';
  } else if (method === 'local' || method === '') {
    authMethod = 'password';
    if (device.type) {
      mfa = mfaMethodOfDevice(device.type);
      // SSO-as-MFA devices delegate the second factor to the IdP.
      evidence = device.type.toLowerCase() === 'sso' ? 'external_idp' : outcome === 'success' ? 'performed' : 'unknown';
    } else if (outcome === 'success') {
      // A successful local login without a device means second_factor is off for this cluster.
      mfa = 'none';
      evidence = 'not_performed';
    }
  }
  const verified = outcome === 'success' && evidence === 'performed' && isRealMfa(mfa);
  const resource = clusterOf(r);
  return Object.assign(base, {
    action: 'login',
    resource,
    resource_type: 'application',
    privileged: isPrivileged(ctx, resource, {}),
    auth_method: authMethod,
    mfa_method: mfa,
    mfa_method_raw: raw,
    mfa_verified: verified,
    mfa_evidence: evidence,
    phishing_resistant: verified && PHISHING_RESISTANT_METHODS.has(mfa),
    outcome,
    reason: reasonOf(r),
    details,
  } as const);
}

/** `cert.create`: a user certificate was issued; roles, logins and expiry matter for privilege and revocation. */
export function certCreate(t: TeleportRecord, ctx: NormalizeContext): HandlerFields {
  const base = commonFields(t);
  const id = isObject(t.r.identity) ? t.r.identity : {};
  const roles = strList(id.roles);
  // Teleport-internal principals are placeholders, not OS logins.
  const logins = strList(id.logins).filter((l) => !l.startsWith('-teleport-'));
  const kubeGroups = strList(id.kubernetes_groups);
  const details: Record<string, string> = Object.assign(base.details, { cert_key_id: str(id.user) || t.actor, cert_ca: 'teleport' } as const);
  if (str(t.r.cert_type)) details.cert_type = str(t.r.cert_type);
  if (roles.length > 0) details.role = roles.join(',');
  if (logins.length > 0) details.logins = logins.join(',');
  if (str(id.expires)) details.cert_expires = str(id.expires);
  if (str(id.impersonator)) details.impersonator = str(id.impersonator);
  if (kubeGroups.length > 0) details.groups = kubeGroups.join(',');
  if (str(id.kubernetes_cluster)) details.kube_cluster = str(id.kubernetes_cluster);
  const db = isObject(id.route_to_database) ? id.route_to_database : {};
  if (str(db.service_name)) details.db_service = str(db.service_name);
  if (str(db.username)) details.db_user = str(db.username);
  if (str(id.private_key_policy)) details.private_key_policy = str(id.private_key_policy);
  const resource = str(id.route_to_cluster) || clusterOf(t.r);
  return Object.assign(base, {
    src_ip: base.src_ip || str(id.client_ip),
    user_type: str(id.impersonator).startsWith('bot-') ? 'service' : base.user_type,
    action: 'credential_issue',
    resource,
    resource_type: 'application',
    privileged: isPrivileged(ctx, resource, { kube_groups: kubeGroups, roles, db_user: str(db.username) }),
    auth_method: 'certificate',
    outcome: 'success',
    details,
  } as const);
}

/** `mfa.add` (enrollment) and `mfa.delete` (removal, an account change). */
export function mfaDevice(t: TeleportRecord): HandlerFields {
  const base = commonFields(t);
  const device = deviceOf(t.r);
  const details: Record<string, string> = Object.assign(base.details);
  if (device.name) details.mfa_device = device.name;
  if (device.uuid) details.mfa_device_uuid = device.uuid;
  return Object.assign(base, {
    action: t.event === 'mfa.add' ? 'mfa_enroll' : 'account_change',
    target_user: t.actor,
    resource: clusterOf(t.r),
    mfa_method: mfaMethodOfDevice(device.type),
    mfa_method_raw: device.type,
    outcome: outcomeOf(t),
    reason: reasonOf(t.r),
    details,
  } as const);
}

/** `mfa_auth_challenge.validate` (newer releases): an MFA challenge answered outside a login. */
export function mfaChallenge(t: TeleportRecord): HandlerFields {
  const base = commonFields(t);
  const device = deviceOf(t.r);
  const mfa = mfaMethodOfDevice(device.type);
  const outcome = outcomeOf(t);
  const verified = outcome === 'success' && isRealMfa(mfa);
  const details: Record<string, string> = Object.assign(base.details);
  if (device.name) details.mfa_device = device.name;
  if (device.uuid) details.mfa_device_uuid = device.uuid;
  if (str(t.r.flow_type)) details.flow_type = str(t.r.flow_type);
  return Object.assign(base, {
    action: 'mfa_verify',
    resource: clusterOf(t.r),
    mfa_method: mfa,
    mfa_method_raw: device.type,
    mfa_verified: verified,
    mfa_evidence: outcome === 'success' ? 'performed' : 'unknown',
    phishing_resistant: verified && PHISHING_RESISTANT_METHODS.has(mfa),
    outcome,
    reason: reasonOf(t.r),
    details,
  } as const);
}

/** `recovery_code.used`: account recovery; like a backup code it is a bypass and never counts as MFA. */
export function recoveryCode(t: TeleportRecord): HandlerFields {
  const base = commonFields(t);
  return Object.assign(base, {
    action: 'mfa_verify',
    resource: clusterOf(t.r),
    mfa_method: 'bypass',
    mfa_method_raw: 'recovery_code',
    mfa_evidence: 'not_performed',
    outcome: outcomeOf(t),
    reason: reasonOf(t.r),
  } as const);
}

/** `user.create|update|delete`: account lifecycle; `name` is the subject, `user` the admin (or sync job). */
export function userLifecycle(t: TeleportRecord, ctx: NormalizeContext): HandlerFields {
  const base = commonFields(t);
  const roles = strList(t.r.roles);
  const details: Record<string, string> = Object.assign(base.details, { operation: t.event.slice('user.'.length) } as const);
  if (roles.length > 0) details.role = roles.join(',');
  else delete details.role;
  if (str(t.r.connector)) details.connector = str(t.r.connector);
  const resource = clusterOf(t.r);
  return Object.assign(base, {
    action: 'account_change',
    target_user: str(t.r.name),
    resource,
    privileged: roles.some(isAdminRole) || isPrivileged(ctx, resource, {}),
    outcome: outcomeOf(t),
    details,
  } as const);
}

/**
 * `access_request.create|review|update`: just-in-time elevation, always privileged. The requester is the
 * target; update/review events name only the approver (`updated_by`/`reviewer`), so their target is left
 * empty unless `user` names someone else, and the correlator joins on details.request_id.
 */
export function accessRequest(t: TeleportRecord): HandlerFields {
  const base = commonFields(t);
  const r = t.r;
  const state = (str(r.state) || str(r.proposed_state)).toUpperCase();
  const requester = t.event === 'access_request.create' ? str(r.user) : str(r.user) !== t.actor ? str(r.user) : '';
  const roles = strList(r.roles);
  const details: Record<string, string> = Object.assign(base.details);
  delete details.role;
  if (roles.length > 0) details.role = roles.join(',');
  if (str(r.id)) details.request_id = str(r.id);
  if (state) details.state = state;
  if (str(r.max_duration)) details.max_duration = str(r.max_duration);
  const outcome: Outcome = state === 'DENIED' ? 'denied' : outcomeOf(t);
  return Object.assign(base, {
    action: 'privilege_change',
    target_user: requester,
    resource: clusterOf(r),
    privileged: true,
    outcome,
    reason: str(r.reason),
    details,
  } as const);
}

/** `lock.created`: revocation; `target{}` names a user, role, login, node or MFA device. */
export function lockCreated(t: TeleportRecord): HandlerFields {
  const base = commonFields(t);
  const target = isObject(t.r.target) ? t.r.target : {};
  const details: Record<string, string> = Object.assign(base.details);
  if (str(t.r.name)) details.lock_name = str(t.r.name);
  for (const [kind, value] of Object.entries(target)) {
    if (str(value)) details[`lock_target_${kind}`] = str(value);
  }
  const expires = str(t.r.expires);
  if (expires && !expires.startsWith('0001-')) details.lock_expires = expires;
  return Object.assign(base, {
    action: 'access_revoked',
    target_user: str(target.user),
    resource: str(target.node) || clusterOf(t.r),
    outcome: 'success',
    reason: str(t.r.message),
    details,
  } as const);
}

/** `bot.join`: a Machine ID bot joined (GitHub/OIDC/IAM join tokens); service activity, no MFA. */
export function botJoin(t: TeleportRecord): HandlerFields {
  const base = commonFields(t);
  const details: Record<string, string> = Object.assign(base.details, { join_method: str(t.r.method) || 'unknown' } as const);
  if (str(t.r.token_name)) details.token_name = str(t.r.token_name);
  const repo = str(getPath(t.r, ['attributes', 'repository']));
  if (repo) details.repository = repo;
  return Object.assign(base, {
    user_type: 'service',
    action: 'login',
    resource: clusterOf(t.r),
    auth_method: 'token',
    mfa_method: 'none',
    mfa_evidence: 'not_performed',
    outcome: outcomeOf(t),
    reason: reasonOf(t.r),
    details,
  } as const);
}
