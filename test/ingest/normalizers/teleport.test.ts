import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, eventIdFor, sha256Hex } from '../../../ingest/normalizers/common.ts';
import type { NormalizeContext } from '../../../ingest/normalizers/normalizer.ts';
import { teleportNormalizer } from '../../../ingest/normalizers/teleport.ts';
import { normalizeFiles, type NormalizedFile } from '../../helpers/normalize-file.ts';
import { sharedPath } from '../../helpers/shared.ts';
import { lookupNormalized, expectEveryLineAccountedFor } from '../../helpers/normalized-lookup.ts';

const SAMPLE = sharedPath('samples', 'teleport.jsonl');
const MALFORMED = sharedPath('samples', 'teleport.malformed.jsonl');
const CORPUS = sharedPath('corpus', 'external', 'teleport', 'teleport.jsonl');
const CORPUS_TEXT = sharedPath('corpus', 'external', 'teleport', 'teleport_text.log');
const FILES = [SAMPLE, MALFORMED, CORPUS, CORPUS_TEXT];

let out: NormalizedFile;
const { at, rejectAt, dropAt } = lookupNormalized(() => out);

beforeAll(async () => {
  out = await normalizeFiles('teleport', FILES);
});

describe('teleport conformance', () => {
  it('turns every input line into an event, a reject or a drop, each with a reason code', () => {
    expectEveryLineAccountedFor(out, FILES);
  });

  it('normalizes all 28 good sample events with uid-derived ids; db.session.query is a logged privileged function', () => {
    const good = out.events.filter((e) => e.input_ref.startsWith(`${SAMPLE}:`));
    expect(good).toHaveLength(28);
    expect(at(SAMPLE, 11)).toMatchObject({ action: 'api_call', user: 'carol@example.com', resource_type: 'database', mfa_verified: false, outcome: 'success' });
    expect(at(SAMPLE, 11).details.db_query).toMatch(/GRANT/i);
    for (const e of good) {
      expect(e).toMatchObject({ source: 'teleport', source_kind: 'gateway' });
      expect(e.event_id).toBe(eventIdFor('teleport', e.source_event_id));
      expect(e.source_event_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(e.details.via).toBe('teleport');
      expect(e.event_time.startsWith('2025-03-11T')).toBe(true);
    }
    expect(new Set(good.map((e) => e.event_id)).size).toBe(28);
  });

  it('handles each malformed line as samples/README.md says', () => {
    expect(rejectAt(MALFORMED, 1)).toBe('invalid_json');
    expect(out.rejects.find((r) => r.input_ref === `${MALFORMED}:2`)).toMatchObject({ reason: 'missing_field', detail: 'uid and user are both empty' });
    expect(rejectAt(MALFORMED, 3)).toBe('invalid_json');
    // Epoch-seconds time is accepted; the uid is that of sample line 6, so the event id is the same.
    const epoch = at(MALFORMED, 4);
    expect(epoch).toMatchObject({ event_time: '2025-03-11T08:54:10.000Z', user: 'bob@example.com', outcome: 'denied' });
    expect(epoch.event_id).toBe(at(SAMPLE, 6).event_id);
  });

  it('rejects every [AUDIT] text log line of the external corpus', () => {
    for (let line = 1; line <= 4; line++) expect(rejectAt(CORPUS_TEXT, line), `text line ${line}`).toBe('invalid_json');
  });
});

describe('teleport sample scenario', () => {
  it('alice: SAML login delegates MFA to the IdP, then a per-session-MFA SSH session to prod-db-1 as ubuntu', () => {
    expect(at(SAMPLE, 1)).toMatchObject({
      event_type: 'user.login', action: 'login', user: 'alice@example.com', user_type: 'human', auth_method: 'sso',
      mfa_method: 'unknown', mfa_evidence: 'external_idp', mfa_verified: false, outcome: 'success',
      event_time: '2025-03-11T09:00:40.215Z', src_ip: '203.0.113.10', resource: 'teleport.example.com',
      details: { connector: 'okta', login_method: 'saml', cluster: 'teleport.example.com', code: 'T1000I' },
    });
    expect(at(SAMPLE, 3)).toMatchObject({
      event_type: 'session.start', action: 'session_start', user: 'alice@example.com', resource: 'prod-db-1',
      resource_type: 'server', environment: 'prod', privileged: false, auth_method: 'certificate',
      mfa_verified: true, mfa_method: 'unknown', mfa_evidence: 'performed', outcome: 'success',
      session_id: '959c01c3-71f6-489d-982d-def48145daf5', event_time: '2025-03-11T09:01:10.442Z',
      details: { login_user: 'ubuntu', mfa_device_uuid: 'fb85df9f-4db4-c7ca-0ebc-9337804138ca', role: 'access,sre-prod' },
    });
    // The end names the same device but does not prove a new factor.
    expect(at(SAMPLE, 10)).toMatchObject({
      action: 'session_end', session_id: '959c01c3-71f6-489d-982d-def48145daf5', event_time: '2025-03-11T09:14:02.119Z',
      mfa_verified: false, mfa_evidence: 'previously_satisfied', details: { interactive: 'true' },
    });
  });

  it('alice: cert.create carries the key id, roles and expiry', () => {
    expect(at(SAMPLE, 2)).toMatchObject({
      action: 'credential_issue', user: 'alice@example.com', auth_method: 'certificate', src_ip: '203.0.113.10',
      details: { cert_key_id: 'alice@example.com', role: 'access,sre-prod', logins: 'ubuntu,alice', cert_expires: '2025-03-11T21:00:40.604118Z' },
    });
  });

  it('breakglass: local WebAuthn login, then a root session on prod-db-1 is privileged and MFA-verified', () => {
    const login = at(SAMPLE, 25);
    expect(login).toMatchObject({
      user: 'breakglass', user_type: 'shared', auth_method: 'password', mfa_method: 'webauthn', mfa_method_raw: 'WebAuthn',
      mfa_verified: true, mfa_evidence: 'performed', phishing_resistant: true, outcome: 'success',
      details: { mfa_device: 'bg-yubikey-1' },
    });
    const session = at(SAMPLE, 26);
    expect(session).toMatchObject({
      user: 'breakglass', user_type: 'shared', resource: 'prod-db-1', privileged: true, mfa_verified: true,
      event_time: '2025-03-11T16:23:30.005Z', details: { login_user: 'root', session_reason: 'BREAKGLASS INC-4830 auth outage' },
    });
    // The session's per-session MFA device is the one used at login: the correlator can join them.
    expect(session.details.mfa_device_uuid).toBe(login.details.mfa_device_uuid);
  });

  it('heidi: local login failure, then TOTP success', () => {
    expect(at(SAMPLE, 13)).toMatchObject({
      user: 'heidi@example.com', action: 'login', outcome: 'failure', mfa_verified: false, auth_method: 'password',
      reason: 'invalid username, password or second factor', src_ip: '192.0.2.90',
    });
    expect(at(SAMPLE, 14)).toMatchObject({
      user: 'heidi@example.com', outcome: 'success', mfa_method: 'totp', mfa_method_raw: 'TOTP', mfa_verified: true,
      mfa_evidence: 'performed', phishing_resistant: false, details: { mfa_device: 'heidi-otp' },
    });
    expect(at(SAMPLE, 24)).toMatchObject({
      action: 'mfa_enroll', user: 'heidi@example.com', mfa_method: 'webauthn', mfa_verified: false, details: { mfa_device: 'heidi-passkey' },
    });
  });

  it('bob: access request for sre-prod approved by alice', () => {
    const created = at(SAMPLE, 22);
    expect(created).toMatchObject({
      action: 'privilege_change', user: 'bob@example.com', target_user: 'bob@example.com', privileged: true,
      outcome: 'success', reason: 'INC-4821 payments latency',
      details: { role: 'sre-prod', state: 'PENDING', request_id: 'ca779922-a9fd-45d1-804a-996b78dd13fe' },
    });
    expect(at(SAMPLE, 23)).toMatchObject({
      action: 'privilege_change', user: 'alice@example.com', target_user: '', privileged: true, outcome: 'success',
      event_time: '2025-03-11T15:04:40.090Z', details: { state: 'APPROVED', request_id: created.details.request_id },
    });
  });

  it('bob: kube.request delete secrets is denied with the object and impersonation kept', () => {
    expect(at(SAMPLE, 6)).toMatchObject({
      action: 'api_call', user: 'bob@example.com', resource: 'prod-eks', resource_type: 'kubernetes', outcome: 'denied',
      details: { verb: 'delete', object: 'payments/secrets/db-creds', impersonated_user: 'bob@example.com', response_code: '403' },
    });
  });

  it('carol: database session resource is service/database with the db_user', () => {
    expect(at(SAMPLE, 9)).toMatchObject({
      action: 'session_start', resource: 'prod-postgres/payments', resource_type: 'database', environment: 'prod',
      privileged: false, details: { db_user: 'carol', pid: '30211', db_service: 'prod-postgres', db_name: 'payments' },
    });
    expect(at(SAMPLE, 15)).toMatchObject({ action: 'session_end', session_id: '37f58670-fd5f-4720-bc0a-63bc73e32ed1' });
  });

  it('frank: session still starts at 14:20:09, lock at 14:25 revokes, access denied at 14:26:31', () => {
    expect(at(SAMPLE, 18)).toMatchObject({
      action: 'session_start', user: 'frank@example.com', resource: 'app-1', outcome: 'success',
      event_time: '2025-03-11T14:20:09.301Z', mfa_verified: false, details: { login_user: 'frank' },
    });
    expect(at(SAMPLE, 19)).toMatchObject({
      action: 'access_revoked', user: 'erin@example.com', target_user: 'frank@example.com', outcome: 'success',
      event_time: '2025-03-11T14:25:00.012Z', reason: 'offboarded 2025-03-11', details: { lock_target_user: 'frank@example.com' },
    });
    const denied = at(SAMPLE, 21);
    expect(denied).toMatchObject({ action: 'session_start', user: 'frank@example.com', resource: 'app-1', outcome: 'denied', event_time: '2025-03-11T14:26:31.908Z' });
    expect(denied.reason).toContain('lock targeting');
  });

  it('judy: node access denied after the role change; okta-sync updates her account', () => {
    expect(at(SAMPLE, 17)).toMatchObject({ event_type: 'auth', outcome: 'denied', user: 'judy@example.com', resource: 'prod-db-1' });
    expect(at(SAMPLE, 16)).toMatchObject({ action: 'account_change', user: 'okta-sync', user_type: 'service', target_user: 'judy@example.com', details: { role: 'access' } });
  });

  it('ci-deployer: bot join and exec are service activity', () => {
    expect(at(SAMPLE, 27)).toMatchObject({ action: 'login', user: 'bot-ci-deployer', user_type: 'service', auth_method: 'token', mfa_method: 'none', details: { join_method: 'github' } });
    expect(at(SAMPLE, 28)).toMatchObject({
      action: 'session_start', user: 'bot-ci-deployer', user_type: 'service', resource: 'app-1', src_ip: '10.20.5.17',
      details: { interactive: 'false', login_user: 'deploy', command: 'sudo systemctl restart payments-api' },
    });
  });
});

describe('teleport external corpus', () => {
  it('maps the published events', () => {
    expect(at(CORPUS, 1)).toMatchObject({ event_type: 'auth', outcome: 'denied', user: 'panther' });
    // Local login without a device: MFA was not performed (second_factor off).
    expect(at(CORPUS, 7)).toMatchObject({ mfa_method: 'none', mfa_evidence: 'not_performed', mfa_verified: false, src_ip: '2001:db8:face:face:face:face:face:face' });
    expect(at(CORPUS, 6)).toMatchObject({ mfa_method: 'webauthn', mfa_verified: true, details: { mfa_device: '1Password' } });
    // Zone-less time (Teleport writes UTC only), lower-case code, `addr_remote` spelling, root login.
    expect(at(CORPUS, 15)).toMatchObject({ event_time: '2023-09-18T11:22:33.000Z', privileged: true, src_ip: '192.0.2.1', details: { login_user: 'root' } });
    expect(at(CORPUS, 29)).toMatchObject({ action: 'mfa_verify', mfa_method: 'bypass', mfa_verified: false, outcome: 'success' });
    expect(at(CORPUS, 30)).toMatchObject({ mfa_method: 'bypass', outcome: 'failure', reason: 'recovery code did not match' });
    expect(at(CORPUS, 44)).toMatchObject({ event_type: 'windows.desktop.session.start', outcome: 'denied', privileged: true });
    expect(at(CORPUS, 38)).toMatchObject({ resource: 'aws-console', resource_type: 'cloud_console', details: { role: 'arn:aws:iam::1234567890:role/steve' } });
    expect(at(CORPUS, 9)).toMatchObject({ action: 'credential_issue', user: 'bot-application', user_type: 'service', details: { impersonator: 'bot-application' } });
    // An explicit success flag wins over a stale `…W` code.
    expect(at(CORPUS, 23)).toMatchObject({ user: 'root', user_type: 'shared', outcome: 'success' });
    expect(dropAt(CORPUS, 2)).toBe('ignored_event_type');
  });
});

describe('teleport policy and helpers', () => {
  const ctx = (policy = DEFAULT_POLICY): NormalizeContext => ({ raw_sha256: sha256Hex('x'), ingested_at: '2025-03-12T00:00:00.000Z', policy });

  it('uses policy.db_superusers and privileged_resources', () => {
    const rec = JSON.parse(readFileSync(SAMPLE, 'utf8').split('\n')[8]!) as Record<string, unknown>;
    const plain = teleportNormalizer.normalize(rec, ctx());
    expect(plain.kind === 'ok' && plain.value[0]!.privileged).toBe(false);
    const superuser = teleportNormalizer.normalize({ ...rec, db_user: 'Postgres' }, ctx());
    expect(superuser.kind === 'ok' && superuser.value[0]!.privileged).toBe(true);
    const byPolicy = teleportNormalizer.normalize(rec, ctx({ ...DEFAULT_POLICY, privileged_resources: ['prod-postgres/*'] }));
    expect(byPolicy.kind === 'ok' && byPolicy.value[0]!.privileged).toBe(true);
  });

  it('falls back to the raw hash when uid is missing, and rejects invalid times and non-objects', () => {
    const noUid = teleportNormalizer.normalize({ event: 'user.login', user: 'x@example.com', time: '2025-03-11T10:00:00Z', method: 'oidc', success: true }, ctx());
    expect(noUid.kind === 'ok' && noUid.value[0]!.source_event_id).toBe(sha256Hex('x'));
    expect(teleportNormalizer.normalize({ event: 'user.login', uid: 'u1', user: 'a', time: '11/03/2025' }, ctx())).toMatchObject({ kind: 'reject', reason: 'invalid_time' });
    expect(teleportNormalizer.normalize('text', ctx())).toMatchObject({ kind: 'reject', reason: 'unsupported_shape' });
    expect(teleportNormalizer.normalize({ uid: 'u1', user: 'a' }, ctx())).toMatchObject({ kind: 'reject', reason: 'missing_field' });
  });

  it('maps passwordless logins to passkey and U2F devices to security_key', () => {
    const pw = teleportNormalizer.normalize({ event: 'user.login', uid: 'p1', user: 'a@example.com', time: '2025-03-11T10:00:00Z', method: 'passwordless', success: true }, ctx());
    expect(pw.kind === 'ok' && pw.value[0]).toMatchObject({ mfa_method: 'passkey', mfa_verified: true, phishing_resistant: true });
    const u2f = teleportNormalizer.normalize({ event: 'user.login', uid: 'p2', user: 'a@example.com', time: '2025-03-11T10:00:00Z', method: 'local', success: true, mfa_device: { mfa_device_type: 'U2F' } }, ctx());
    expect(u2f.kind === 'ok' && u2f.value[0]).toMatchObject({ mfa_method: 'security_key', mfa_verified: true });
  });

  it('partitions by the acting user', () => {
    expect(teleportNormalizer.partitionKey?.({ event: 'access_request.update', updated_by: 'alice@example.com' })).toBe('alice@example.com');
    expect(teleportNormalizer.partitionKey?.({ event: 'session.start', user: 'bob@example.com' })).toBe('bob@example.com');
  });
});
