import type { Action, AuthEvent, AuthMethod, Outcome } from '../../../schema/auth-event.ts';
import { buildEvent, getPath, isPrivilegedResource, str } from '../common.ts';
import type { NormalizeContext } from '../normalizer.ts';
import { HIDDEN_USER, isAdminRoleName, roleNameFromArn } from './identity.ts';
import { consoleMfa, stsMfa } from './mfa.ts';
import { callerAuthMethod, commonFields, parseStsExpiration, type CtRecord } from './record.ts';

/** STS calls that hand out credentials, and what they mean for access. */
export const STS_ISSUANCE: Readonly<Record<string, Action>> = {
  AssumeRole: 'role_assumption',
  AssumeRoleWithSAML: 'role_assumption',
  AssumeRoleWithWebIdentity: 'role_assumption',
  GetSessionToken: 'credential_issue',
  GetFederationToken: 'credential_issue',
  // Identity Center portal and custom federation brokers: credentials / console tokens for a signed-in user.
  GetRoleCredentials: 'credential_issue',
  GetSigninToken: 'credential_issue',
};

/** Console sign-in: outcome from responseElements.ConsoleLogin, MFA from additionalEventData. */
export function mapConsoleLogin(r: CtRecord, ctx: NormalizeContext): AuthEvent {
  const c = commonFields(r);
  const result = str(getPath(r.rec, ['responseElements', 'ConsoleLogin']));
  const outcome: Outcome = result === 'Success' ? 'success' : result === 'Failure' ? 'failure' : c.outcome;
  const resource = `aws/${r.account || 'unknown'}/console`;
  const kind = r.actor.kind;
  const auth: AuthMethod = kind === 'federated' || kind === 'assumed_role' ? 'sso'
    : kind === 'iam_user' || kind === 'root' ? 'password' : 'unknown';
  const details = c.details;
  const device = str(getPath(r.rec, ['additionalEventData', 'MFAIdentifier']));
  const saml = str(getPath(r.rec, ['additionalEventData', 'SamlProviderArn']));
  if (device) details.mfa_device = device;
  if (saml) details.saml_provider = saml;
  if (str(getPath(r.rec, ['userIdentity', 'userName'])) === HIDDEN_USER) details.user_hidden = 'true';
  return buildEvent('cloudtrail', r.id, Object.assign(c, { action: 'login', outcome, reason: r.error_message || r.error_code || (outcome === 'success' ? '' : result), resource, resource_type: 'cloud_console', privileged: r.actor.admin || isPrivilegedResource(resource, ctx.policy), auth_method: auth } as const, consoleMfa(r.rec, r.actor, outcome), {
    details,
  } as const), ctx);
}

function stsAuthMethod(r: CtRecord): AuthMethod {
  if (r.name === 'AssumeRoleWithSAML') return 'sso';
  if (r.name === 'AssumeRoleWithWebIdentity') return 'token';
  return callerAuthMethod(r);
}

/** STS issuance: the new temporary key becomes the session id that later calls carry. */
export function mapStsIssuance(r: CtRecord, ctx: NormalizeContext): AuthEvent {
  const c = commonFields(r);
  const action = STS_ISSUANCE[r.name];
  const details = c.details;
  const put = (k: string, v: string): void => {
    if (v !== '') details[k] = v;
  };
  const newKey = str(getPath(r.resp, ['credentials', 'accessKeyId']));
  put('access_key_id', newKey);
  put('session_expires_at', parseStsExpiration(str(getPath(r.resp, ['credentials', 'expiration']))));
  put('duration_seconds', str(r.req.durationSeconds));
  put('mfa_device', str(r.req.serialNumber));
  put('saml_provider', str(r.req.principalArn));
  put('idp_issuer', str(r.resp.issuer) || str(getPath(r.rec, ['userIdentity', 'identityProvider'])));
  put('assumed_role_arn', str(getPath(r.resp, ['assumedRoleUser', 'arn'])));
  put('federated_user', str(getPath(r.resp, ['federatedUser', 'arn'])));
  let resource = `aws/${r.account || 'unknown'}/${r.service || 'sts'}`;
  let privileged = r.actor.admin;
  let target = '';
  if (action === 'role_assumption') {
    const roleArn = str(r.req.roleArn);
    const role = roleNameFromArn(roleArn);
    resource = roleArn || resource;
    // The caller's own role (if any) stays in details.role; the role being entered is target_role.
    put('target_role', role);
    put('role_session_name', str(r.req.roleSessionName));
    privileged = privileged || isAdminRoleName(role);
  } else if (r.name === 'GetFederationToken') {
    target = str(r.req.name);
  } else if (r.name === 'GetRoleCredentials') {
    put('target_role', str(r.req.roleName));
    put('target_account_id', str(r.req.accountId));
    privileged = privileged || isAdminRoleName(str(r.req.roleName));
  }
  return buildEvent('cloudtrail', r.id, Object.assign(c, { action, target_user: target, resource, resource_type: action === 'role_assumption' ? 'cloud_role' : r.name === 'GetSigninToken' ? 'cloud_console' : 'cloud_api', privileged: privileged || isPrivilegedResource(resource, ctx.policy), auth_method: stsAuthMethod(r), session_id: newKey || c.session_id } as const, stsMfa(r.rec, r.actor, c.outcome), {
    details,
  } as const), ctx);
}
