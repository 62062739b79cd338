import type { Environment, MfaMethod, Outcome, UserType } from '../../../schema/auth-event.ts';
import { environmentOf, getPath, globMatch, isObject, isPrivilegedResource, str, type EventFields } from '../common.ts';
import type { NormalizeContext } from '../normalizer.ts';

/** One Teleport audit event after the envelope checks: the record plus the facts every handler needs. */
export interface TeleportRecord {
  readonly r: Record<string, unknown>;
  readonly event: string;
  readonly code: string;
  readonly time: string;
  /** Who acted (user, updated_by, identity.user or bot-<name>, depending on the event). */
  readonly actor: string;
}

/** What a handler returns: the event fields (user_raw/event_type/event_time are filled by the caller). */
export type HandlerFields = Omit<EventFields, 'event_type' | 'event_time' | 'user_raw'> & { readonly user_raw?: string };

/**
 * Local accounts that several people share (emergency / break-glass). Teleport SSO users are the
 * IdP email; local users are cluster-local names, so only these names are treated as shared.
 */
const SHARED_LOCAL_ACCOUNTS = /^(break-?glass.*|emergency.*|root|admin)$/i;

/** OS / desktop logins that are superusers by definition. */
const ROOT_LOGINS: ReadonlySet<string> = new Set(['root', 'administrator']);

/** Teleport MFA device types (case-folded) → canonical method; SSO/browser MFA do not name the factor. */
const DEVICE_TYPES: Readonly<Record<string, MfaMethod>> = {
  totp: 'totp',
  u2f: 'security_key',
  webauthn: 'webauthn',
  sso: 'unknown',
  browser: 'unknown',
};

/** Canonical method for a Teleport `mfa_device_type`; unmapped values are `unknown`, never guessed. */
export function mfaMethodOfDevice(deviceType: string): MfaMethod {
  return DEVICE_TYPES[deviceType.trim().toLowerCase()] ?? 'unknown';
}

/** Non-empty strings of an array value ([] for anything else). */
export function strList(value: unknown): string[] {
  return Array.isArray(value) ? value.map(str).filter((s) => s !== '') : [];
}

/** Client IP from `ip:port`, `[v6]:port` or a bare address; ambiguous unbracketed v6+port is kept whole. */
export function hostOf(addr: string): string {
  const a = addr.trim();
  if (a.startsWith('[')) {
    const end = a.indexOf(']');
    return end > 0 ? a.slice(1, end) : a;
  }
  const colon = a.indexOf(':');
  return colon >= 0 && colon === a.lastIndexOf(':') ? a.slice(0, colon) : a;
}

/** Actor type from `user_kind` (1 human, 2 bot, 3 system), bot names and shared local accounts. */
export function userTypeOf(r: Record<string, unknown>, actor: string): UserType {
  const kind = typeof r.user_kind === 'number' ? r.user_kind : Number.NaN;
  if (kind === 2 || kind === 3 || actor.startsWith('bot-') || str(r.bot_name) !== '') return 'service';
  if (SHARED_LOCAL_ACCOUNTS.test(actor)) return 'shared';
  if (kind === 1 || actor.includes('@')) return 'human';
  return 'unknown';
}

/**
 * Outcome of events that carry a status block: an explicit `success` flag wins (the code can be stale in
 * re-serialized data), then `error`, then the code suffix (`…I` ok, `…W`/`…E` failed).
 * `failedAs` lets denial events (auth, db.session.start W) say `denied` instead of `failure`.
 */
export function outcomeOf(t: TeleportRecord, failedAs: Outcome = 'failure'): Outcome {
  if (t.r.success === false) return failedAs;
  if (t.r.success === true) return 'success';
  if (str(t.r.error) !== '') return failedAs;
  return /[we]$/i.test(t.code) ? failedAs : 'success';
}

/** Human-readable failure reason, if any. */
export function reasonOf(r: Record<string, unknown>): string {
  return str(r.error) || str(r.user_message) || '';
}

/** A role grants admin rights: its name contains `admin`, or it is Teleport's built-in `editor`. */
export function isAdminRole(role: string): boolean {
  return /admin/i.test(role) || role.toLowerCase() === 'editor';
}

/**
 * Privileged rule for Teleport (documented in the module header): OS login root/Administrator,
 * db_user listed in policy.db_superusers, Kubernetes group system:masters, a role that is admin-like
 * (see isAdminRole), or a resource matched by policy.privileged_resources.
 */
export function isPrivileged(
  ctx: NormalizeContext,
  resource: string,
  f: { login?: string; db_user?: string; kube_groups?: readonly string[]; roles?: readonly string[] },
): boolean {
  if (f.login !== undefined && ROOT_LOGINS.has(f.login.toLowerCase())) return true;
  if (f.db_user !== undefined && f.db_user !== '' && ctx.policy.db_superusers.includes(f.db_user.toLowerCase())) return true;
  if (f.kube_groups?.includes('system:masters')) return true;
  if (f.roles?.some(isAdminRole)) return true;
  return resource !== '' && isPrivilegedResource(resource, ctx.policy);
}

const LABEL_ENV: Readonly<Record<string, Environment>> = {
  prod: 'prod', production: 'prod', prd: 'prod',
  staging: 'staging', stage: 'staging', stg: 'staging',
  dev: 'dev', development: 'dev', test: 'dev', sandbox: 'dev',
};

/** Environment: policy rules first, then the resource's `env` label, then name heuristics. */
export function environmentFor(ctx: NormalizeContext, resource: string, labels: unknown): Environment {
  const rule = ctx.policy.environment_rules.find((x) => globMatch(x.pattern, resource));
  if (rule) return rule.environment;
  const label = isObject(labels) ? LABEL_ENV[str(labels.env).trim().toLowerCase()] : undefined;
  return label ?? environmentOf(resource, ctx.policy);
}

/**
 * Facts shared by every Teleport event: IP, client, session id, cluster and the gateway marker. A new object (with
 * its own details) per call, which the handlers complete in place instead of copying it per event.
 */
export function commonFields(t: TeleportRecord): Pick<HandlerFields, 'user_type' | 'src_ip' | 'user_agent' | 'session_id'> & { details: Record<string, string> } {
  const addr = str(t.r['addr.remote']) || str(t.r.addr_remote);
  const details: Record<string, string> = { via: 'teleport' };
  const cluster = str(t.r.cluster_name);
  if (cluster) details.cluster = cluster;
  if (t.code) details.code = t.code;
  const roles = strList(t.r.user_roles);
  if (roles.length > 0) details.role = roles.join(',');
  const impersonator = str(t.r.impersonator);
  if (impersonator) details.impersonator = impersonator;
  return {
    user_type: userTypeOf(t.r, t.actor),
    src_ip: addr ? hostOf(addr) : '',
    user_agent: str(t.r.user_agent),
    session_id: str(t.r.sid),
    details,
  };
}

/** Per-session MFA: `with_mfa` is the UUID of the device that answered the challenge for this session. */
export function withMfaFields(t: TeleportRecord, proves: boolean, outcome: Outcome): Pick<HandlerFields, 'mfa_verified' | 'mfa_evidence' | 'mfa_method'> & { device: string } {
  const device = str(t.r.with_mfa);
  if (device === '') return { mfa_method: 'unknown', mfa_verified: false, mfa_evidence: 'unknown', device };
  const verified = proves && outcome === 'success';
  return {
    mfa_method: 'unknown',
    mfa_verified: verified,
    mfa_evidence: verified ? 'performed' : 'previously_satisfied',
    device,
  };
}

/** Object path inside the cluster for Kubernetes requests: namespace/kind/name (empty parts left out). */
export function kubeObject(r: Record<string, unknown>): string {
  return [str(r.resource_namespace), str(r.resource_kind), str(r.resource_name)].filter((p) => p !== '').join('/');
}

/** Reads a nested string. */
export function strAt(obj: unknown, path: readonly (string | number)[]): string {
  return str(getPath(obj, path));
}
