import { describe, expect, it } from 'vitest';
import { createIdentityResolver, loginOf } from '../../../ingest/correlate/identity.ts';
import { policyOf } from './fixtures.ts';

const policy = policyOf({
  identities: [{ person: 'Alice@Example.com', aliases: ['u_Boundary1', 'arn:aws:iam::111122223333:user/alice-admin'] }],
  break_glass_accounts: ['breakglass', 'arn:aws:iam::111122223333:root'],
  service_accounts: ['ci-*', 'deploy'],
  shared_accounts: ['ops-shared'],
});
const profiles = ['alice@example.com', 'bob@example.com', 'frank@example.com', 'sam@example.com', 'sam@other.example', 'ci-deployer@example.com'];
const r = createIdentityResolver(policy, profiles);
const resolve = (user: string, user_type = 'unknown', details: Record<string, string> = {}, user_raw = '') => r.resolve({ user, user_raw, user_type, details });

describe('identity resolution', () => {
  it('maps config aliases (case-insensitive) to the person', () => {
    expect(resolve('u_boundary1')).toMatchObject({ person: 'alice@example.com', kind: 'person', rule: 'config_alias', subject: 'alice@example.com' });
    expect(resolve('alice-admin', 'human', {}, 'arn:aws:iam::111122223333:user/alice-admin')).toMatchObject({ person: 'alice@example.com', identity: 'arn:aws:iam::111122223333:user/alice-admin' });
  });

  it('classifies break-glass, service and shared accounts from config globs before anything else', () => {
    expect(resolve('breakglass', 'shared')).toMatchObject({ kind: 'break_glass', person: '', subject: 'breakglass' });
    expect(resolve('arn:aws:iam::111122223333:root', 'root')).toMatchObject({ kind: 'break_glass', rule: 'config_break_glass' });
    expect(resolve('ci-deployer@example.com', 'human')).toMatchObject({ kind: 'service', person: '' });
    expect(resolve('ops-shared', 'human')).toMatchObject({ kind: 'shared' });
  });

  it('keeps root and service user types, takes emails (actor, certificate key id, role session name) as the person', () => {
    expect(resolve('arn:aws:iam::999999999999:root', 'root')).toMatchObject({ kind: 'root', person: '' });
    expect(resolve('ec2.amazonaws.com', 'service')).toMatchObject({ kind: 'service' });
    expect(resolve('Bob@Example.com', 'human')).toMatchObject({ person: 'bob@example.com', rule: 'email' });
    expect(resolve('ubuntu', 'shared', { cert_key_id: 'frank@example.com' })).toMatchObject({ person: 'frank@example.com', kind: 'person', identity: 'ubuntu' });
    expect(resolve('x', 'human', { role_session_name: 'sam@other.example' })).toMatchObject({ person: 'sam@other.example' });
  });

  it('maps a bare login or IAM user name to the one IdP profile with that local part, never shared logins or ambiguous ones', () => {
    expect(resolve('frank')).toMatchObject({ person: 'frank@example.com', rule: 'idp_profile' });
    expect(resolve('frank', 'human', {}, 'arn:aws:iam::111122223333:user/frank')).toMatchObject({ person: 'frank@example.com' });
    expect(resolve('sam')).toMatchObject({ person: '', kind: 'unknown' });
    expect(resolve('root', 'root')).toMatchObject({ kind: 'root' });
    expect(resolve('admin')).toMatchObject({ kind: 'unknown', rule: 'unresolved' });
    expect(resolve('ubuntu', 'shared')).toMatchObject({ kind: 'shared', person: '' });
  });

  it('personOf resolves admin-action subjects and HR rows', () => {
    expect(r.personOf('frank')).toBe('frank@example.com');
    expect(r.personOf('ALICE@example.com')).toBe('alice@example.com');
    expect(r.personOf('breakglass')).toBe('');
    expect(r.personOf('')).toBe('');
  });

  it('extracts logins from IAM user ARNs (with paths) and bare names only', () => {
    expect(loginOf('arn:aws:iam::111122223333:user/ops/Jane')).toBe('jane');
    expect(loginOf('jane.doe')).toBe('jane.doe');
    expect(loginOf('system:serviceaccount:ci:x')).toBe('');
  });
});
