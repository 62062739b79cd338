import type { Action, AuthEvent, MfaMethod, Outcome, UserType } from '../../../schema/auth-event.ts';
import { buildEvent, canonicalUser, isObject, str } from '../common.ts';
import type { NormalizeContext } from '../normalizer.ts';
import { drop, ok, reject, type StepResult } from '../step-result.ts';
import { methodFromText } from './methods.ts';
import { entraTime, pick, pickStr } from './record.ts';

/** Resource name of the directory itself, for account-level changes. */
const DIRECTORY_RESOURCE = 'entra-id';

type Kind = 'role_add' | 'role_remove' | 'group_add' | 'group_remove' | 'disable' | 'delete' | 'enable'
  | 'security_info_add' | 'security_info_remove' | 'password' | 'app_credential' | 'update_user';

/** Activity display name → kind. PIM *requests* are not grants (the completion is logged separately). */
function kindOf(activity: string): Kind | undefined {
  const a = activity.trim().toLowerCase();
  if (a.includes(' requested')) return undefined;
  if (/^add (eligible |scoped )?member to role/.test(a)) return 'role_add';
  if (/^remove (eligible |scoped )?member from role/.test(a)) return 'role_remove';
  if (a === 'add member to group') return 'group_add';
  if (a === 'remove member from group') return 'group_remove';
  if (a === 'disable account') return 'disable';
  if (a === 'delete user' || a === 'hard delete user') return 'delete';
  if (a === 'enable account') return 'enable';
  if (/^(user|admin) registered (all required )?security info/.test(a) || a === 'user changed default security info') return 'security_info_add';
  if (/^(user|admin) deleted security info/.test(a)) return 'security_info_remove';
  if (/password/.test(a) && /^(reset|change|update)/.test(a)) return 'password';
  if (a.includes('certificates and secrets') || /service principal credentials/.test(a)) return 'app_credential';
  if (a === 'update user') return 'update_user';
  return undefined;
}

interface ModifiedProperty { name: string; old_value: string; new_value: string }

function modifiedProperties(target: Record<string, unknown> | undefined): ModifiedProperty[] {
  const mps = target?.modifiedProperties;
  if (!Array.isArray(mps)) return [];
  return mps.filter(isObject).map((m) => ({ name: str(m.displayName), old_value: str(m.oldValue), new_value: str(m.newValue) }));
}

/** Values are JSON-encoded (`"\"Global Administrator\""`, `[false]`); returns the plain scalar. */
function decode(value: string): string {
  if (value === '') return '';
  try {
    const v: unknown = JSON.parse(value);
    if (Array.isArray(v) && v.length === 1) return str(v[0]);
    return typeof v === 'object' ? value : str(v);
  } catch {
    return value;
  }
}

function prop(mps: readonly ModifiedProperty[], name: string, side: 'old_value' | 'new_value'): string {
  const m = mps.find((p) => p.name.toLowerCase() === name.toLowerCase());
  return m ? decode(m[side]) : '';
}

function keyIds(value: string): string[] {
  return [...value.matchAll(/KeyIdentifier=([^,\]"]+)/g)].map((m) => m[1] ?? '');
}

function targets(body: Record<string, unknown>): Record<string, unknown>[] {
  const t = pick(body, 'targetResources');
  return Array.isArray(t) ? t.filter(isObject) : [];
}

function typed(list: readonly Record<string, unknown>[], type: string): Record<string, unknown> | undefined {
  return list.find((t) => str(t.type).toLowerCase() === type);
}

/** Actor of the audit: the initiating user, else the initiating app (a service identity). */
function initiator(body: Record<string, unknown>, env: Record<string, unknown> | undefined): { raw: string; type: UserType; ip: string } {
  const by = pick(body, 'initiatedBy');
  const user = isObject(by) ? by.user : undefined;
  const app = isObject(by) ? by.app : undefined;
  if (isObject(user) && str(user.userPrincipalName) !== '') return { raw: str(user.userPrincipalName), type: 'human', ip: str(user.ipAddress) };
  if (isObject(app)) {
    const name = str(app.servicePrincipalName) || str(app.displayName) || str(app.appId);
    if (name !== '') return { raw: name, type: 'service', ip: '' };
  }
  const identity = env ? pickStr(env, 'identity') : '';
  if (identity.includes('@')) return { raw: identity, type: 'human', ip: pickStr(env ?? {}, 'callerIpAddress') };
  return { raw: '', type: 'unknown', ip: '' };
}

function outcomeOf(result: string): Outcome {
  return result.toLowerCase() === 'success' ? 'success' : 'failure';
}

/** What one audit says changed; `undefined` fields keep buildEvent's defaults. */
interface Change {
  action: Action;
  resource: string;
  privileged?: boolean;
  target_user?: string;
  mfa_method?: MfaMethod;
  mfa_method_raw?: string;
  details: Record<string, string>;
}

/** Role or group membership change; the role/group sits in the user target's modified properties. */
function membershipChange(kind: Kind, list: readonly Record<string, unknown>[], mps: readonly ModifiedProperty[]): Change {
  const added = kind === 'role_add' || kind === 'group_add';
  const side = added ? 'new_value' : 'old_value';
  const action: Action = added ? 'privilege_change' : 'access_revoked';
  if (kind === 'role_add' || kind === 'role_remove') {
    const t = typed(list, 'role');
    const role = prop(mps, 'Role.DisplayName', side) || (t ? str(t.displayName) : '');
    const details = { role, role_template_id: prop(mps, 'Role.TemplateId', side) };
    // Directory roles are administrative by definition.
    return { action, resource: role || DIRECTORY_RESOURCE, privileged: true, details };
  }
  const t = typed(list, 'group');
  const group = prop(mps, 'Group.DisplayName', side) || (t ? str(t.displayName) : '');
  const details = { group, group_id: prop(mps, 'Group.ObjectID', side) || (t ? str(t.id) : '') };
  return { action, resource: group || DIRECTORY_RESOURCE, details };
}

/** App/service principal credential added or removed; the subject is the application. */
function credentialChange(list: readonly Record<string, unknown>[]): Change {
  const app = typed(list, 'application') ?? typed(list, 'serviceprincipal') ?? list[0];
  const kd = modifiedProperties(app).find((p) => p.name.toLowerCase() === 'keydescription');
  const added = kd ? keyIds(kd.new_value).filter((k) => !keyIds(kd.old_value).includes(k)) : [];
  const removed = kd ? keyIds(kd.old_value).filter((k) => !keyIds(kd.new_value).includes(k)) : [];
  const name = app ? str(app.displayName) || str(app.id) : '';
  return {
    action: 'account_change',
    resource: name || DIRECTORY_RESOURCE,
    target_user: name,
    details: {
      key_id: added.join(',') || removed.join(','),
      key_change: added.length > 0 ? 'added' : removed.length > 0 ? 'removed' : '',
      key_type: kd ? (/KeyType=([^,\]"]+)/.exec(kd.new_value || kd.old_value)?.[1] ?? '') : '',
    },
  };
}

/** Maps an audit kind to its change, or undefined when the audit is noise. */
function changeOf(kind: Kind, body: Record<string, unknown>, list: readonly Record<string, unknown>[], mps: readonly ModifiedProperty[]): Change | undefined {
  switch (kind) {
    case 'role_add':
    case 'role_remove':
    case 'group_add':
    case 'group_remove':
      return membershipChange(kind, list, mps);
    case 'update_user':
      // Only an AccountEnabled true → false update is a revocation; other profile edits are noise.
      if (prop(mps, 'AccountEnabled', 'new_value').toLowerCase() !== 'false') return undefined;
      return { action: 'access_revoked', resource: DIRECTORY_RESOURCE, details: {} };
    case 'disable':
    case 'delete':
      return { action: 'access_revoked', resource: DIRECTORY_RESOURCE, details: {} };
    case 'security_info_add':
    case 'security_info_remove': {
      const raw = pickStr(body, 'resultReason');
      const action: Action = kind === 'security_info_add' ? 'mfa_enroll' : 'account_change';
      return { action, resource: DIRECTORY_RESOURCE, mfa_method: methodFromText(raw), mfa_method_raw: raw, details: {} };
    }
    case 'app_credential':
      return credentialChange(list);
    case 'enable':
    case 'password':
      return { action: 'account_change', resource: DIRECTORY_RESOURCE, details: {} };
    default: {
      const never: never = kind;
      return never;
    }
  }
}

/** Normalizes one directory audit (Graph `directoryAudit`, or the `properties` of an `AuditLogs` record). */
export function normalizeAudit(
  body: Record<string, unknown>, env: Record<string, unknown> | undefined, ctx: NormalizeContext,
): StepResult<AuthEvent[]> {
  const activity = pickStr(body, 'activityDisplayName') || (env ? pickStr(env, 'operationName') : '');
  const kind = kindOf(activity);
  if (!kind) return drop('unsupported_activity');
  const rawTime = pick(body, 'activityDateTime') ?? (env ? pick(env, 'time') : undefined);
  if (rawTime === undefined || rawTime === null || rawTime === '') return reject('missing_field', 'activityDateTime');
  const eventTime = entraTime(rawTime);
  if (!eventTime) return reject('invalid_time', `activityDateTime: ${str(rawTime).slice(0, 64)}`);
  const actor = initiator(body, env);
  if (actor.raw === '') return reject('missing_field', 'initiatedBy');

  const list = targets(body);
  const userTarget = typed(list, 'user');
  const change = changeOf(kind, body, list, modifiedProperties(userTarget));
  if (!change) return drop('unsupported_activity');
  const target = change.target_user ?? (userTarget ? str(userTarget.userPrincipalName) || str(userTarget.displayName) || str(userTarget.id) : '');
  const details: Record<string, string> = {
    activity,
    audit_category: pickStr(body, 'category'),
    operation_type: pickStr(body, 'operationType'),
    logged_by: pickStr(body, 'loggedByService'),
    correlation_id: pickStr(body, 'correlationId'),
    target_id: userTarget ? str(userTarget.id) : '',
    ...change.details,
  };
  for (const k of Object.keys(details)) if (details[k] === '') delete details[k];
  return ok([buildEvent('entra', pickStr(body, 'id') || ctx.raw_sha256, {
    event_type: activity.trim(),
    event_time: eventTime,
    action: change.action,
    user_raw: actor.raw,
    user_type: actor.type,
    target_user: target.includes('@') ? canonicalUser(target) : target,
    resource: change.resource,
    resource_type: 'idp_app',
    privileged: change.privileged,
    mfa_method: change.mfa_method,
    mfa_method_raw: change.mfa_method_raw,
    outcome: outcomeOf(pickStr(body, 'result')),
    reason: pickStr(body, 'resultReason'),
    src_ip: actor.ip,
    details,
  }, ctx)]);
}
