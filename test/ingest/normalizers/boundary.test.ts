import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { boundaryNormalizer } from '../../../ingest/normalizers/boundary.ts';
import { DEFAULT_POLICY, eventIdFor, sha256Hex } from '../../../ingest/normalizers/common.ts';
import type { NormalizeContext } from '../../../ingest/normalizers/normalizer.ts';
import { normalizeFiles, type NormalizedFile } from '../../helpers/normalize-file.ts';
import { sharedPath } from '../../helpers/shared.ts';
import { lookupNormalized, expectEveryLineAccountedFor } from '../../helpers/normalized-lookup.ts';

const SAMPLE = sharedPath('samples', 'boundary.jsonl');
const MALFORMED = sharedPath('samples', 'boundary.malformed.jsonl');
const FILES = [SAMPLE, MALFORMED];

function lines(file: string): string[] {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
}

let out: NormalizedFile;
const { at, rejectAt, dropAt } = lookupNormalized(() => out);

beforeAll(async () => {
  out = await normalizeFiles('boundary', FILES);
});

const ctx: NormalizeContext = { raw_sha256: sha256Hex('b'), ingested_at: '2025-03-12T00:00:00.000Z', policy: DEFAULT_POLICY };

/** Sample line `n` (1-based) as a parsed object, for variations. */
function sampleRecord(n: number): Record<string, unknown> {
  return JSON.parse(lines(SAMPLE)[n - 1]!) as Record<string, unknown>;
}

describe('boundary conformance', () => {
  it('turns every input line into an event, a reject or a drop, each with a reason code', () => {
    expectEveryLineAccountedFor(out, FILES);
  });

  it('keeps 12 of the 16 sample events; flow steps and session reads are dropped', () => {
    const good = out.events.filter((e) => e.input_ref.startsWith(`${SAMPLE}:`));
    expect(good).toHaveLength(12);
    expect([1, 2, 8].map((n) => dropAt(SAMPLE, n))).toEqual(['auth_flow_step', 'auth_flow_step', 'auth_flow_step']);
    expect(dropAt(SAMPLE, 14)).toBe('not_access_event');
    for (const e of good) {
      expect(e).toMatchObject({ source: 'boundary', source_kind: 'gateway' });
      expect(e.details.via).toBe('boundary');
      expect(e.event_id).toBe(eventIdFor('boundary', e.source_event_id));
      expect(e.source_event_id).toMatch(/^e_[A-Za-z0-9]{10}(#error)?$/);
    }
    expect(new Set(good.map((e) => e.event_id)).size).toBe(12);
  });

  it('handles each malformed line as samples/README.md says', () => {
    expect(rejectAt(MALFORMED, 1)).toBe('invalid_json');
    expect(rejectAt(MALFORMED, 2)).toBe('unsupported_shape');
    expect(rejectAt(MALFORMED, 3)).toBe('invalid_json');
    // Both content-type keys and a null request_info: the authenticate call is still recognised.
    const both = at(MALFORMED, 4);
    expect(both).toMatchObject({ action: 'login', user: 'u_TYyfeddH8Q', outcome: 'success', src_ip: '', details: { auth_method_id: 'amoidc_UNRuTkDpoy' } });
    expect(both.event_id).toBe(at(SAMPLE, 5).event_id);
  });
});

describe('boundary sample scenario', () => {
  it('alice: OIDC login delegates MFA to the IdP, then authorize-session on the prod target', () => {
    expect(at(SAMPLE, 3)).toMatchObject({
      action: 'login', user: 'u_EetBRjw1uD', user_type: 'human', auth_method: 'sso', mfa_method: 'unknown',
      mfa_evidence: 'external_idp', mfa_verified: false, outcome: 'success', event_time: '2025-03-11T09:03:47.402Z',
      src_ip: '203.0.113.10',
      details: { auth_method_id: 'amoidc_UNRuTkDpoy', account_id: 'acctoidc_RxRXTTdVeX', issued_auth_token_id: 'at_rhZY1ZHfFl' },
    });
    expect(at(SAMPLE, 4)).toMatchObject({
      event_type: 'POST /v1/targets/{id}:authorize-session', action: 'session_start', user: 'u_EetBRjw1uD',
      resource: 'ttcp_Hs3aTf0DV1', resource_type: 'server', environment: 'prod', privileged: true, outcome: 'success',
      session_id: 's_AkNDjl17Qy', event_time: '2025-03-11T09:04:02.880Z', mfa_evidence: 'external_idp',
      details: { target_id: 'ttcp_Hs3aTf0DV1', endpoint: 'tcp://10.20.1.15:5432', auth_token_id: 'at_rhZY1ZHfFl', scope: 'prod' },
    });
    // Cancelling one's own session is its end, not a revocation.
    expect(at(SAMPLE, 10)).toMatchObject({ action: 'session_end', user: 'u_EetBRjw1uD', target_user: '', session_id: 's_AkNDjl17Qy' });
  });

  it('denied authorize-session without a wildcard grant', () => {
    expect(at(SAMPLE, 7)).toMatchObject({ action: 'session_start', outcome: 'denied', privileged: false, resource: 'ttcp_Hs3aTf0DV1', session_id: '' });
  });

  it('dave: the IdP refused the OIDC callback → failed login from the error event', () => {
    expect(at(SAMPLE, 9)).toMatchObject({
      action: 'login', outcome: 'failure', user: 'u_anon', user_type: 'unknown', auth_method: 'sso',
      source_event_id: 'e_GutBHxyGgE#error', src_ip: '192.0.2.44', event_time: '2025-03-11T09:27:02.701Z',
    });
    expect(at(SAMPLE, 9).reason).toContain('access_denied');
  });

  it('frank: authorize-session at 14:15:40 still works; his token is revoked at 14:31 and the session cancelled', () => {
    const grant = at(SAMPLE, 11);
    expect(grant).toMatchObject({
      action: 'session_start', user: 'u_RdXZ1goMWc', resource: 'tssh_DoBkH7bI8J', outcome: 'success', privileged: false,
      session_id: 's_wcriOUva2m', event_time: '2025-03-11T14:15:40.004Z', src_ip: '192.0.2.61',
    });
    const revoke = at(SAMPLE, 12);
    expect(revoke).toMatchObject({
      event_type: 'DELETE /v1/auth-tokens/{id}', action: 'access_revoked', user: 'u_J22ZK8icef', outcome: 'success',
      privileged: true, event_time: '2025-03-11T14:31:05.230Z',
    });
    expect(revoke.details.revoked_auth_token_id).toBe(grant.details.auth_token_id);
    expect(at(SAMPLE, 13)).toMatchObject({
      action: 'access_revoked', user: 'u_J22ZK8icef', target_user: 'u_RdXZ1goMWc', session_id: 's_wcriOUva2m', event_time: '2025-03-11T14:31:20.010Z',
    });
  });

  it('ci-deployer: password auth method has no MFA at all', () => {
    expect(at(SAMPLE, 15)).toMatchObject({
      action: 'login', user: 'u_oOvdSJzuVd', auth_method: 'password', mfa_method: 'none', mfa_evidence: 'not_performed',
      details: { login_name: 'ci-deployer', auth_method_id: 'ampw_yK07Uhu6Gs' },
    });
    expect(at(SAMPLE, 16)).toMatchObject({ action: 'session_start', user: 'u_oOvdSJzuVd', mfa_method: 'none', mfa_evidence: 'not_performed', session_id: 's_vNZbcQ74kr' });
  });
});

describe('boundary envelope variations', () => {
  it('accepts the standard datacontenttype key alone', () => {
    const rec = sampleRecord(4);
    delete rec.datacontentype;
    const r = boundaryNormalizer.normalize({ ...rec, datacontenttype: 'application/cloudevents' }, ctx);
    expect(r.kind === 'ok' && r.value[0]!.action).toBe('session_start');
  });

  it('drops observation events, rejects events without a type', () => {
    expect(boundaryNormalizer.normalize({ ...sampleRecord(4), type: 'observation' }, ctx)).toMatchObject({ kind: 'drop', reason: 'ignored_event_type' });
    const rec = sampleRecord(4);
    delete rec.type;
    expect(boundaryNormalizer.normalize(rec, ctx)).toMatchObject({ kind: 'reject', reason: 'missing_field' });
  });

  it('turns role principal changes into one privilege_change per principal', () => {
    const rec = sampleRecord(12);
    const data = rec.data as Record<string, unknown>;
    const r = boundaryNormalizer.normalize({
      ...rec,
      data: {
        ...data,
        request_info: { method: 'POST', path: '/v1/roles/r_Abc123defG:add-principals', client_ip: '203.0.113.10' },
        request: { details: { principal_ids: ['u_heidi00001', 'u_heidi00002'], version: 1 } },
        response: { status_code: 200 },
      },
    }, ctx);
    expect(r.kind).toBe('ok');
    if (r.kind !== 'ok') return;
    expect(r.value.map((e) => [e.action, e.target_user, e.source_event_id, e.details.role])).toEqual([
      ['privilege_change', 'u_heidi00001', 'e_C7C89ibQFT', 'r_Abc123defG'],
      ['privilege_change', 'u_heidi00002', 'e_C7C89ibQFT#1', 'r_Abc123defG'],
    ]);
  });

  it('partitions by the Boundary user id', () => {
    expect(boundaryNormalizer.partitionKey?.(sampleRecord(11))).toBe('u_RdXZ1goMWc');
  });
});
