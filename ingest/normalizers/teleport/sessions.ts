import type { Outcome } from '../../../schema/auth-event.ts';
import { str } from '../common.ts';
import type { NormalizeContext } from '../normalizer.ts';
import {
  commonFields, environmentFor, isPrivileged, kubeObject, outcomeOf, reasonOf, strList, withMfaFields,
  type HandlerFields, type TeleportRecord,
} from './fields.ts';

// Teleport session-like events: SSH/Kubernetes sessions, exec, node denials, database, app and desktop sessions.

const INTERACTIVE_KUBE_PATH = /\/(exec|attach|portforward)(\?|$)/;

/** SSH / Kubernetes interactive sessions (`session.start|join|end|leave`), `exec` and node denials (`auth`). */
export function serverSession(t: TeleportRecord, ctx: NormalizeContext): HandlerFields {
  const base = commonFields(t);
  const r = t.r;
  const isEnd = t.event === 'session.end' || t.event === 'session.leave';
  const isKube = str(r.proto) === 'kube' || (str(r.kubernetes_cluster) !== '' && str(r.server_hostname) === '');
  const resource = isKube
    ? str(r.kubernetes_cluster) || str(r.server_hostname)
    : str(r.server_hostname) || str(r.server_id) || str(r.kubernetes_cluster);
  // Node-side denials (RBAC, locks, principals not in the cert) are policy decisions, not bad credentials.
  const outcome = outcomeOf(t, t.event === 'auth' ? 'denied' : 'failure');
  const login = str(r.login);
  const mfa = withMfaFields(t, !isEnd && t.event !== 'auth', outcome);
  const details: Record<string, string> = Object.assign(base.details);
  if (login) details.login_user = login;
  if (mfa.device) details.mfa_device_uuid = mfa.device;
  if (str(r.server_id)) details.server_id = str(r.server_id);
  if (t.event === 'exec') {
    details.interactive = 'false';
    if (str(r.command)) details.command = str(r.command);
    if (str(r.exitCode)) details.exit_code = str(r.exitCode);
  } else if (typeof r.interactive === 'boolean') {
    details.interactive = String(r.interactive);
  }
  if (t.event === 'session.join' || t.event === 'session.leave') details.participation = t.event.slice('session.'.length);
  if (str(r.session_start)) details.session_start = str(r.session_start);
  if (str(r.session_stop)) details.session_stop = str(r.session_stop);
  if (str(r.reason)) details.session_reason = str(r.reason);
  if (isKube && str(r.kubernetes_cluster)) details.kube_cluster = str(r.kubernetes_cluster);
  const kubeGroups = strList(r.kubernetes_groups);
  if (kubeGroups.length > 0) details.groups = kubeGroups.join(',');
  return Object.assign(base, {
    action: isEnd ? 'session_end' : 'session_start',
    resource,
    resource_type: isKube ? 'kubernetes' : 'server',
    environment: environmentFor(ctx, resource, r.server_labels ?? r.kubernetes_labels),
    privileged: isPrivileged(ctx, resource, { login, kube_groups: kubeGroups, roles: strList(r.user_roles) }),
    auth_method: 'certificate',
    mfa_method: mfa.mfa_method,
    mfa_verified: mfa.mfa_verified,
    mfa_evidence: mfa.mfa_evidence,
    outcome,
    reason: reasonOf(r),
    details,
  } as const);
}

/** `db.session.start` (TDB00W = access denied) and `db.session.end`; resource is `db_service/db_name`. */
export function dbSession(t: TeleportRecord, ctx: NormalizeContext): HandlerFields {
  const base = commonFields(t);
  const r = t.r;
  const isEnd = t.event === 'db.session.end';
  const service = str(r.db_service);
  const dbName = str(r.db_name);
  const resource = dbName ? `${service}/${dbName}` : service;
  const outcome = outcomeOf(t, 'denied');
  const dbUser = str(r.db_user);
  const mfa = withMfaFields(t, !isEnd, outcome);
  const details: Record<string, string> = Object.assign(base.details, { db_service: service } as const);
  if (dbName) details.db_name = dbName;
  if (dbUser) details.db_user = dbUser;
  if (str(r.db_protocol)) details.db_protocol = str(r.db_protocol);
  if (str(r.db_uri)) details.db_uri = str(r.db_uri);
  if (str(r.postgres_pid)) details.pid = str(r.postgres_pid);
  const dbRoles = strList(r.db_roles);
  if (dbRoles.length > 0) details.db_roles = dbRoles.join(',');
  if (mfa.device) details.mfa_device_uuid = mfa.device;
  return Object.assign(base, {
    action: isEnd ? 'session_end' : 'session_start',
    resource,
    resource_type: 'database',
    environment: environmentFor(ctx, resource, r.db_labels),
    privileged: isPrivileged(ctx, resource, { db_user: dbUser, roles: strList(r.user_roles) }),
    auth_method: 'certificate',
    mfa_method: mfa.mfa_method,
    mfa_verified: mfa.mfa_verified,
    mfa_evidence: mfa.mfa_evidence,
    outcome,
    reason: reasonOf(r),
    details,
  } as const);
}

/**
 * `db.session.query` (TDB02I): one statement inside a database session. Kept as an `api_call` so privileged
 * functions are logged (NIST AC-6(9)); the statement text is truncated to 1,000 characters in `details.db_query`.
 */
export function dbQuery(t: TeleportRecord, ctx: NormalizeContext): HandlerFields {
  const session = dbSession(t, ctx);
  const query = str(t.r.db_query);
  // dbSession's result (and its details) are new per call: completed in place.
  const details: Record<string, string> = session.details ?? {};
  if (query) details.db_query = query.slice(0, 1000);
  return Object.assign(session, { action: 'api_call', mfa_verified: false, mfa_evidence: session.mfa_verified ? 'previously_satisfied' : session.mfa_evidence, details } as const);
}

/** `kube.request`: one Kubernetes API call through Teleport; exec/attach/portforward paths are interactive. */
export function kubeRequest(t: TeleportRecord, ctx: NormalizeContext): HandlerFields {
  const base = commonFields(t);
  const r = t.r;
  const resource = str(r.kubernetes_cluster) || 'kubernetes';
  const code = typeof r.response_code === 'number' ? r.response_code : Number(str(r.response_code) || '0');
  const outcome: Outcome = code === 403 ? 'denied' : code >= 400 ? 'failure' : code > 0 ? 'success' : outcomeOf(t);
  const path = str(r.request_path);
  const kubeUsers = strList(r.kubernetes_users);
  const kubeGroups = strList(r.kubernetes_groups);
  const mfa = withMfaFields(t, true, outcome);
  const details: Record<string, string> = Object.assign(base.details, { kube_cluster: resource } as const);
  if (str(r.verb)) details.verb = str(r.verb).toLowerCase();
  if (path) details.request_path = path;
  const object = kubeObject(r);
  if (object) details.object = object;
  if (str(r.resource_api_group)) details.api_group = str(r.resource_api_group);
  if (code) details.response_code = String(code);
  // What the Kubernetes audit log will show as impersonatedUser/groups; used to de-duplicate against it.
  if (kubeUsers.length > 0) details.impersonated_user = kubeUsers.join(',');
  if (kubeGroups.length > 0) details.groups = kubeGroups.join(',');
  if (mfa.device) details.mfa_device_uuid = mfa.device;
  return Object.assign(base, {
    action: INTERACTIVE_KUBE_PATH.test(path) ? 'session_start' : 'api_call',
    resource,
    resource_type: 'kubernetes',
    environment: environmentFor(ctx, resource, r.kubernetes_labels),
    privileged: isPrivileged(ctx, resource, { kube_groups: kubeGroups, roles: strList(r.user_roles) }),
    auth_method: 'certificate',
    mfa_method: mfa.mfa_method,
    mfa_verified: mfa.mfa_verified,
    mfa_evidence: mfa.mfa_evidence,
    outcome,
    reason: reasonOf(r),
    details,
  } as const);
}

/** `app.session.start|end`: application access; AWS console apps carry the role ARN. */
export function appSession(t: TeleportRecord, ctx: NormalizeContext): HandlerFields {
  const base = commonFields(t);
  const r = t.r;
  const resource = str(r.app_name) || str(r.app_public_addr) || str(r.public_addr);
  const awsRole = str(r.aws_role_arn);
  const outcome = outcomeOf(t, 'denied');
  const isEnd = t.event === 'app.session.end';
  const mfa = withMfaFields(t, !isEnd, outcome);
  const details: Record<string, string> = Object.assign(base.details);
  if (str(r.app_uri)) details.app_uri = str(r.app_uri);
  if (awsRole) details.role = awsRole;
  if (mfa.device) details.mfa_device_uuid = mfa.device;
  return Object.assign(base, {
    action: isEnd ? 'session_end' : 'session_start',
    resource,
    resource_type: awsRole ? 'cloud_console' : 'application',
    environment: environmentFor(ctx, resource, r.app_labels),
    privileged: isPrivileged(ctx, resource, { roles: strList(r.user_roles) }) || /admin/i.test(awsRole),
    auth_method: 'certificate',
    mfa_method: mfa.mfa_method,
    mfa_verified: mfa.mfa_verified,
    mfa_evidence: mfa.mfa_evidence,
    outcome,
    reason: reasonOf(r),
    details,
  } as const);
}

/** `windows.desktop.session.start|end` (TDP00W = denied); `windows_user` is the login. */
export function desktopSession(t: TeleportRecord, ctx: NormalizeContext): HandlerFields {
  const base = commonFields(t);
  const r = t.r;
  const resource = str(r.desktop_name) || str(r.desktop_addr);
  const login = str(r.windows_user);
  const outcome = outcomeOf(t, 'denied');
  const isEnd = t.event.endsWith('.end');
  const mfa = withMfaFields(t, !isEnd, outcome);
  const details: Record<string, string> = Object.assign(base.details);
  if (login) details.login_user = login;
  if (str(r.windows_domain)) details.windows_domain = str(r.windows_domain);
  if (mfa.device) details.mfa_device_uuid = mfa.device;
  return Object.assign(base, {
    action: isEnd ? 'session_end' : 'session_start',
    resource,
    resource_type: 'server',
    environment: environmentFor(ctx, resource, r.desktop_labels),
    privileged: isPrivileged(ctx, resource, { login, roles: strList(r.user_roles) }),
    auth_method: 'certificate',
    mfa_method: mfa.mfa_method,
    mfa_verified: mfa.mfa_verified,
    mfa_evidence: mfa.mfa_evidence,
    outcome,
    reason: reasonOf(r),
    details,
  } as const);
}
