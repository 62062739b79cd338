import { createHash } from 'node:crypto';
import type { AccountChange, AccountChangeRow } from '../../schema/account-change.ts';
import { detail, type CorrEvent } from './events.ts';
import { isAdminName, type CorrelationPolicy } from './policy.ts';

/** Columns of a CloudTrail-derived `accounts` row (same table as the credential report import). */
export const ACCOUNT_CHANGE_TIME_KEYS = ['password_last_used', 'access_key_1_last_used', 'access_key_2_last_used', 'user_creation_time', 'last_used', 'snapshot_time'];

/** Which account facts an IAM event changes (null: none the inventory tracks). */
function changeOf(e: CorrEvent, policy: CorrelationPolicy): AccountChange | null {
  const name = e.event_type.replace(/^iam:/, '');
  const adminGroup = isAdminName(policy, detail(e, 'group'));
  switch (name) {
    case 'CreateUser': return 'user_create';
    case 'DeleteUser': return 'user_delete';
    case 'CreateLoginProfile': case 'UpdateLoginProfile': return 'password_on';
    case 'DeleteLoginProfile': return 'password_off';
    case 'CreateAccessKey': return 'key_create';
    case 'DeleteAccessKey': return 'key_off';
    case 'UpdateAccessKey': return detail(e, 'key_status').toLowerCase() === 'inactive' ? 'key_off' : 'key_on';
    case 'EnableMFADevice': return 'mfa_on';
    case 'DeactivateMFADevice': return 'mfa_off';
    case 'AttachUserPolicy': case 'PutUserPolicy': return detail(e, 'admin_policy') === 'true' ? 'admin_on' : null;
    case 'DetachUserPolicy': case 'DeleteUserPolicy': return detail(e, 'admin_policy') === 'true' ? 'admin_off' : null;
    case 'AddUserToGroup': return adminGroup ? 'admin_on' : null;
    case 'RemoveUserFromGroup': return adminGroup ? 'admin_off' : null;
    default: return null;
  }
}

/**
 * Sub-second offset from the event id, so two changes of one user in the same CloudTrail second (whole-second
 * times) never share the accounts sort key (account_id, user, snapshot_time, origin) and replace each other.
 */
function offsetMs(eventId: string): number {
  return parseInt(createHash('sha256').update(eventId).digest('hex').slice(0, 6), 16) % 1000;
}

/**
 * CloudTrail IAM user changes (and root usage) → `accounts` rows with origin `cloudtrail`. Each row carries only
 * the fact its change names; `origin_ref` = `<event id>#<change>#<access key id>`. Idempotent: the same event
 * always yields the same row.
 */
export function accountChangeRows(events: readonly CorrEvent[], policy: CorrelationPolicy): AccountChangeRow[] {
  const out: AccountChangeRow[] = [];
  for (const e of events) {
    const root = e.user_type === 'root' && !e.event_type.startsWith('iam:');
    const change: AccountChange | null = root ? 'root_seen' : changeOf(e, policy);
    if (!change) continue;
    const account = detail(e, 'target_account_id') || detail(e, 'account_id');
    const user = root ? e.user : e.target_user;
    const arn = root ? e.user_raw : (e.resource.startsWith('arn:') ? e.resource : `arn:aws:iam::${account}:user/${user}`);
    const key = change.startsWith('key_') ? detail(e, 'access_key_id') : '';
    const snapshot = new Date(Date.parse(e.event_time) + (Date.parse(e.event_time) % 1000 === 0 ? offsetMs(e.event_id) : 0)).toISOString();
    out.push({
      source: 'cloudtrail', account_id: account, user, arn, is_root: root,
      password_enabled: change === 'password_on', password_last_used: null, mfa_active: change === 'mfa_on',
      access_key_1_active: change === 'key_create' || change === 'key_on', access_key_1_last_used: null,
      access_key_2_active: false, access_key_2_last_used: null,
      user_creation_time: change === 'user_create' ? e.event_time : null, last_used: null,
      is_admin: change === 'admin_on', deleted: change === 'user_delete', snapshot_time: snapshot,
      origin: 'cloudtrail', origin_ref: `${e.event_id}#${change}#${key}`,
    });
  }
  return out;
}
