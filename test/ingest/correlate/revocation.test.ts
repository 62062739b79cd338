import { describe, expect, it } from 'vitest';
import { createIdentityResolver } from '../../../ingest/correlate/identity.ts';
import { revocationEpisodes, revocationFacts, revokedBefore } from '../../../ingest/correlate/revocation.ts';
import { ev, policyOf } from './fixtures.ts';

const policy = policyOf({ policy: { revocation_sla_hours: 2, revocation_lookahead_days: 2 } });
const resolver = createIdentityResolver(policy, ['dan@example.com', 'eva@example.com']);
const T = (s: string): number => Date.parse(s);

const events = [
  ev({ event_id: 'deact', event_time: '2025-01-10T10:00:00.000Z', action: 'access_revoked', target_user: 'dan@example.com', details: { lifecycle: 'deactivate' } }),
  ev({ event_id: 'okta-app', event_time: '2025-01-10T10:01:00.000Z', action: 'access_revoked', target_user: 'dan@example.com', details: { app: 'Jira' } }),
  ev({ event_id: 'aws-key', event_time: '2025-01-10T12:30:00.000Z', action: 'access_revoked', source: 'cloudtrail', source_kind: 'cloud', target_user: 'dan' }),
  ev({ event_id: 'late', event_time: '2025-01-13T12:30:00.000Z', action: 'access_revoked', source: 'teleport', source_kind: 'gateway', target_user: 'dan@example.com' }),
  ev({ event_id: 'grp', event_time: '2025-01-11T09:00:00.000Z', action: 'access_revoked', target_user: 'eva@example.com', details: { group: 'Prod-Admins' } }),
  ev({ event_id: 'grp-plain', event_time: '2025-01-11T09:05:00.000Z', action: 'access_revoked', target_user: 'eva@example.com', details: { group: 'marketing' } }),
  ev({ event_id: 'react', event_time: '2025-01-10T15:00:00.000Z', action: 'account_change', target_user: 'dan@example.com', details: { lifecycle: 'reactivate' } }),
];
const hr = [{ person: 'dan@example.com', t: T('2025-01-10T09:00:00.000Z'), row_sha256: 'a'.repeat(64) }];
const facts = revocationFacts(events, hr, resolver, policy);

describe('revocation timing', () => {
  it('starts an episode at the first trigger and closes it at the last downstream revocation within the lookahead', () => {
    const eps = revocationEpisodes(facts, policy, T('2025-01-01T00:00:00Z'), T('2025-02-01T00:00:00Z'));
    expect(eps.map((e) => [e.person, e.trigger_kind, e.trigger_time, e.closing_ref, e.hours, e.over_sla])).toEqual([
      ['dan@example.com', 'hr_offboarding', '2025-01-10T09:00:00.000Z', 'aws-key', 3.5, true],
      ['eva@example.com', 'privileged_group_removal', '2025-01-11T09:00:00.000Z', 'grp-plain', 0.083333, false],
    ]);
    // The IdP deactivation is a member of dan's episode, not a second one; the app unassignment triggers nothing.
    expect(eps[0]?.evidence_event_ids).toEqual(['deact', 'aws-key']);
  });

  it('never depends on where the window starts: a trigger preceded by another within the lookahead is not an episode', () => {
    const later = revocationEpisodes(facts, policy, T('2025-01-10T09:30:00Z'), T('2025-02-01T00:00:00Z'));
    expect(later.map((e) => e.person)).toEqual(['eva@example.com']);
  });

  it('flags sessions after a deactivation until a reactivation, and privileged sessions after a privileged group removal', () => {
    expect(revokedBefore(facts, policy, 'dan@example.com', T('2025-01-10T11:00:00Z'), false)?.kind).toBe('hr_offboarding');
    expect(revokedBefore(facts, policy, 'dan@example.com', T('2025-01-10T16:00:00Z'), false)).toBeNull();
    expect(revokedBefore(facts, policy, 'dan@example.com', T('2025-01-10T08:00:00Z'), true)).toBeNull();
    expect(revokedBefore(facts, policy, 'eva@example.com', T('2025-01-11T10:00:00Z'), false)).toBeNull();
    expect(revokedBefore(facts, policy, 'eva@example.com', T('2025-01-11T10:00:00Z'), true)?.ref).toBe('grp');
    expect(revokedBefore(facts, policy, 'eva@example.com', T('2025-01-14T10:00:00Z'), true)).toBeNull();
  });
});
