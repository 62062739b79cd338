import type { Action, AuthEvent } from '../../../schema/auth-event.ts';
import { buildEvent, canonicalUser, getPath, isObject, str } from '../common.ts';
import type { NormalizeContext } from '../normalizer.ts';
import { sessionMfa } from './mfa.ts';
import { callerAuthMethod, commonFields, type CtRecord } from './record.ts';

/** IAM write calls that change who can sign in, with which credentials and rights. */
const IAM_ACTIONS: Readonly<Record<string, Action>> = {
  CreateUser: 'account_change',
  DeleteUser: 'access_revoked',
  CreateLoginProfile: 'credential_issue',
  UpdateLoginProfile: 'account_change',
  DeleteLoginProfile: 'access_revoked',
  ChangePassword: 'account_change',
  CreateAccessKey: 'credential_issue',
  UpdateAccessKey: 'account_change',
  DeleteAccessKey: 'access_revoked',
  CreateVirtualMFADevice: 'account_change',
  EnableMFADevice: 'mfa_enroll',
  ResyncMFADevice: 'account_change',
  DeactivateMFADevice: 'account_change',
  DeleteVirtualMFADevice: 'account_change',
  AttachUserPolicy: 'privilege_change',
  PutUserPolicy: 'privilege_change',
  DetachUserPolicy: 'access_revoked',
  DeleteUserPolicy: 'access_revoked',
  AttachRolePolicy: 'privilege_change',
  PutRolePolicy: 'privilege_change',
  DetachRolePolicy: 'access_revoked',
  DeleteRolePolicy: 'access_revoked',
  AttachGroupPolicy: 'privilege_change',
  PutGroupPolicy: 'privilege_change',
  DetachGroupPolicy: 'access_revoked',
  DeleteGroupPolicy: 'access_revoked',
  UpdateAssumeRolePolicy: 'privilege_change',
  AddUserToGroup: 'privilege_change',
  RemoveUserFromGroup: 'access_revoked',
};

/** Calls whose userName defaults to the caller when omitted (AWS semantics for self-service). */
const SELF_DEFAULT = new Set(['ChangePassword', 'CreateAccessKey', 'UpdateAccessKey', 'DeleteAccessKey', 'DeactivateMFADevice', 'ResyncMFADevice']);

const ADMIN_MANAGED_POLICY = /:policy\/(?:.*\/)?(AdministratorAccess|IAMFullAccess)$/;

/** True for the IAM lifecycle / privilege calls mapped here. */
export function isIamChange(r: CtRecord): boolean {
  return r.service === 'iam' && Object.hasOwn(IAM_ACTIONS, r.name);
}

function grantsEverything(action: unknown): boolean {
  const list = Array.isArray(action) ? action : [action];
  return list.some((a) => a === '*' || a === 'iam:*');
}

/** True when an inline policy document allows `"Action":"*"` (or `iam:*`). Tolerates truncated JSON. */
export function policyDocumentIsAdmin(doc: string): boolean {
  try {
    const parsed: unknown = JSON.parse(doc);
    const stmts = isObject(parsed) ? parsed.Statement : undefined;
    const list = Array.isArray(stmts) ? stmts : [stmts];
    return list.some((s) => isObject(s) && str(s.Effect) !== 'Deny' && grantsEverything(s.Action));
  } catch {
    return /"Action"\s*:\s*(\[\s*)?"(\*|iam:\*)"/.test(doc);
  }
}

function targetUser(r: CtRecord): string {
  const named = str(r.req.userName);
  if (named) return canonicalUser(named);
  if (SELF_DEFAULT.has(r.name) && (r.actor.kind === 'iam_user' || r.actor.kind === 'root')) return r.actor.user;
  // Denied calls log requestParameters:null; the error message still names the user.
  const m = /on resource: (?:arn:aws:iam::\d+:)?user[ /](?:.*\/)?([\w+=,.@-]+)/.exec(r.error_message);
  return m ? canonicalUser(m[1]) : '';
}

function actionOf(r: CtRecord): Action {
  if (r.name === 'UpdateAccessKey') {
    const status = str(r.req.status);
    if (status === 'Inactive') return 'access_revoked';
    if (status === 'Active') return 'credential_issue';
  }
  return IAM_ACTIONS[r.name];
}

function resourceOf(r: CtRecord, target: string): string {
  const acct = r.account || 'unknown';
  // Root acting on itself: the target is already an ARN.
  if (target.startsWith('arn:')) return target;
  if (target) return `arn:aws:iam::${acct}:user/${target}`;
  if (str(r.req.roleName)) return `arn:aws:iam::${acct}:role/${str(r.req.roleName)}`;
  if (str(r.req.groupName)) return `arn:aws:iam::${acct}:group/${str(r.req.groupName)}`;
  return `aws/${acct}/iam`;
}

/**
 * IAM account lifecycle, credentials, MFA devices and policy grants. All IAM writes are privileged
 * operations; details.admin_policy says whether the grant itself confers admin rights.
 */
export function mapIamChange(r: CtRecord, ctx: NormalizeContext): AuthEvent {
  const c = commonFields(r);
  const details = c.details;
  const put = (k: string, v: string): void => {
    if (v !== '') details[k] = v;
  };
  const target = targetUser(r);
  put('access_key_id', str(r.req.accessKeyId) || str(getPath(r.resp, ['accessKey', 'accessKeyId'])));
  put('mfa_device', str(r.req.serialNumber) || str(getPath(r.resp, ['virtualMFADevice', 'serialNumber'])));
  put('group', str(r.req.groupName));
  put('target_role', str(r.req.roleName));
  put('key_status', str(r.req.status));
  const policyArn = str(r.req.policyArn);
  const policyName = str(r.req.policyName);
  const policyDoc = str(r.req.policyDocument);
  put('policy', policyArn || policyName);
  if (policyArn || policyDoc) {
    details.admin_policy = String(ADMIN_MANAGED_POLICY.test(policyArn) || (policyDoc !== '' && policyDocumentIsAdmin(policyDoc)));
  }
  return buildEvent('cloudtrail', r.id, Object.assign(c, { action: actionOf(r), target_user: target, resource: resourceOf(r, target), resource_type: 'cloud_api', privileged: true, auth_method: callerAuthMethod(r) } as const, sessionMfa(r.actor, c.outcome), {
    details,
  } as const), ctx);
}
