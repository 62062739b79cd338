import { describe, expect, it } from 'vitest';
import { draftOfEvent } from '../../../ingest/correlate/access.ts';
import { bindingContext, bindMfa, type BindingContext } from '../../../ingest/correlate/binding.ts';
import type { CorrEvent } from '../../../ingest/correlate/events.ts';
import { createIdentityResolver } from '../../../ingest/correlate/identity.ts';
import type { Exemption } from '../../../schema/exemption.ts';
import { ev, policyOf } from './fixtures.ts';

const policy = policyOf();
const resolver = createIdentityResolver(policy, ['ann@example.com']);
const who = (e: CorrEvent) => resolver.resolve(e);

function ctx(proofs: CorrEvent[], issuances: CorrEvent[] = [], exemptions: Exemption[] = []): BindingContext {
  return bindingContext({ policy, proofs, issuances, devices: new Map([['dev-1', { method: 'webauthn', phishing_resistant: false }]]), exemptions, who });
}

const mfa = (time: string, method = 'webauthn') => ev({ event_time: time, user: 'ann@example.com', action: 'mfa_verify', mfa_method: method, mfa_verified: true, phishing_resistant: method === 'webauthn' });
const cert = (time: string) => ev({ event_time: time, source: 'teleport', source_kind: 'gateway', action: 'credential_issue', user: 'ann@example.com' });
const teleportSession = (time: string, details: Record<string, string> = {}, verified = false) => draftOfEvent(ev({
  event_time: time, source: 'teleport', source_kind: 'gateway', action: 'session_start', user: 'ann@example.com', resource: 'prod-1',
  resource_type: 'server', session_id: 's1', mfa_verified: verified, details,
}), who(ev({ event_time: time, user: 'ann@example.com' })), []);

describe('MFA binding', () => {
  it('direct: the session proves MFA itself; a device UUID resolves the method', () => {
    const b = bindMfa(teleportSession('2025-01-01T10:00:00.000Z', { mfa_device_uuid: 'dev-1' }, true), ctx([]));
    expect(b).toMatchObject({ binding: 'direct', age_seconds: 0 });
    expect(b.proof).toMatchObject({ method: 'webauthn', phishing_resistant: true });
  });

  it('idp_bound: issuance at most issue_window (10 min) after an IdP MFA success, session within credential_ttl of issuance', () => {
    const d = teleportSession('2025-01-01T20:00:00.000Z');
    expect(bindMfa(d, ctx([mfa('2025-01-01T08:50:00.000Z')], [cert('2025-01-01T09:00:00.000Z')]))).toMatchObject({ binding: 'idp_bound', age_seconds: 40_200 });
    expect(bindMfa(d, ctx([mfa('2025-01-01T08:49:59.999Z')], [cert('2025-01-01T09:00:00.000Z')])).binding).toBe('none');
    // The latest issuance counts: a later certificate without an MFA in front of it breaks the chain.
    expect(bindMfa(d, ctx([mfa('2025-01-01T08:55:00.000Z')], [cert('2025-01-01T09:00:00.000Z'), cert('2025-01-01T19:00:00.000Z')])).binding).toBe('none');
  });

  it('idp_bound without a logged issuance: an IdP MFA success within credential_ttl before the start', () => {
    const d = teleportSession('2025-01-01T20:00:00.000Z');
    expect(bindMfa(d, ctx([mfa('2025-01-01T08:00:00.000Z')])).binding).toBe('idp_bound');
    expect(bindMfa(d, ctx([mfa('2025-01-01T07:59:59.999Z')])).binding).toBe('none');
    expect(bindMfa(d, ctx([mfa('2025-01-01T20:00:01.000Z')])).binding).toBe('none');
  });

  it('exempt only while an exemption matching person and resource is in force; never for a covered session', () => {
    const x: Exemption = {
      exemption_id: 'exm_1', person_pattern: 'ann@*', resource_pattern: 'prod-*', reason: 'r', approver: 'a',
      starts_at: '2025-01-01T00:00:00.000Z', expires_at: '2025-01-02T00:00:00.000Z', created_by: 'c', created_at: '2024-12-31T00:00:00.000Z', revoked_at: '2025-01-01T12:00:00.000Z', revoked_by: 'c',
    };
    expect(bindMfa(teleportSession('2025-01-01T11:59:59.999Z'), ctx([], [], [x]))).toMatchObject({ binding: 'exempt', exemption_id: 'exm_1' });
    expect(bindMfa(teleportSession('2025-01-01T12:00:00.000Z'), ctx([], [], [x])).binding).toBe('none');
    expect(bindMfa(teleportSession('2025-01-01T11:00:00.000Z', {}, true), ctx([], [], [x])).binding).toBe('direct');
    expect(bindMfa(teleportSession('2025-01-01T11:00:00.000Z'), ctx([], [], [{ ...x, resource_pattern: 'staging-*' }])).binding).toBe('none');
  });
});
