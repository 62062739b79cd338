import type { AuthMethod, MfaEvidence, MfaMethod, UserType } from '../../../schema/auth-event.ts';
import { canonicalUser, getPath, isObject, str } from '../common.ts';

/** Who a Kubernetes audit event is about: the effective user, and the proxy that authenticated, if any. */
export interface K8sIdentity {
  /** Effective identity as written by the API server (impersonatedUser when present). */
  readonly user_raw: string;
  /** Canonical actor (EKS assumed-role session email, OIDC prefix stripped, lower-cased email). */
  readonly user: string;
  readonly groups: readonly string[];
  /** The authenticating user when the request was impersonated (e.g. the Teleport kube agent). */
  readonly impersonated_by: string;
  readonly user_type: UserType;
  readonly auth_method: AuthMethod;
  readonly mfa_method: MfaMethod;
  readonly mfa_evidence: MfaEvidence;
  readonly details: Record<string, string>;
}

const ASSUMED_ROLE = /^arn:aws[a-z-]*:sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/;
const IAM_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):/;
const OIDC_PREFIX = /^oidc:(.+@.+)$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** Names of users that are certificates in system:masters shared by administrators. */
const SHARED_ADMIN_USERS: ReadonlySet<string> = new Set(['kubernetes-admin', 'cluster-admin', 'admin']);

function strList(value: unknown): string[] {
  return Array.isArray(value) ? value.map(str).filter((s) => s !== '') : [];
}

/** First value of a `user.extra` entry (the API server writes every extra as a list). */
function extra(user: Record<string, unknown>, key: string): string {
  const v = getPath(user, ['extra', key]);
  return Array.isArray(v) ? str(v[0]) : str(v);
}

/**
 * Canonical actor: EKS assumed-role ARNs become the session name when it is an email (IdP-federated roles
 * name the session after the person); `oidc:` username prefixes are stripped; other names stay as written.
 */
export function canonicalK8sUser(username: string): string {
  const ar = ASSUMED_ROLE.exec(username);
  if (ar && EMAIL.test(ar[3])) return canonicalUser(ar[3]);
  const oidc = OIDC_PREFIX.exec(username);
  if (oidc) return canonicalUser(oidc[1]);
  return canonicalUser(username);
}

type AuthFacts = Omit<K8sIdentity, 'user_raw' | 'user' | 'groups' | 'impersonated_by' | 'details'>;

function typeAndAuth(username: string, groups: readonly string[], viaProxy: boolean, accessKey: string): AuthFacts {
  const none = { mfa_method: 'none', mfa_evidence: 'not_performed' } as const;
  const upstream = { mfa_method: 'unknown', mfa_evidence: 'external_idp' } as const;
  const unknown = { mfa_method: 'unknown', mfa_evidence: 'unknown' } as const;
  if (username.startsWith('system:serviceaccount:')) return { user_type: 'service', auth_method: 'token', ...none };
  if (username === 'system:anonymous' || username === 'system:unauthenticated') {
    return { user_type: 'unknown', auth_method: 'unknown', ...none };
  }
  if (username.startsWith('system:')) return { user_type: 'service', auth_method: 'certificate', ...none };
  if (username.startsWith('eks:')) return { user_type: 'service', auth_method: 'unknown', ...none };
  const ar = ASSUMED_ROLE.exec(username);
  // A federated role session named after the person: MFA happened at the IdP that issued the SAML/OIDC assertion.
  if (ar) return EMAIL.test(ar[3]) ? { user_type: 'human', auth_method: 'token', ...upstream } : { user_type: 'unknown', auth_method: 'token', ...unknown };
  // IAM users sign the EKS token with their own keys: a long-term AKIA key proves no MFA.
  if (IAM_ARN.test(username)) {
    return accessKey.startsWith('AKIA') ? { user_type: 'human', auth_method: 'access_key', ...none } : { user_type: 'human', auth_method: 'token', ...unknown };
  }
  const name = username.replace(OIDC_PREFIX, '$1');
  if (viaProxy) return { user_type: EMAIL.test(name) ? 'human' : 'unknown', auth_method: 'certificate', ...upstream };
  // Client certificates in system:masters cannot be revoked and carry no MFA; they are shared admin keys.
  if (SHARED_ADMIN_USERS.has(username) || (groups.includes('system:masters') && !EMAIL.test(name))) {
    return { user_type: 'shared', auth_method: 'certificate', ...none };
  }
  if (EMAIL.test(name)) return { user_type: 'human', auth_method: 'sso', ...upstream };
  return { user_type: 'unknown', auth_method: 'unknown', ...unknown };
}

/** Effective identity of an audit event (impersonatedUser wins; the caller is kept as impersonated_by). */
export function identityOf(ev: Record<string, unknown>): K8sIdentity | null {
  const caller = isObject(ev.user) ? ev.user : null;
  if (!caller) return null;
  const imp = isObject(ev.impersonatedUser) ? ev.impersonatedUser : null;
  const effective = imp && str(imp.username) ? imp : caller;
  const username = str(effective.username);
  if (username === '') return null;
  const groups = strList(effective.groups);
  const impersonatedBy = effective === caller ? '' : str(caller.username);
  const details: Record<string, string> = {};
  if (impersonatedBy) {
    details.impersonated_by = impersonatedBy;
    // The Teleport kube agent impersonates the Teleport user; its kube.request is the same access.
    if (/teleport/i.test(impersonatedBy)) details.via = 'teleport';
  }
  if (groups.length > 0) details.groups = groups.join(',');
  const ar = ASSUMED_ROLE.exec(username);
  if (ar) {
    details.account_id = ar[1];
    details.role = ar[2];
    details.role_session_name = ar[3];
  } else {
    const iam = IAM_ARN.exec(username);
    if (iam) details.account_id = iam[1];
  }
  const accessKey = extra(effective, 'accessKeyId');
  if (accessKey) details.access_key_id = accessKey;
  const canonicalArn = extra(effective, 'canonicalArn');
  if (canonicalArn) details.role_arn = canonicalArn;
  const credentialId = extra(caller, 'authentication.kubernetes.io/credential-id');
  if (credentialId) details.credential_id = credentialId;
  const facts = typeAndAuth(username, groups, impersonatedBy !== '', accessKey);
  return { user_raw: username, user: canonicalK8sUser(username), groups, impersonated_by: impersonatedBy, details, ...facts };
}

/** Control-plane components whose traffic is high volume and carries no human access evidence. */
export function isSystemComponent(username: string): boolean {
  return ['system:kube-controller-manager', 'system:kube-scheduler', 'system:apiserver', 'system:kube-proxy'].includes(username)
    || username.startsWith('system:node:');
}
