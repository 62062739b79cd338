import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuthEvent } from '../../../schema/auth-event.ts';
import { DEFAULT_POLICY, eventIdFor } from '../../../ingest/normalizers/common.ts';
import { duoNormalizer } from '../../../ingest/normalizers/duo.ts';
import { normalizeRecord } from '../../../ingest/normalizers/normalize-record.ts';
import { normalizeFiles, type NormalizedFile } from '../../helpers/normalize-file.ts';
import { sharedPath } from '../../helpers/shared.ts';
import { lookupNormalized } from '../../helpers/normalized-lookup.ts';

const SAMPLE = sharedPath('samples', 'duo.jsonl');
const MALFORMED = sharedPath('samples', 'duo.malformed.jsonl');
const PAGE = sharedPath('samples', 'duo.api-page.json');
const AUTH = sharedPath('corpus', 'external', 'duo', 'duo_auth.jsonl');
const ADMIN = sharedPath('corpus', 'external', 'duo', 'duo_admin.jsonl');
const JSONL = [SAMPLE, MALFORMED, AUTH, ADMIN];

let out: NormalizedFile;
const { at, rejectAt, dropAt } = lookupNormalized(() => out);

beforeAll(async () => {
  out = await normalizeFiles('duo', [...JSONL, PAGE]);
});

describe('duo conformance', () => {
  it('turns every input line into an event, a reject or a drop, each with a reason code', () => {
    for (const file of JSONL) {
      const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').length;
      for (let line = 1; line <= lines; line++) {
        const ref = `${file}:${line}`;
        const handled = out.events.some((e) => e.input_ref === ref)
          || out.rejects.some((r) => r.input_ref === ref) || out.drops.some((d) => d.input_ref === ref);
        expect(handled, ref).toBe(true);
      }
    }
    for (const r of [...out.rejects, ...out.drops]) expect(r.reason).toMatch(/^[a-z_]+$/);
    expect(out.rejects.filter((r) => r.reason === 'normalizer_error' || r.reason === 'invalid_event')).toEqual([]);
  });

  it('normalizes all 18 sample records with txid-derived event ids and isotimestamp times', () => {
    const good = out.events.filter((e) => e.input_ref.startsWith(`${SAMPLE}:`));
    expect(good).toHaveLength(18);
    for (const e of good) {
      expect(e.event_id).toBe(eventIdFor('duo', e.source_event_id));
      expect(e.source_event_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(e.event_time.startsWith('2025-03-11T')).toBe(true);
    }
    expect(at(SAMPLE, 1)).toMatchObject({ event_time: '2025-03-11T08:58:05.118Z', source_event_id: '7f61270e-c630-4466-8b6a-d5d952f3bc7d' });
  });
});

describe('duo sample scenario', () => {
  it('bob: Duo Push on the VPN is a verified push', () => {
    expect(at(SAMPLE, 1)).toMatchObject({
      event_type: 'authentication', action: 'login', user: 'bob@example.com', user_type: 'human',
      resource: 'Corp VPN (RADIUS)', resource_type: 'application', mfa_method: 'push', mfa_method_raw: 'duo_push',
      mfa_verified: true, mfa_evidence: 'performed', outcome: 'success', src_ip: '203.0.113.10',
      details: { mfa_device: 'iPhone 15 (+XX XXX XXX 0101)', auth_device_ip: '192.0.2.201', groups: 'Engineering' },
    });
  });

  it('alice: WebAuthn Security Key is phishing-resistant; remembered device is only previously satisfied', () => {
    expect(at(SAMPLE, 2)).toMatchObject({ user: 'alice@example.com', mfa_method: 'security_key', phishing_resistant: true, mfa_verified: true, details: { groups: 'SRE,Prod Admins' } });
    expect(at(SAMPLE, 3)).toMatchObject({ mfa_method: 'unknown', mfa_method_raw: 'remembered_device', mfa_evidence: 'previously_satisfied', mfa_verified: false, outcome: 'success' });
  });

  it('dave: SMS, phone call, then a bypass code that never counts as MFA', () => {
    expect(at(SAMPLE, 4)).toMatchObject({ mfa_method: 'sms', mfa_verified: true });
    expect(at(SAMPLE, 5)).toMatchObject({ mfa_method: 'voice', resource: 'Windows Logon (RDP)', mfa_verified: true });
    expect(at(SAMPLE, 13)).toMatchObject({
      user: 'dave@example.com', mfa_method: 'bypass', mfa_method_raw: 'bypass_code', mfa_verified: false,
      mfa_evidence: 'not_performed', outcome: 'success', reason: 'valid_passcode', phishing_resistant: false,
    });
  });

  it('carol: trusted network is previously satisfied; heidi: Duo Mobile passcode is TOTP', () => {
    expect(at(SAMPLE, 7)).toMatchObject({ user: 'carol@example.com', mfa_method_raw: 'trusted_network', mfa_evidence: 'previously_satisfied', mfa_verified: false });
    expect(at(SAMPLE, 6)).toMatchObject({ user: 'heidi@example.com', mfa_method: 'totp', mfa_verified: true, details: { access_hostname: 'bastion-1' } });
  });

  it('ivan: no response and fraud are failures; the verified push is number-matched', () => {
    expect(at(SAMPLE, 8)).toMatchObject({ outcome: 'failure', reason: 'no_response', mfa_method: 'push', mfa_verified: false, src_ip: '198.51.100.66' });
    expect(at(SAMPLE, 9)).toMatchObject({ outcome: 'failure', reason: 'user_marked_fraud', mfa_verified: false, details: { fraud_reported: 'true', duo_result: 'fraud' } });
    expect(at(SAMPLE, 10)).toMatchObject({ user: 'ivan@example.com', mfa_method: 'push_number_match', mfa_method_raw: 'verified_duo_push', mfa_verified: true, phishing_resistant: false });
  });

  it('policy denials are denied; unanswered calls are failures', () => {
    expect(at(SAMPLE, 11)).toMatchObject({ user: 'judy@example.com', outcome: 'denied', reason: 'user_not_in_permitted_group', mfa_method: 'none' });
    expect(at(SAMPLE, 14)).toMatchObject({ user: 'admin', user_type: 'unknown', outcome: 'denied', reason: 'deny_unenrolled_user', src_ip: '198.51.100.66' });
    expect(at(SAMPLE, 15)).toMatchObject({ user: 'frank@example.com', outcome: 'denied', reason: 'user_disabled', event_time: '2025-03-11T14:08:22.615Z' });
    expect(at(SAMPLE, 18)).toMatchObject({ user: 'bob@example.com', outcome: 'failure', reason: 'no_keys_pressed', mfa_method: 'voice', mfa_verified: false });
  });

  it('grace and ci-deployer got in without a second factor', () => {
    expect(at(SAMPLE, 12)).toMatchObject({ user: 'grace@example.com', mfa_method: 'none', mfa_verified: false, mfa_evidence: 'not_performed', outcome: 'success', reason: 'bypass_user' });
    expect(at(SAMPLE, 17)).toMatchObject({ user: 'ci-deployer', user_type: 'unknown', mfa_method: 'none', mfa_verified: false, reason: 'allow_unenrolled_user', src_ip: '10.20.5.17' });
  });

  it('breakglass: the email, not the bare Duo username, is the identity', () => {
    expect(at(SAMPLE, 16)).toMatchObject({ user: 'breakglass@example.com', user_raw: 'breakglass', mfa_method: 'security_key', mfa_verified: true });
  });
});

describe('duo pages and malformed samples', () => {
  it('unwraps a full API page into the same events as the single records', () => {
    const page = out.events.filter((e) => e.input_ref.startsWith(`${PAGE}#`));
    expect(page.map((e) => e.event_id)).toEqual([at(SAMPLE, 1).event_id, at(SAMPLE, 2).event_id, at(SAMPLE, 3).event_id]);
  });

  it('handles truncation, ms timestamps, the 429 body and a record without txid', () => {
    expect(rejectAt(MALFORMED, 1)).toBe('invalid_json');
    // isotimestamp wins; the ms `timestamp` is flagged, and the txid makes it the same event as the good copy.
    expect(at(MALFORMED, 2)).toMatchObject({ event_id: at(SAMPLE, 6).event_id, event_time: at(SAMPLE, 6).event_time, details: { timestamp_unit: 'ms' } });
    expect(rejectAt(MALFORMED, 3)).toBe('api_error');
    expect(rejectAt(MALFORMED, 4)).toBe('missing_event_id');
  });
});

describe('duo external corpus', () => {
  it('authentication logs: posture denials, fraud, IPv6 and users without email', () => {
    expect(at(AUTH, 3)).toMatchObject({ user: 'narroway', outcome: 'failure', details: { fraud_reported: 'true' } });
    expect(at(AUTH, 5)).toMatchObject({ src_ip: '2a02:cf40:add:4002:91f2:a9b2:e09a:6fc6', outcome: 'failure', reason: 'user_mistake' });
    expect(at(AUTH, 7)).toMatchObject({ user: 'narroway@example.com', details: { destination: 'Microsoft 365', trusted_session_id: 'e31c4bb7-e991-469c-b339-f6117cb8f562' } });
    // Lines 10–19 carry neither time nor txid.
    for (let line = 10; line <= 19; line++) expect(rejectAt(AUTH, line)).toBe('invalid_time');
  });

  it('admin logs: admin creation, disabling, bypass status and bypass codes become events', () => {
    const admin = at(ADMIN, 6);
    expect(admin).toMatchObject({
      event_type: 'admin:admin_create', action: 'privilege_change', user: 'Bart Simpson', target_user: 'homer.simpson@simpsons.com',
      privileged: true, resource: 'Duo Admin Panel', event_time: '2023-01-17T16:47:54.000Z', details: { role: 'Owner' },
    });
    // Admin log entries have no vendor id: the raw record's hash is the source id.
    expect(admin.source_event_id).toBe(admin.raw_sha256);
    expect(at(ADMIN, 12)).toMatchObject({ action: 'access_revoked', target_user: 'bart.simpson@simpsons.com', details: { duo_status: 'disabled' } });
    expect(at(ADMIN, 13)).toMatchObject({ action: 'account_change', details: { duo_status: 'bypass' } });
    expect(at(ADMIN, 3)).toMatchObject({ action: 'credential_issue', target_user: 'target@example.io', mfa_method: 'bypass', mfa_verified: false, details: { credential: 'bypass_code', valid_secs: '3600' } });
  });

  it('admin logs: configuration changes and secret views are dropped with a reason', () => {
    for (const line of [1, 2, 5, 7, 8, 10]) expect(dropAt(ADMIN, line)).toBe('admin_config_event');
    expect(dropAt(ADMIN, 4)).toBe('unmapped_admin_action');
  });
});

function one(rec: Record<string, unknown>): AuthEvent {
  const r = normalizeRecord(duoNormalizer, JSON.stringify(rec), rec, DEFAULT_POLICY, '2025-03-12T00:00:00.000Z');
  if (r.kind !== 'ok') throw new Error(`expected ok, got ${r.kind} ${r.reason}`);
  return r.value[0]!;
}

describe('duo mapping details', () => {
  const base = {
    txid: 't-1', isotimestamp: '2025-03-11T10:00:00.000000+00:00', event_type: 'authentication', result: 'success',
    reason: 'user_approved', email: 'Bob@Example.com', user: { name: 'bob', key: 'DU1' }, application: { name: 'App' },
  };

  it('accepts display-style factor names and platform WebAuthn', () => {
    expect(one({ ...base, factor: 'Duo Push' }).mfa_method).toBe('push');
    expect(one({ ...base, factor: 'WebAuthn Chrome Touch ID' })).toMatchObject({ mfa_method: 'webauthn', phishing_resistant: true });
    expect(one({ ...base, factor: 'Yet Another Factor' })).toMatchObject({ mfa_method: 'unknown', mfa_verified: false, mfa_method_raw: 'Yet Another Factor' });
  });

  it('strips ports from access-device IPs and lower-cases the email identity', () => {
    expect(one({ ...base, factor: 'duo_push', access_device: { ip: '192.0.2.5:51234' } })).toMatchObject({ src_ip: '192.0.2.5', user: 'bob@example.com', user_raw: 'bob' });
    expect(one({ ...base, factor: 'duo_push', access_device: { ip: '[2001:db8::1]:443' } }).src_ip).toBe('2001:db8::1');
  });

  it('maps enrollment events to mfa_enroll and seconds timestamps when isotimestamp is absent', () => {
    const { isotimestamp: _omit, ...noIso } = base;
    expect(one({ ...noIso, timestamp: 1741687200, event_type: 'enrollment', factor: 'duo_push' }))
      .toMatchObject({ action: 'mfa_enroll', mfa_verified: false, event_time: '2025-03-11T10:00:00.000Z' });
  });

  it('unwraps administrator-log pages and rejects FAIL bodies', () => {
    expect(duoNormalizer.unwrap?.({ stat: 'OK', response: [{ action: 'admin_login' }] })).toMatchObject({ kind: 'ok', value: [{ action: 'admin_login' }] });
    expect(duoNormalizer.unwrap?.({ stat: 'FAIL', code: 40301, message: 'Access forbidden' })).toMatchObject({ kind: 'reject', reason: 'api_error' });
    expect(duoNormalizer.unwrap?.({ stat: 'OK', response: { authlogs: [], metadata: {} } })).toMatchObject({ kind: 'drop' });
  });

  it('reads admin panel logins with their factor', () => {
    const e = one({ action: 'admin_login', isotimestamp: '2025-03-11T10:00:00+00:00', username: 'Erin', description: '{"factor": "duo_push", "ip_address": "203.0.113.10"}' });
    expect(e).toMatchObject({ action: 'login', resource: 'Duo Admin Panel', privileged: true, mfa_method: 'push', mfa_verified: true, src_ip: '203.0.113.10' });
  });

  it('partitions by email, else username', () => {
    expect(duoNormalizer.partitionKey?.({ email: 'Bob@Example.com', user: { name: 'bob' } })).toBe('bob@example.com');
    expect(duoNormalizer.partitionKey?.({ email: '', user: { name: 'CI-Deployer' } })).toBe('ci-deployer');
  });
});
