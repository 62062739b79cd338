import { describe, expect, it } from 'vitest';
import { accountChangeRows } from '../../../ingest/correlate/accounts.ts';
import { ev, policyOf } from './fixtures.ts';

const iam = (name: string, time: string, details: Record<string, string> = {}, extra = {}) => ev({
  event_time: time, source: 'cloudtrail', source_kind: 'cloud', event_type: `iam:${name}`, target_user: 'tmp',
  resource: 'arn:aws:iam::111122223333:user/tmp', details: { account_id: '111122223333', ...details }, ...extra,
});

describe('CloudTrail IAM events → accounts changes', () => {
  const rows = accountChangeRows([
    iam('CreateUser', '2025-03-11T10:20:01.000Z'),
    iam('CreateLoginProfile', '2025-03-11T10:20:01.000Z'),
    iam('AttachUserPolicy', '2025-03-11T10:21:02.000Z', { admin_policy: 'true' }),
    iam('AttachUserPolicy', '2025-03-11T10:21:03.000Z', { admin_policy: 'false' }),
    iam('CreateAccessKey', '2025-03-11T10:21:40.000Z', { access_key_id: 'AKIA1' }),
    iam('UpdateAccessKey', '2025-03-11T10:22:00.000Z', { access_key_id: 'AKIA1', key_status: 'Inactive' }),
    iam('AddUserToGroup', '2025-03-11T10:23:00.000Z', { group: 'Admins' }),
    iam('DeleteUser', '2025-03-11T10:30:00.000Z'),
    ev({ event_time: '2025-03-11T11:00:00.000Z', source: 'cloudtrail', event_type: 'signin:ConsoleLogin', user: 'arn:aws:iam::111122223333:root', user_raw: 'arn:aws:iam::111122223333:root', user_type: 'root', details: { account_id: '111122223333' } }),
  ], policyOf());

  it('writes one row per tracked change, with the change and key id in origin_ref', () => {
    expect(rows.map((r) => r.origin_ref.split('#').slice(1).join('#'))).toEqual([
      'user_create#', 'password_on#', 'admin_on#', 'key_create#AKIA1', 'key_off#AKIA1', 'admin_on#', 'user_delete#', 'root_seen#',
    ]);
    expect(rows.every((r) => r.origin === 'cloudtrail' && r.account_id === '111122223333')).toBe(true);
    expect(rows[6]).toMatchObject({ user: 'tmp', deleted: true });
    expect(rows[7]).toMatchObject({ user: 'arn:aws:iam::111122223333:root', is_root: true });
  });

  it('keeps two changes of the same second apart in the accounts sort key, deterministically', () => {
    expect(rows[0]?.snapshot_time).not.toBe(rows[1]?.snapshot_time);
    expect(rows[0]?.snapshot_time.slice(0, 19)).toBe('2025-03-11T10:20:01');
    expect(accountChangeRows([iam('CreateUser', '2025-03-11T10:20:01.000Z', {}, { event_id: 'fixed' })], policyOf())[0]?.snapshot_time)
      .toBe(accountChangeRows([iam('CreateUser', '2025-03-11T10:20:01.000Z', {}, { event_id: 'fixed' })], policyOf())[0]?.snapshot_time);
  });
});
