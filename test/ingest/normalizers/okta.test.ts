import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { eventIdFor } from '../../../ingest/normalizers/common.ts';
import { oktaNormalizer } from '../../../ingest/normalizers/okta.ts';
import { normalizeFiles, type NormalizedFile } from '../../helpers/normalize-file.ts';
import { sharedPath } from '../../helpers/shared.ts';
import { lookupNormalized, expectEveryLineAccountedFor } from '../../helpers/normalized-lookup.ts';

const SAMPLE = sharedPath('samples', 'okta.jsonl');
const MALFORMED = sharedPath('samples', 'okta.malformed.jsonl');
const CORPUS = sharedPath('corpus', 'external', 'okta', 'okta.jsonl');
const FILES = [SAMPLE, MALFORMED, CORPUS];

let out: NormalizedFile;
const { at, rejectAt } = lookupNormalized(() => out);

beforeAll(async () => {
  out = await normalizeFiles('okta', FILES);
});

describe('okta conformance', () => {
  it('turns every input line into events, a reject or a drop, each with a reason code', () => {
    expectEveryLineAccountedFor(out, FILES);
  });

  it('normalizes all 36 good sample events with uuid-derived, stable event ids', () => {
    const good = out.events.filter((e) => e.input_ref.startsWith(`${SAMPLE}:`));
    expect(good).toHaveLength(36);
    for (const e of good) {
      expect(e.source).toBe('okta');
      expect(e.source_kind).toBe('idp');
      expect(e.event_id).toBe(eventIdFor('okta', e.source_event_id));
      expect(e.event_time.startsWith('2025-03-11T')).toBe(true);
    }
    expect(new Set(good.map((e) => e.event_id)).size).toBe(36);
  });
});

describe('okta sample scenario', () => {
  it('alice: FIDO_WEBAUTHN factor is a verified, phishing-resistant webauthn', () => {
    const e = at(SAMPLE, 6);
    expect(e).toMatchObject({
      event_type: 'user.authentication.auth_via_mfa', action: 'mfa_verify', user: 'alice@example.com', user_type: 'human',
      mfa_method: 'webauthn', mfa_method_raw: 'FIDO_WEBAUTHN', mfa_verified: true, mfa_evidence: 'performed',
      phishing_resistant: true, outcome: 'success', session_id: '102WhuVKEdgF6qcM4JLpB3GVW', src_ip: '203.0.113.10',
      event_time: '2025-03-11T09:00:05.118Z', source_event_id: 'c5b4f8db-f95b-11ef-ac9e-3acdf80c4060',
    });
    expect(at(SAMPLE, 8)).toMatchObject({ action: 'login', resource: 'Teleport', resource_type: 'idp_app', auth_method: 'sso', outcome: 'success' });
  });

  it('bob: push sent is not evidence, push approved is', () => {
    expect(at(SAMPLE, 2)).toMatchObject({ mfa_method: 'push', mfa_verified: false, mfa_evidence: 'unknown', details: { mfa_step: 'challenge_sent' } });
    expect(at(SAMPLE, 3)).toMatchObject({ user: 'bob@example.com', mfa_method: 'push', mfa_verified: true, phishing_resistant: false });
    expect(at(SAMPLE, 4)).toMatchObject({ event_type: 'user.session.start', action: 'login', resource: 'Okta', mfa_verified: false });
    expect(at(SAMPLE, 36)).toMatchObject({ action: 'session_end', user: 'bob@example.com', session_id: '102M1jXTnhHiEjhZPMFvLIxkE' });
  });

  it('policy CHALLENGE is not a success; DENY is denied; both keep the rule name', () => {
    expect(at(SAMPLE, 1)).toMatchObject({
      outcome: 'denied', mfa_verified: false,
      details: { okta_result: 'CHALLENGE', policy: 'Default Policy', policy_rule: 'Require MFA - all users' },
    });
    expect(at(SAMPLE, 16)).toMatchObject({
      user: 'dave@example.com', outcome: 'denied', details: { okta_result: 'DENY', policy_rule: 'Contractors - AWS only from managed devices' },
    });
    expect(at(SAMPLE, 17)).toMatchObject({ event_type: 'app.generic.unauth_app_access_attempt', resource: 'AWS Account Federation', outcome: 'denied' });
  });

  it('carol: Identity Engine FastPass with PHISHING_RESISTANT → webauthn, phishing-resistant', () => {
    expect(at(SAMPLE, 10)).toMatchObject({
      user: 'carol@example.com', mfa_method: 'webauthn', mfa_method_raw: 'Okta Verify / Use Okta FastPass',
      phishing_resistant: true, mfa_verified: true,
    });
  });

  it('dave: SMS failure then success; heidi: TOTP', () => {
    expect(at(SAMPLE, 13)).toMatchObject({ mfa_method: 'sms', outcome: 'failure', reason: 'INVALID_CREDENTIALS', mfa_verified: false, mfa_evidence: 'not_performed' });
    expect(at(SAMPLE, 14)).toMatchObject({ mfa_method: 'sms', outcome: 'success', mfa_verified: true, phishing_resistant: false });
    expect(at(SAMPLE, 18)).toMatchObject({ user: 'heidi@example.com', mfa_method: 'totp', mfa_method_raw: 'token:software:totp', mfa_verified: true });
  });

  it('ivan: two denied pushes from the attacker IP, then an approval that carries the risk', () => {
    const ivan = out.events.filter((e) => e.input_ref.startsWith(`${SAMPLE}:`) && e.user === 'ivan@example.com');
    const denies = ivan.filter((e) => e.event_type === 'user.mfa.okta_verify.deny_push');
    expect(denies).toHaveLength(2);
    for (const d of denies) {
      expect(d).toMatchObject({ mfa_method: 'push', outcome: 'failure', mfa_verified: false, src_ip: '198.51.100.66', details: { mfa_step: 'denied_by_user', is_proxy: 'true' } });
    }
    expect(ivan.filter((e) => e.details.mfa_step === 'challenge_sent')).toHaveLength(2);
    expect(at(SAMPLE, 24)).toMatchObject({
      mfa_method: 'push', outcome: 'success', mfa_verified: true,
      details: { risk: '{reasons=Anomalous Location, Anomalous Device, level=HIGH}' },
    });
  });

  it('grace: Identity Engine password-only factor → none, auth_method password, no MFA', () => {
    expect(at(SAMPLE, 27)).toMatchObject({
      user: 'grace@example.com', mfa_method: 'none', auth_method: 'password', mfa_verified: false,
      mfa_evidence: 'not_performed', phishing_resistant: false, outcome: 'success',
    });
    expect(at(SAMPLE, 28)).toMatchObject({ event_type: 'user.session.start', mfa_verified: false, session_id: '102ZRNyT5RvY1TBgKkdTkowyi' });
  });

  it('erin grants heidi an admin role: privileged privilege_change with the role', () => {
    expect(at(SAMPLE, 25)).toMatchObject({
      action: 'privilege_change', user: 'erin@example.com', target_user: 'heidi@example.com',
      privileged: true, resource: 'Okta Admin Console', details: { role: 'Organization administrator' },
    });
  });

  it('judy removed from a group; frank deactivated and factors reset', () => {
    expect(at(SAMPLE, 26)).toMatchObject({ action: 'access_revoked', user: 'erin@example.com', target_user: 'judy@example.com', details: { group: 'sre-prod-admins' } });
    expect(at(SAMPLE, 30)).toMatchObject({
      event_type: 'user.lifecycle.deactivate', action: 'access_revoked', user: 'erin@example.com',
      target_user: 'frank@example.com', event_time: '2025-03-11T14:00:00.077Z', details: { lifecycle: 'deactivate' },
    });
    expect(at(SAMPLE, 31)).toMatchObject({ action: 'account_change', target_user: 'frank@example.com', details: { factor_change: 'reset_all' } });
    expect(at(SAMPLE, 29)).toMatchObject({ user: 'judy@example.com', outcome: 'failure', reason: 'INVALID_CREDENTIALS', session_id: '', details: { threat_suspected: 'true' } });
  });

  it('alice enrolls a FIDO factor; breakglass uses the admin console', () => {
    expect(at(SAMPLE, 32)).toMatchObject({ action: 'mfa_enroll', mfa_method: 'webauthn', mfa_verified: false, target_user: 'alice@example.com' });
    expect(at(SAMPLE, 33)).toMatchObject({ user: 'breakglass@example.com', mfa_method: 'webauthn', mfa_verified: true });
    expect(at(SAMPLE, 35)).toMatchObject({
      event_type: 'user.session.access_admin_app', action: 'login', user: 'breakglass@example.com',
      resource: 'Okta Admin Console', resource_type: 'idp_app', privileged: true, outcome: 'success',
    });
  });
});

describe('okta malformed samples', () => {
  it('rejects truncated JSON, impossible time with null actor, and uuid:null; unwraps the page', () => {
    expect(rejectAt(MALFORMED, 1)).toBe('invalid_json');
    expect(rejectAt(MALFORMED, 2)).toBe('invalid_time');
    expect(rejectAt(MALFORMED, 4)).toBe('missing_event_id');
    const page = out.events.filter((e) => e.input_ref === `${MALFORMED}:3#0`);
    expect(page).toHaveLength(1);
    // Same uuid as the good sample line 4 → same event id: re-imports de-duplicate.
    expect(page[0]!.event_id).toBe(at(SAMPLE, 4).event_id);
  });
});

describe('okta external corpus', () => {
  it('reads Panther-style zone-less UTC times and comma-separated admin roles', () => {
    expect(at(CORPUS, 4)).toMatchObject({
      action: 'privilege_change', user: 'jack@acme.io', target_user: 'alice@acme.io', privileged: true,
      event_time: '2020-11-25T21:27:03.496Z', details: { role: 'Organization administrator, Application administrator (all)' },
    });
  });

  it('maps the Okta system principal to a service actor and API tokens to credentials', () => {
    expect(at(CORPUS, 16)).toMatchObject({ user: 'system@okta.com', user_type: 'service', action: 'account_change', target_user: 'homer@springfield.gov' });
    expect(at(CORPUS, 6)).toMatchObject({ action: 'credential_issue', resource: 'Okta API', privileged: true, details: { token_name: 'test_key' } });
    expect(at(CORPUS, 7)).toMatchObject({ action: 'access_revoked', resource: 'Okta API' });
  });

  it('does not read an Identity Engine session.start listing only Password as "no MFA"', () => {
    expect(at(CORPUS, 8)).toMatchObject({ auth_method: 'password', mfa_method: 'unknown', mfa_method_raw: 'Password', resource: 'Okta Dashboard' });
  });

  it('rejects events without uuid or time and drops unmapped event types', () => {
    for (const line of [1, 2, 3]) expect(rejectAt(CORPUS, line)).toBe('missing_event_id');
    for (const line of [13, 14, 15, 17, 18, 19, 26]) expect(rejectAt(CORPUS, line)).toBe('invalid_time');
    for (const line of [10, 11, 12]) expect(out.drops.find((d) => d.input_ref === `${CORPUS}:${line}`)?.reason).toBe('unmapped_event_type');
  });
});

describe('okta envelopes and partition key', () => {
  it('unwraps an Event Hook delivery into the same events as the poll API', async () => {
    const lines = readFileSync(SAMPLE, 'utf8').split('\n');
    const hook = { eventType: 'com.okta.event_hook', eventTypeVersion: '1.0', data: { events: [JSON.parse(lines[5]!), JSON.parse(lines[29]!)] } };
    const file = join(mkdtempSync(join(tmpdir(), 'okta-hook-')), 'hook.json');
    writeFileSync(file, JSON.stringify(hook));
    const res = await normalizeFiles('okta', [file]);
    expect(res.rejects).toEqual([]);
    expect(res.events.map((e) => e.event_id)).toEqual([at(SAMPLE, 6).event_id, at(SAMPLE, 30).event_id]);
  });

  it('rejects Okta API error bodies and unwraps EventBridge log streaming', () => {
    expect(oktaNormalizer.unwrap?.({ errorCode: 'E0000047', errorSummary: 'API call exceeded rate limit' })).toMatchObject({ kind: 'reject', reason: 'api_error' });
    const detail = { eventType: 'user.session.start', uuid: 'u-1' };
    expect(oktaNormalizer.unwrap?.({ source: 'aws.partner/okta.com/example/okta', detail })).toEqual({ kind: 'ok', value: [detail] });
  });

  it('partitions by the lower-cased actor login', () => {
    expect(oktaNormalizer.partitionKey?.({ actor: { alternateId: 'Alice@Example.COM' } })).toBe('alice@example.com');
    expect(oktaNormalizer.partitionKey?.({ actor: null })).toBe('');
  });
});
