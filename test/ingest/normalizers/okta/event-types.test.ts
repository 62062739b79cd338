import { describe, expect, it } from 'vitest';
import type { AuthEvent } from '../../../../schema/auth-event.ts';
import { DEFAULT_POLICY } from '../../../../ingest/normalizers/common.ts';
import type { NormalizerPolicy } from '../../../../ingest/normalizers/normalizer.ts';
import { normalizeRecord } from '../../../../ingest/normalizers/normalize-record.ts';
import { oktaNormalizer } from '../../../../ingest/normalizers/okta.ts';
import type { StepResult } from '../../../../ingest/normalizers/step-result.ts';

/** A minimal LogEvent in the poll API shape; `over` replaces top-level fields. */
function logEvent(eventType: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    uuid: `u-${eventType}`,
    published: '2025-03-11T10:00:00.000Z',
    eventType,
    actor: { id: '00uADMIN', type: 'User', alternateId: 'Erin@Example.com', displayName: 'Erin' },
    outcome: { result: 'SUCCESS', reason: null },
    client: { ipAddress: '203.0.113.10', userAgent: { rawUserAgent: 'UA' }, zone: 'null' },
    authenticationContext: { externalSessionId: 'sess-1' },
    debugContext: { debugData: {} },
    target: [{ type: 'User', alternateId: 'Heidi@Example.com', id: '00uHEIDI' }],
    ...over,
  };
}

function run(rec: unknown, policy: NormalizerPolicy = DEFAULT_POLICY): StepResult<AuthEvent[]> {
  return normalizeRecord(oktaNormalizer, JSON.stringify(rec), rec, policy, '2025-03-12T00:00:00.000Z');
}

function one(rec: unknown, policy?: NormalizerPolicy): AuthEvent {
  const r = run(rec, policy);
  if (r.kind !== 'ok') throw new Error(`expected ok, got ${r.kind} ${r.reason}`);
  expect(r.value).toHaveLength(1);
  return r.value[0]!;
}

describe('okta event types', () => {
  it('treats a bypass attempt as bypass, never as MFA', () => {
    expect(one(logEvent('user.mfa.attempt_bypass'))).toMatchObject({ action: 'mfa_verify', mfa_method: 'bypass', mfa_verified: false, mfa_evidence: 'not_performed' });
  });

  it('maps the Identity Engine push denial (auth_via_mfa FAILURE) to a failed push', () => {
    const e = one(logEvent('user.authentication.auth_via_mfa', {
      outcome: { result: 'FAILURE', reason: 'INVALID_CREDENTIALS' },
      target: [{ type: 'AuthenticatorEnrollment', displayName: 'Okta Verify', detailEntry: { methodTypeUsed: 'Get a push notification' } }],
    }));
    expect(e).toMatchObject({ mfa_method: 'push', outcome: 'failure', mfa_verified: false, reason: 'INVALID_CREDENTIALS', target_user: '' });
  });

  it('maps user.authentication.verify like auth_via_mfa', () => {
    const e = one(logEvent('user.authentication.verify', { debugContext: { debugData: { factor: 'fido_u2f' } } }));
    expect(e).toMatchObject({ action: 'mfa_verify', mfa_method: 'security_key', mfa_verified: true, phishing_resistant: true });
  });

  it('maps a smart-card login (CERTIFICATE credential) on session.start', () => {
    const e = one(logEvent('user.session.start', { authenticationContext: { credentialType: 'CERTIFICATE', externalSessionId: 's' }, target: null }));
    expect(e).toMatchObject({ action: 'login', mfa_method: 'smartcard', auth_method: 'certificate', phishing_resistant: true, mfa_verified: true });
  });

  it('revocations: suspend, delete, admin role revoke, app unassignment', () => {
    expect(one(logEvent('user.lifecycle.suspend'))).toMatchObject({ action: 'access_revoked', target_user: 'heidi@example.com', user: 'erin@example.com' });
    expect(one(logEvent('user.lifecycle.delete.initiated'))).toMatchObject({ action: 'access_revoked', details: { lifecycle: 'delete.initiated' } });
    expect(one(logEvent('user.account.privilege.revoke', { debugContext: { debugData: { privilegeRevoked: 'Super administrator' } } })))
      .toMatchObject({ action: 'access_revoked', privileged: true, target_user: 'heidi@example.com', details: { role: 'Super administrator' } });
    const app = [{ type: 'User', alternateId: 'heidi@example.com' }, { type: 'AppInstance', displayName: 'AWS Account Federation' }];
    expect(one(logEvent('application.user_membership.remove', { target: app })))
      .toMatchObject({ action: 'access_revoked', resource: 'AWS Account Federation', details: { app: 'AWS Account Federation' } });
    expect(one(logEvent('application.user_membership.add', { target: app }))).toMatchObject({ action: 'account_change', resource: 'AWS Account Federation' });
  });

  it('group additions are account changes, privileged when the policy names the group', () => {
    const target = [{ type: 'User', alternateId: 'heidi@example.com' }, { type: 'UserGroup', displayName: 'sre-prod-admins' }];
    expect(one(logEvent('group.user_membership.add', { target }))).toMatchObject({ action: 'account_change', privileged: false, details: { group: 'sre-prod-admins' } });
    const policy = { ...DEFAULT_POLICY, privileged_resources: ['*admins*'] };
    expect(one(logEvent('group.user_membership.add', { target }), policy)).toMatchObject({ privileged: true });
  });

  it('factor lifecycle: deactivate and suspend are account changes naming the factor', () => {
    expect(one(logEvent('user.mfa.factor.deactivate', { debugContext: { debugData: { factor: 'sms' } } })))
      .toMatchObject({ action: 'account_change', mfa_method: 'sms', mfa_verified: false, details: { factor_change: 'deactivate' } });
    expect(one(logEvent('user.mfa.factor.suspend'))).toMatchObject({ action: 'account_change', details: { factor_change: 'suspend' } });
  });

  it('maps ALLOW to success and other results to failure', () => {
    expect(one(logEvent('policy.evaluate_sign_on', { outcome: { result: 'ALLOW' } })).outcome).toBe('success');
    expect(one(logEvent('user.session.start', { outcome: { result: 'UNANSWERED' } }))).toMatchObject({ outcome: 'failure', reason: 'UNANSWERED' });
  });

  it('drops unmapped event types and rejects unusable records', () => {
    expect(run(logEvent('system.org.rate_limit.warning'))).toMatchObject({ kind: 'drop', reason: 'unmapped_event_type' });
    expect(run(logEvent('user.session.start', { outcome: null }))).toMatchObject({ kind: 'reject', reason: 'missing_field' });
    expect(run(logEvent('user.session.start', { actor: { alternateId: '' } }))).toMatchObject({ kind: 'reject', reason: 'missing_field' });
    expect(run(logEvent('user.session.start', { published: '11/03/2025 10:00' }))).toMatchObject({ kind: 'reject', reason: 'invalid_time' });
    expect(run(logEvent('user.session.start', { uuid: null }))).toMatchObject({ kind: 'reject', reason: 'missing_event_id' });
    expect(run('not an event')).toMatchObject({ kind: 'reject', reason: 'unsupported_shape' });
  });

  it('keeps client facts and ignores Okta’s "null" strings', () => {
    const e = one(logEvent('user.session.start'));
    expect(e).toMatchObject({ src_ip: '203.0.113.10', user_agent: 'UA', session_id: 'sess-1', user_raw: 'Erin@Example.com', user: 'erin@example.com' });
    expect(e.details.client_zone).toBeUndefined();
    expect(e.details.actor_id).toBe('00uADMIN');
  });
});
