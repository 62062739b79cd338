import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AuthEvent } from '../../schema/auth-event.ts';
import { compileCheck } from '../../schema/compile-check.ts';
import { buildEvent, DEFAULT_POLICY } from '../../ingest/normalizers/common.ts';

const isAuthEvent = compileCheck(AuthEvent);

function validEvent(): Record<string, unknown> {
  return buildEvent('okta', 'abc-1', {
    event_type: 'user.session.start', event_time: '2025-03-11T09:00:05.123Z', action: 'login', user_raw: 'Alice@Example.com',
    outcome: 'success', mfa_method: 'webauthn', mfa_verified: true, details: { actor_id: '00u1', okta_result: 'SUCCESS' },
  }, { raw_sha256: 'a'.repeat(64), ingested_at: '2025-03-11T10:00:00.000Z', policy: DEFAULT_POLICY }) as unknown as Record<string, unknown>;
}

describe('compileCheck(AuthEvent)', () => {
  it('accepts a valid event, also with unknown extra keys (z.object strips them)', () => {
    expect(AuthEvent.safeParse(validEvent()).success).toBe(true);
    expect(isAuthEvent(validEvent())).toBe(true);
    expect(isAuthEvent({ ...validEvent(), extra: 1 })).toBe(true);
  });

  const mutations: [string, (e: Record<string, unknown>) => void][] = [
    ['event_id not a uuid', (e) => { e.event_id = 'not-a-uuid'; }],
    ['event_id upper-case hex', (e) => { e.event_id = String(e.event_id).toUpperCase(); }],
    ['unknown source', (e) => { e.source = 'myspace'; }],
    ['source missing', (e) => { delete e.source; }],
    ['event_time without ms', (e) => { e.event_time = '2025-03-11T09:00:05Z'; }],
    ['ingested_at as a number', (e) => { e.ingested_at = 1741683605123; }],
    ['unknown action', (e) => { e.action = 'teleport'; }],
    ['user not a string', (e) => { e.user = null; }],
    ['privileged as a string', (e) => { e.privileged = 'true'; }],
    ['unknown mfa_method', (e) => { e.mfa_method = 'carrier_pigeon'; }],
    ['raw_sha256 too short', (e) => { e.raw_sha256 = 'abc'; }],
    ['details value not a string', (e) => { e.details = { a: 1 }; }],
    ['details an array', (e) => { e.details = ['a']; }],
    ['details null', (e) => { e.details = null; }],
    ['outcome unknown', (e) => { e.outcome = 'maybe'; }],
  ];
  for (const [name, mutate] of mutations) {
    it(`rejects exactly what zod rejects: ${name}`, () => {
      const e = validEvent();
      mutate(e);
      expect(AuthEvent.safeParse(e).success).toBe(false);
      expect(isAuthEvent(e)).toBe(false);
    });
  }

  it('rejects non-objects', () => {
    for (const v of [null, undefined, 'x', 1, [validEvent()]]) expect(isAuthEvent(v)).toBe(false);
  });

  it('delegates schema parts it does not compile to zod', () => {
    const check = compileCheck(z.object({ n: z.number().int().min(3), s: z.string().email() }));
    expect(check({ n: 3, s: 'a@b.co' })).toBe(true);
    expect(check({ n: 2, s: 'a@b.co' })).toBe(false);
    expect(check({ n: 3, s: 'nope' })).toBe(false);
  });
});
