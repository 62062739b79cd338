import type { UserType } from '../../../schema/auth-event.ts';
import { canonicalUser, getPath, isObject, str } from '../common.ts';

/**
 * How the actor of a CloudTrail record authenticated to AWS (details.identity_kind).
 * `account` = another account's principal (AWSAccount), `unknown` = type Unknown / absent.
 */
export type IdentityKind = 'root' | 'iam_user' | 'federated' | 'assumed_role' | 'service' | 'account' | 'unknown';

/** The actor of one CloudTrail record, canonicalized to a person where the record allows it. */
export interface CloudTrailIdentity {
  readonly user: string;
  readonly user_raw: string;
  readonly user_type: UserType;
  readonly kind: IdentityKind;
  readonly account_id: string;
  /** Role name for AssumedRole sessions ('' otherwise). */
  readonly role: string;
  readonly role_session_name: string;
  /** userIdentity.accessKeyId: `AKIA…` long-term key or `ASIA…` temporary session key. */
  readonly caller_key: string;
  /** sessionContext.attributes.mfaAuthenticated: 'true' | 'false' | '' (absent). */
  readonly session_mfa: string;
  readonly session_issuer_arn: string;
  /** Root, or a role whose name matches the admin patterns. */
  readonly admin: boolean;
}

/** Failed sign-ins with an unknown user name carry this placeholder; it is never an actor. */
export const HIDDEN_USER = 'HIDDEN_DUE_TO_SECURITY_REASONS';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** Name conventions of machine identities (format doc: `ci-*`, `svc-*`). */
const SERVICE_NAME = /^(ci|svc)[-_]/i;
const EC2_INSTANCE_SESSION = /^i-[0-9a-f]{8,17}$/;
/** `*Admin*` and `AWSReservedSSO_AdministratorAccess_*` (format doc). */
const ADMIN_ROLE = /admin/i;
/** OIDC issuers of CI systems: web-identity sessions from them are machines. */
const CI_ISSUERS = /token\.actions\.githubusercontent\.com|gitlab|circleci|buildkite/i;

/** True when a role name grants admin rights by convention. */
export function isAdminRoleName(role: string): boolean {
  return ADMIN_ROLE.test(role);
}

/** Role name of an IAM role ARN or assumed-role ARN (`…:role/path/Name`, `…:assumed-role/Name/session`). */
export function roleNameFromArn(arn: string): string {
  const assumed = /:assumed-role\/([^/]+)\//.exec(arn);
  if (assumed) return assumed[1];
  const role = /:role\/(?:.*\/)?([^/]+)$/.exec(arn);
  return role ? role[1] : '';
}

/** Account id (12 digits) from any IAM/STS ARN, or ''. */
export function accountFromArn(arn: string): string {
  const m = /^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):/.exec(arn);
  return m ? m[1] : '';
}

function isEmail(value: string): boolean {
  return EMAIL.test(value.trim());
}

/** A new object per call: the identity builders below complete it in place. */
function base(ui: Record<string, unknown>): Pick<CloudTrailIdentity, 'account_id' | 'caller_key' | 'session_mfa' | 'session_issuer_arn'> {
  const arn = str(ui.arn);
  return {
    account_id: str(ui.accountId) || accountFromArn(arn),
    caller_key: str(ui.accessKeyId),
    session_mfa: str(getPath(ui, ['sessionContext', 'attributes', 'mfaAuthenticated'])).toLowerCase(),
    session_issuer_arn: str(getPath(ui, ['sessionContext', 'sessionIssuer', 'arn'])),
  };
}

function assumedRole(ui: Record<string, unknown>): CloudTrailIdentity {
  const arn = str(ui.arn);
  const role = str(getPath(ui, ['sessionContext', 'sessionIssuer', 'userName'])) || roleNameFromArn(arn);
  const m = /:assumed-role\/[^/]+\/(.+)$/.exec(arn);
  const session = m ? m[1] : str(ui.principalId).split(':').slice(1).join(':');
  const sso = role.startsWith('AWSReservedSSO_');
  // NOTE: SAML/SSO sessions are named after the person; that name is the only link to the IdP user.
  const person = isEmail(session) || (sso && session !== '');
  const machine = EC2_INSTANCE_SESSION.test(session) || SERVICE_NAME.test(role);
  return Object.assign(base(ui), {
    user: person ? canonicalUser(session) : arn,
    user_raw: arn || str(ui.principalId),
    user_type: person ? 'human' : machine ? 'service' : 'unknown',
    kind: person ? 'federated' : 'assumed_role',
    role,
    role_session_name: session,
    admin: isAdminRoleName(role),
  } as const);
}

function iamUser(ui: Record<string, unknown>): CloudTrailIdentity {
  const name = str(ui.userName);
  const arn = str(ui.arn);
  const hidden = name === HIDDEN_USER;
  return Object.assign(base(ui), {
    user: hidden ? '' : canonicalUser(name || arn),
    user_raw: arn || name,
    user_type: hidden ? 'unknown' : SERVICE_NAME.test(name) ? 'service' : 'human',
    kind: 'iam_user',
    role: '',
    role_session_name: '',
    admin: false,
  } as const);
}

function federatedUser(ui: Record<string, unknown>): CloudTrailIdentity {
  const arn = str(ui.arn);
  const m = /:federated-user\/(.+)$/.exec(arn);
  const name = m ? m[1] : str(ui.principalId).split(':').slice(1).join(':');
  return Object.assign(base(ui), {
    user: isEmail(name) ? canonicalUser(name) : arn || name,
    user_raw: arn || name,
    user_type: 'human',
    kind: 'federated',
    role: '',
    role_session_name: name,
    admin: false,
  } as const);
}

const NO_ROLE = { role: '', role_session_name: '', admin: false } as const;

/** AssumeRoleWithSAML: the SAML subject or session name is normally the person's email. */
function samlUser(ui: Record<string, unknown>, record: Record<string, unknown>): CloudTrailIdentity {
  const session = str(getPath(record, ['requestParameters', 'roleSessionName']));
  const candidates = [str(ui.userName), str(getPath(record, ['responseElements', 'subject'])), session];
  const name = candidates.find(isEmail) ?? candidates.find((c) => c !== '') ?? str(ui.principalId);
  return Object.assign(base(ui), NO_ROLE, { user: canonicalUser(name), user_raw: str(ui.principalId) || name,
    user_type: 'human', kind: 'federated', role_session_name: session,
  } as const);
}

/** AssumeRoleWithWebIdentity: issuer + subject; CI issuers are machines. */
function webIdentityUser(ui: Record<string, unknown>, record: Record<string, unknown>): CloudTrailIdentity {
  const issuer = str(ui.identityProvider);
  const subject = str(ui.userName);
  const raw = issuer && subject ? `${issuer}:${subject}` : issuer || subject || str(ui.principalId);
  return Object.assign(base(ui), NO_ROLE, { user: isEmail(subject) ? canonicalUser(subject) : raw, user_raw: raw,
    user_type: isEmail(subject) ? 'human' : CI_ISSUERS.test(issuer) ? 'service' : 'unknown',
    kind: 'federated', role_session_name: str(getPath(record, ['requestParameters', 'roleSessionName'])),
  } as const);
}

/** Resolves userIdentity into the canonical actor. `record` supplies SAML subject/session names. */
export function resolveIdentity(ui: Record<string, unknown>, record: Record<string, unknown>): CloudTrailIdentity {
  switch (str(ui.type)) {
    case 'Root': {
      const arn = str(ui.arn) || (str(ui.accountId) ? `arn:aws:iam::${str(ui.accountId)}:root` : 'root');
      return Object.assign(base(ui), NO_ROLE, { user: arn, user_raw: arn, user_type: 'root', kind: 'root', admin: true } as const);
    }
    case 'IAMUser':
      return iamUser(ui);
    case 'AssumedRole':
      return assumedRole(ui);
    case 'FederatedUser':
      return federatedUser(ui);
    case 'SAMLUser':
      return samlUser(ui, record);
    case 'WebIdentityUser':
      return webIdentityUser(ui, record);
    case 'AWSService': {
      const svc = str(ui.invokedBy) || str(record.sourceIPAddress);
      return Object.assign(base(ui), NO_ROLE, { user: svc, user_raw: svc, user_type: 'service', kind: 'service' } as const);
    }
    case 'IdentityCenterUser': {
      const id = str(ui.userName) || str(getPath(ui, ['onBehalfOf', 'userId'])) || str(ui.principalId);
      return Object.assign(base(ui), NO_ROLE, { user: canonicalUser(id), user_raw: id, user_type: 'human', kind: 'federated' } as const);
    }
    case 'AWSAccount': {
      const id = str(ui.principalId) || str(ui.accountId);
      return Object.assign(base(ui), NO_ROLE, { user: id, user_raw: id, user_type: 'unknown', kind: 'account' } as const);
    }
    default: {
      const id = str(ui.userName) || str(ui.arn) || str(ui.principalId) || str(ui.accountId);
      const email = isEmail(id);
      return Object.assign(base(ui), NO_ROLE, { user: canonicalUser(id), user_raw: id,
        user_type: email ? 'human' : 'unknown', kind: email ? 'federated' : 'unknown',
      } as const);
    }
  }
}

/** Cheap actor key for bus partitioning (same canonical user as the normalizer emits). */
export function actorKey(record: unknown): string {
  const rec = isObject(record) && isObject(record.detail) ? record.detail : record;
  if (!isObject(rec) || !isObject(rec.userIdentity)) return '';
  const id = resolveIdentity(rec.userIdentity, rec);
  return id.user || id.user_raw;
}
