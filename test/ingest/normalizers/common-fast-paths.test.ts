import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { environmentOf, eventIdFor, globMatch, toIsoMs } from '../../../ingest/normalizers/common.ts';
import { hostOf } from '../../../ingest/normalizers/teleport/fields.ts';
import type { NormalizerPolicy } from '../../../ingest/normalizers/normalizer.ts';
import { normalizeRecord } from '../../../ingest/normalizers/normalize-record.ts';
import { oktaNormalizer } from '../../../ingest/normalizers/okta.ts';
import { DEFAULT_POLICY } from '../../../ingest/normalizers/common.ts';
import type { Normalizer } from '../../../ingest/normalizers/normalizer.ts';
import { ok } from '../../../ingest/normalizers/step-result.ts';

/** toIsoMs's general path, as it was before the canonical-string fast path. */
function slowIso(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(value)) return null;
  const ms = Date.parse(value.replace(' ', 'T'));
  if (!Number.isFinite(ms)) return null;
  const year = new Date(ms).getUTCFullYear();
  if (year < 2000 || year > 2100) return null;
  return new Date(Math.floor(ms)).toISOString();
}

describe('toIsoMs fast path', () => {
  it('returns what the general path returns for canonical instants', () => {
    let t = Date.UTC(2000, 0, 1);
    for (let i = 0; i < 2000; i++) {
      t += 7_919_000_123 + i * 977;
      const iso = new Date(t).toISOString();
      if (iso > '2100-12-31') break;
      expect(toIsoMs(iso)).toBe(slowIso(iso));
      expect(toIsoMs(`${iso.slice(0, 19)}Z`)).toBe(slowIso(`${iso.slice(0, 19)}Z`));
    }
  });

  it('agrees on edge dates and malformed strings', () => {
    const cases = [
      '2024-02-29T23:59:59.999Z', '2023-02-29T00:00:00.000Z', '2025-04-31T00:00:00Z', '2025-13-01T00:00:00.000Z',
      '2025-03-11T24:00:00.000Z', '2025-03-11T09:60:00Z', '1999-12-31T23:59:59.999Z', '2100-12-31T23:59:59Z', '2101-01-01T00:00:00Z',
      '2025-03-11T09:00:05.1234Z', '2025-03-11 09:00:05.123Z', '2025-03-11T09:00:05.123z', '2025-03-11T09:00:05+02:00', '20x5-03-11T09:00:05Z',
    ];
    for (const c of cases) expect(toIsoMs(c), c).toBe(slowIso(c));
  });
});

describe('eventIdFor', () => {
  it('is the UUID-shaped SHA-256 of source \\u001f id (same digest as the auth_events.event_id alias)', () => {
    const h = createHash('sha256').update('okta').update('\u001f').update('abc-1').digest('hex');
    expect(eventIdFor('okta', 'abc-1')).toBe(`${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`);
    expect(eventIdFor('entra', 'f410ee97')).toBe('459e6807-0c97-d5e6-c6d0-bf54b75ad888');
  });
});

describe('globMatch cache', () => {
  it('matches case-insensitively with the same pattern used many times', () => {
    for (let i = 0; i < 3; i++) {
      expect(globMatch('prod-*', 'PROD-db-1')).toBe(true);
      expect(globMatch('prod-*', 'staging-db')).toBe(false);
    }
  });
});

describe('normalizeRecord validation', () => {
  it('still rejects invalid normalizer output with invalid_event and zod\'s message', () => {
    const broken: Normalizer = {
      ...oktaNormalizer,
      normalize: (rec, ctx) => {
        const r = oktaNormalizer.normalize(rec, ctx);
        if (r.kind !== 'ok') return r;
        return ok(r.value.map((e) => ({ ...e, mfa_method: 'carrier_pigeon' as never })));
      },
    };
    const payload = {
      eventType: 'user.session.start', published: '2025-03-11T09:00:05.123Z', uuid: 'u-1',
      actor: { alternateId: 'alice@example.com', type: 'User' }, outcome: { result: 'SUCCESS' },
    };
    const r = normalizeRecord(broken, JSON.stringify(payload), payload, DEFAULT_POLICY, '2025-03-11T10:00:00.000Z', 'a'.repeat(64));
    expect(r.kind).toBe('reject');
    if (r.kind === 'reject') {
      expect(r.reason).toBe('invalid_event');
      expect(r.detail.startsWith('mfa_method: ')).toBe(true);
    }
    expect(normalizeRecord(oktaNormalizer, JSON.stringify(payload), payload, DEFAULT_POLICY, '2025-03-11T10:00:00.000Z', 'a'.repeat(64)).kind).toBe('ok');
  });
});

describe('environmentOf cache', () => {
  const resources = ['aws/111122223333/console', 'prod-db-1', 'db.staging.internal', 'k8s-dev', 'payments-prd/eu', 'billing', 'Prod-API'];
  const rules: NormalizerPolicy = { ...DEFAULT_POLICY, environment_rules: [{ pattern: 'aws/111122223333/*', environment: 'prod' }, { pattern: 'billing', environment: 'staging' }] };

  it('decides per policy: a rule of one policy never leaks into another through the cache', () => {
    const plain = resources.map((r) => environmentOf(r, DEFAULT_POLICY));
    const ruled = resources.map((r) => environmentOf(r, rules));
    expect(plain).toEqual(['unknown', 'prod', 'staging', 'dev', 'prod', 'unknown', 'prod']);
    expect(ruled).toEqual(['prod', 'prod', 'staging', 'dev', 'prod', 'staging', 'prod']);
    // Asked again (now from the cache), in the other order: the same answers.
    expect(resources.map((r) => environmentOf(r, rules))).toEqual(ruled);
    expect(resources.map((r) => environmentOf(r, DEFAULT_POLICY))).toEqual(plain);
  });

  it('a new policy object with other rules is decided afresh', () => {
    const other: NormalizerPolicy = { ...DEFAULT_POLICY, environment_rules: [{ pattern: 'prod-db-*', environment: 'dev' }] };
    expect(environmentOf('prod-db-1', rules)).toBe('prod');
    expect(environmentOf('prod-db-1', other)).toBe('dev');
  });
});

describe('Teleport hostOf', () => {
  it('strips the port of ip:port and [v6]:port, keeps bare and ambiguous addresses whole', () => {
    expect(hostOf('203.0.113.7:51234')).toBe('203.0.113.7');
    expect(hostOf(' 203.0.113.7 ')).toBe('203.0.113.7');
    expect(hostOf('[2001:db8::1]:3022')).toBe('2001:db8::1');
    expect(hostOf('[2001:db8::1')).toBe('[2001:db8::1');
    expect(hostOf('2001:db8::1')).toBe('2001:db8::1');
    expect(hostOf('::1')).toBe('::1');
    expect(hostOf('bastion.internal')).toBe('bastion.internal');
    expect(hostOf('bastion.internal:22')).toBe('bastion.internal');
    expect(hostOf('')).toBe('');
  });
});
