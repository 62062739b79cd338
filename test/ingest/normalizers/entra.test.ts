import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuthEvent } from '../../../schema/auth-event.ts';
import { DEFAULT_POLICY, isObject, sha256Hex } from '../../../ingest/normalizers/common.ts';
import { entraNormalizer } from '../../../ingest/normalizers/entra.ts';
import { mapEntraMethod, methodFromText } from '../../../ingest/normalizers/entra/methods.ts';
import { normalizeRecord } from '../../../ingest/normalizers/normalize-record.ts';
import type { StepResult } from '../../../ingest/normalizers/step-result.ts';
import { normalizeFiles, type NormalizedFile } from '../../helpers/normalize-file.ts';
import { sharedPath } from '../../helpers/shared.ts';

const SIGNINS = sharedPath('samples', 'entra-id.signins.jsonl');
const AUDITS = sharedPath('samples', 'entra-id.audits.jsonl');
const DIAGNOSTIC = sharedPath('samples', 'entra-id.diagnostic.jsonl');
const MALFORMED = sharedPath('samples', 'entra-id.malformed.jsonl');
const CORPUS = sharedPath('corpus', 'external', 'entra');
const INGESTED_AT = '2025-03-12T00:00:00.000Z';

type Ev = NormalizedFile['events'][number];

function lines(path: string): string[] {
  return readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '');
}

function jsonLine(path: string, n: number): Record<string, unknown> {
  const v: unknown = JSON.parse(lines(path)[n - 1] ?? 'null');
  if (!isObject(v)) throw new Error(`line ${n} of ${path} is not an object`);
  return v;
}

/** Deep copy through JSON, so tests can edit sample records freely. */
function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

function run(payload: unknown): StepResult<AuthEvent[]> {
  const raw = JSON.stringify(payload);
  return normalizeRecord(entraNormalizer, raw, payload, DEFAULT_POLICY, INGESTED_AT, sha256Hex(raw));
}

function only(r: StepResult<AuthEvent[]>): AuthEvent {
  if (r.kind !== 'ok') throw new Error(`expected ok, got ${r.kind}: ${r.reason}`);
  expect(r.value).toHaveLength(1);
  const [e] = r.value;
  if (!e) throw new Error('no event');
  return e;
}

function byId(events: readonly Ev[], sourceEventId: string, file = ''): Ev {
  const e = events.find((x) => x.source_event_id === sourceEventId && x.input_ref.includes(file));
  if (!e) throw new Error(`no event ${sourceEventId} in ${file}`);
  return e;
}

let signins: NormalizedFile;
let audits: NormalizedFile;
let diagnostic: NormalizedFile;
let malformed: NormalizedFile;
let corpus: NormalizedFile;

beforeAll(async () => {
  [signins, audits, diagnostic, malformed, corpus] = await Promise.all([
    normalizeFiles('entra', [SIGNINS]),
    normalizeFiles('entra', [AUDITS]),
    normalizeFiles('entra', [DIAGNOSTIC]),
    normalizeFiles('entra', [MALFORMED]),
    normalizeFiles('entra', [CORPUS]),
  ]);
});

describe('entra conformance', () => {
  it('every input line yields events, a reject or a drop with a reason; nothing crashes', () => {
    const cases: [string, NormalizedFile, number[]][] = [
      [SIGNINS, signins, []], [AUDITS, audits, []], [DIAGNOSTIC, diagnostic, []],
      // Line 4 of the malformed file is an empty `{"records":[]}` message: nothing to emit.
      [MALFORMED, malformed, [4]],
    ];
    for (const [path, out, empty] of cases) {
      const n = lines(path).length;
      for (let i = 1; i <= n; i++) {
        const ref = (x: { input_ref: string }): boolean => x.input_ref.endsWith(`:${i}`) || x.input_ref.includes(`:${i}#`);
        const handled = out.events.some(ref) || out.rejects.some(ref) || out.drops.some(ref);
        expect(handled, `${path}:${i}`).toBe(!empty.includes(i));
      }
      for (const r of [...out.rejects, ...out.drops]) expect(r.reason).toMatch(/^[a-z0-9_:]+/);
      for (const e of out.events) expect(AuthEvent.safeParse(e).success).toBe(true);
      expect(out.rejects.filter((r) => r.reason === 'normalizer_error' || r.reason === 'invalid_event')).toEqual([]);
    }
  });

  it('produces the expected number of events per sample file', () => {
    expect(signins.events).toHaveLength(14);
    expect(signins.rejects).toEqual([]);
    expect(audits.events).toHaveLength(6);
    expect(diagnostic.events).toHaveLength(4);
    expect(malformed.events).toHaveLength(1);
  });

  it('is deterministic: a second run yields identical events', async () => {
    const again = await normalizeFiles('entra', [SIGNINS, AUDITS, DIAGNOSTIC]);
    expect(again.events).toEqual([...signins.events, ...audits.events, ...diagnostic.events]);
  });

  it('normalizes every external corpus sign-in (Panther/Elastic shapes, lower-cased envelopes, zone-less times)', () => {
    expect(corpus.rejects).toEqual([]);
    expect(corpus.drops).toEqual([{ input_ref: expect.stringMatching(/entra_signin\.jsonl:29$/), reason: 'interrupt_50140' }]);
    expect(corpus.events).toHaveLength(28);
  });
});

describe('entra sign-ins (Graph beta signIn)', () => {
  it('alice FIDO2 security key: phishing-resistant, verified, Azure management plane', () => {
    const e = byId(signins.events, 'f410ee97-7e59-1579-bc6e-6a9c4e7791a7');
    expect(e).toMatchObject({
      source: 'entra', source_kind: 'idp', user: 'alice@example.com', user_type: 'human', action: 'login',
      event_time: '2025-03-11T09:03:12.000Z', resource: 'Windows Azure Service Management API', resource_type: 'cloud_console',
      auth_method: 'publickey', mfa_method: 'security_key', mfa_method_raw: 'FIDO2 security key', mfa_verified: true,
      mfa_evidence: 'performed', phishing_resistant: true, outcome: 'success', src_ip: '203.0.113.10',
      session_id: 'e5f92de8-063d-8488-2bf6-1049926ef96e',
    });
    expect(e.details).toMatchObject({ mfa_device: 'YubiKey 5 NFC', auth_strength: 'Phishing-resistant MFA', error_code: '0' });
  });

  it('carol Windows Hello for Business → webauthn, phishing-resistant', () => {
    const e = byId(signins.events, '4bcf3930-b6ed-5977-bdc7-ae663b09d51e');
    expect(e).toMatchObject({
      user: 'carol@example.com', mfa_method: 'webauthn', mfa_verified: true, phishing_resistant: true, outcome: 'success',
      resource_type: 'idp_app', details: expect.objectContaining({ incoming_token_type: 'primaryRefreshToken' }),
    });
  });

  it('bob: bad password (50126) is a failure without MFA, then password + push succeeds', () => {
    const fail = byId(signins.events, '58a5134b-f8cb-6a71-9188-c3c855a2d1c0');
    expect(fail).toMatchObject({
      user: 'bob@example.com', action: 'login', outcome: 'failure', auth_method: 'password', mfa_method: 'none',
      mfa_verified: false, mfa_evidence: 'not_performed', details: expect.objectContaining({ error_code: '50126' }),
    });
    expect(fail.reason).toMatch(/^50126: Error validating credentials/);
    const push = byId(signins.events, '5121ced1-6ee7-57fc-9b8f-eb6a00aaa7dc', 'signins');
    expect(push).toMatchObject({
      user: 'bob@example.com', action: 'login', outcome: 'success', auth_method: 'password',
      mfa_method: 'push_number_match', mfa_method_raw: 'Mobile app notification', mfa_verified: true,
      mfa_evidence: 'performed', phishing_resistant: false, reason: '',
    });
    expect(push.session_id).toBe(fail.session_id);
  });

  it('bob passwordless phone sign-in counts as MFA on its own', () => {
    const e = byId(signins.events, 'aa95401f-f030-f4b8-d821-8ad615b74a51');
    expect(e).toMatchObject({ mfa_method: 'push_number_match', mfa_method_raw: 'Passwordless phone sign-in', mfa_verified: true, outcome: 'success' });
  });

  it('dave Conditional Access block (53003) is denied even though SMS succeeded', () => {
    const e = byId(signins.events, 'ae6d23ed-4625-23e5-3ab1-be331f2f5895');
    expect(e).toMatchObject({
      user: 'dave@example.com', user_type: 'human', action: 'login', outcome: 'denied', mfa_method: 'sms',
      mfa_evidence: 'performed', mfa_verified: false, phishing_resistant: false, src_ip: '192.0.2.44',
    });
    expect(e.reason).toMatch(/^53003: Access has been blocked by Conditional Access/);
    expect(e.details.ca_policies_failed).toBe('CA003 Contractors - block untrusted locations');
    expect(e.details.ca_status).toBe('failure');
  });

  it('heidi OATH verification code → totp', () => {
    const e = byId(signins.events, '4b1ef759-1966-8f43-bc1a-469f363b3913');
    expect(e).toMatchObject({ user: 'heidi@example.com', mfa_method: 'totp', mfa_verified: true, phishing_resistant: false, outcome: 'success' });
  });

  it('ivan push denied (500121) is a failed MFA verification, not a verified factor', () => {
    const e = byId(signins.events, '4411e557-be13-0582-ec77-36b30a8bbe37', 'signins');
    expect(e).toMatchObject({
      user: 'ivan@example.com', action: 'mfa_verify', outcome: 'failure', mfa_method: 'push_number_match',
      mfa_verified: false, mfa_evidence: 'not_performed', reason: '500121: MFA denied; user declined the authentication',
    });
  });

  it('erin X.509 certificate → certificate auth, phishing-resistant', () => {
    const e = byId(signins.events, '57994d09-3d9e-5376-513d-2893056d2441');
    expect(e).toMatchObject({ user: 'erin@example.com', auth_method: 'certificate', mfa_method: 'certificate', mfa_verified: true, phishing_resistant: true });
    expect(e.details.mfa_device).toBe('CN=Erin Kowalski, OU=Admins, O=Example');
  });

  it('judy non-interactive "Previously satisfied" reuses an earlier MFA and proves nothing new', () => {
    const e = byId(signins.events, 'e001e798-2c5b-1a79-e314-1db24fd8230c', 'signins');
    expect(e).toMatchObject({
      user: 'judy@example.com', action: 'login', outcome: 'success', auth_method: 'token', mfa_method: 'unknown',
      mfa_method_raw: 'Previously satisfied', mfa_evidence: 'previously_satisfied', mfa_verified: false,
      phishing_resistant: false, details: expect.objectContaining({ interactive: 'false', sign_in_type: 'nonInteractiveUser' }),
    });
  });

  it('grace single-factor password sign-in → none', () => {
    const e = byId(signins.events, 'fcbc9edd-bba1-ea35-2cc6-c85d8941a069');
    expect(e).toMatchObject({
      user: 'grace@example.com', outcome: 'success', auth_method: 'password', mfa_method: 'none', mfa_method_raw: 'Password',
      mfa_verified: false, mfa_evidence: 'not_performed', details: expect.objectContaining({ auth_requirement: 'singleFactorAuthentication' }),
    });
  });

  it('frank disabled account (50057) is denied', () => {
    const e = byId(signins.events, 'a1c5f0ea-e43a-1b6c-ee0f-c032a9b2373e');
    expect(e).toMatchObject({ user: 'frank@example.com', event_time: '2025-03-11T14:06:40.000Z', outcome: 'denied', mfa_verified: false });
    expect(e.reason).toMatch(/^50057: User account is disabled/);
  });

  it('breakglass FIDO2 with no CA policy applied is still phishing-resistant', () => {
    const e = byId(signins.events, '575d1878-92f1-9322-fa59-c34757c101b4');
    expect(e).toMatchObject({ user: 'breakglass@example.com', mfa_method: 'security_key', phishing_resistant: true, mfa_verified: true });
  });

  it('ci-deployer service principal → service identity, certificate credential, no MFA', () => {
    const e = byId(signins.events, '8b68727b-5bc0-3f7c-1385-5f7fc9815d04');
    expect(e).toMatchObject({
      user: 'ci-deployer', user_type: 'service', event_type: 'servicePrincipalSignIn', auth_method: 'certificate',
      mfa_method: 'none', mfa_verified: false, outcome: 'success', src_ip: '10.20.5.17',
      details: expect.objectContaining({ sign_in_type: 'servicePrincipal', service_principal_id: '4208a962-f3db-1879-e212-1e4d6c9b2578' }),
    });
  });

  it('event ids are stable digests of source + sign-in id', () => {
    const ids = new Set(signins.events.map((e) => e.event_id));
    expect(ids.size).toBe(14);
    const again = only(run(jsonLine(SIGNINS, 3)));
    expect(again.event_id).toBe(byId(signins.events, 'f410ee97-7e59-1579-bc6e-6a9c4e7791a7').event_id);
  });
});

describe('entra diagnostic export (Azure Monitor records)', () => {
  it('a diagnostic record and the Graph resource of the same sign-in give the same event', () => {
    for (const id of ['5121ced1-6ee7-57fc-9b8f-eb6a00aaa7dc', 'e001e798-2c5b-1a79-e314-1db24fd8230c', '4411e557-be13-0582-ec77-36b30a8bbe37']) {
      const d = byId(diagnostic.events, id);
      const g = byId(signins.events, id);
      const strip = (e: Ev): Partial<Ev> => ({ ...e, raw_sha256: '', input_ref: '', details: {} });
      expect(strip(d)).toEqual(strip(g));
      expect(d.details.category).toMatch(/SignInLogs$/);
    }
  });

  it('splits one Event Hub message into one event per record (judy, ivan) and reads AuditLogs records', () => {
    const second = diagnostic.events.filter((e) => /diagnostic\.jsonl:2#/.test(e.input_ref)).map((e) => e.user);
    expect(second).toEqual(['judy@example.com', 'ivan@example.com']);
    const audit = diagnostic.events.find((e) => /diagnostic\.jsonl:3#/.test(e.input_ref));
    expect(audit).toMatchObject({ action: 'access_revoked', user: 'erin@example.com', target_user: 'frank@example.com', outcome: 'success' });
    expect(audit?.event_id).toBe(byId(audits.events, 'Directory_ef888552-ca29-717c-af9a-6f20c6c5cfd7_WJL6V_534736865').event_id);
  });

  it('collapses records of one split sign-in: the final status wins over an earlier interrupt', () => {
    const msg = jsonLine(DIAGNOSTIC, 1);
    const records = msg.records as Record<string, unknown>[];
    const final = clone(records[0] as Record<string, unknown>);
    const interrupt = clone(final);
    interrupt.time = '2025-03-11T08:56:24.0000000Z';
    interrupt.resultType = '50074';
    (interrupt.properties as Record<string, unknown>).status = { errorCode: 50074, failureReason: 'Strong Authentication is required.' };
    for (const order of [[interrupt, final], [final, interrupt]]) {
      const r = entraNormalizer.unwrap?.({ records: order });
      expect(r?.kind).toBe('ok');
      if (r?.kind !== 'ok') continue;
      expect(r.value).toHaveLength(1);
      const e = only(run(r.value[0]));
      expect(e).toMatchObject({ outcome: 'success', mfa_verified: true, source_event_id: '5121ced1-6ee7-57fc-9b8f-eb6a00aaa7dc' });
    }
    // Same time, both final: the later record in the message wins; the event id stays the sign-in id.
    const failed = clone(final);
    (failed.properties as Record<string, unknown>).status = { errorCode: 500121, failureReason: 'MFA denied' };
    const r = entraNormalizer.unwrap?.({ records: [failed, final] });
    if (r?.kind !== 'ok') throw new Error('unwrap failed');
    expect(r.value).toEqual([final]);
  });

  it('an interrupt record on its own is dropped, not counted as a failure', () => {
    const rec = clone(jsonLine(DIAGNOSTIC, 1).records as unknown[])[0] as Record<string, unknown>;
    (rec.properties as Record<string, unknown>).status = { errorCode: 50074 };
    expect(run(rec)).toEqual({ kind: 'drop', reason: 'interrupt_50074' });
  });

  it('reads a record whose pipeline lower-cased the Azure Monitor envelope like the record as Microsoft publishes it', () => {
    const rec = clone(jsonLine(DIAGNOSTIC, 1).records as unknown[])[0] as Record<string, unknown>;
    // Only the envelope says how it ended and where from: the outcome and IP must come through the re-cased keys.
    const props = rec.properties as Record<string, unknown>;
    delete props.status;
    delete props.ipAddress;
    rec.resultType = '50126';
    const lowered = Object.fromEntries(Object.entries(rec).map(([k, v]) => [k.toLowerCase(), v]));
    expect(Object.keys(lowered)).toEqual(expect.arrayContaining(['calleripaddress', 'resulttype']));
    const cased = only(run(rec));
    const e = only(run(lowered));
    expect(cased).toMatchObject({ outcome: 'failure', src_ip: '203.0.113.10' });
    expect({ ...e, raw_sha256: '' }).toEqual({ ...cased, raw_sha256: '' });
  });

  it('drops diagnostic categories it does not read', () => {
    const rec = clone(jsonLine(DIAGNOSTIC, 1).records as unknown[])[0] as Record<string, unknown>;
    rec.category = 'RiskyUsers';
    expect(run(rec)).toEqual({ kind: 'drop', reason: 'unsupported_category:RiskyUsers' });
  });
});

describe('entra directory audits', () => {
  const id = (s: string): Ev => byId(audits.events, s);

  it('erin adds heidi to Global Administrator → privileged privilege_change', () => {
    expect(id('Directory_0868e7d3-1a7a-90d7-9952-5ca6e2e8cea3_XYICE_583856624')).toMatchObject({
      action: 'privilege_change', user: 'erin@example.com', user_type: 'human', target_user: 'heidi@example.com',
      privileged: true, outcome: 'success', resource: 'Global Administrator', event_time: '2025-03-11T10:02:11.482Z',
      event_type: 'Add member to role', src_ip: '203.0.113.10',
      details: expect.objectContaining({ role: 'Global Administrator', role_template_id: '62e90394-69f5-4237-9190-012177145e10' }),
    });
  });

  it('erin removes heidi from the role → access_revoked with target heidi', () => {
    expect(id('Directory_ead80231-cd46-33ae-48ca-b4c6e3fc692a_2DCFY_673475740')).toMatchObject({
      action: 'access_revoked', user: 'erin@example.com', target_user: 'heidi@example.com', privileged: true,
      event_time: '2025-03-11T17:05:48.331Z', details: expect.objectContaining({ role: 'Global Administrator' }),
    });
  });

  it('judy removed from sre-prod-admins → access_revoked naming the group', () => {
    expect(id('Directory_3815d4b5-fa0b-f38d-4e18-2a825f439fa5_QK36L_418938485')).toMatchObject({
      action: 'access_revoked', target_user: 'judy@example.com', resource: 'sre-prod-admins',
      details: expect.objectContaining({ group: 'sre-prod-admins', group_id: '1b8ec1eb-b86f-db16-e15f-0ffa32b24d50' }),
    });
  });

  it('frank account disabled → access_revoked', () => {
    expect(id('Directory_ef888552-ca29-717c-af9a-6f20c6c5cfd7_WJL6V_534736865')).toMatchObject({
      action: 'access_revoked', user: 'erin@example.com', target_user: 'frank@example.com', event_time: '2025-03-11T14:00:30.773Z',
    });
  });

  it('alice registers a FIDO2 key → mfa_enroll security_key', () => {
    expect(id('Directory_4b3da0af-26ff-adc3-27c2-169ade59bbba_WZAH4_354189101')).toMatchObject({
      action: 'mfa_enroll', user: 'alice@example.com', target_user: 'alice@example.com', mfa_method: 'security_key',
      mfa_method_raw: 'User registered FIDO2 security key', mfa_verified: false,
    });
  });

  it('heidi adds a certificate to the ci-deployer app → account_change with the key id', () => {
    expect(id('Directory_5a75b9fe-b957-0930-3f73-b5287d3fe958_YPQK7_361813595')).toMatchObject({
      action: 'account_change', user: 'heidi@example.com', target_user: 'ci-deployer', src_ip: '192.0.2.90',
      details: expect.objectContaining({ key_id: 'ba16913b-83b6-5fb7-ed7a-31086a16eaf0', key_change: 'added', key_type: 'AsymmetricX509Cert' }),
    });
  });

  it('Update user setting AccountEnabled=false is a revocation; other updates and PIM requests are dropped', () => {
    const rec = jsonLine(AUDITS, 3);
    const upd = clone(rec);
    upd.activityDisplayName = 'Update user';
    expect(only(run(upd))).toMatchObject({ action: 'access_revoked', target_user: 'frank@example.com' });
    const other = clone(upd);
    ((other.targetResources as Record<string, unknown>[])[0] as Record<string, unknown>).modifiedProperties = [];
    expect(run(other)).toEqual({ kind: 'drop', reason: 'unsupported_activity' });
    const pim = clone(jsonLine(AUDITS, 1));
    pim.activityDisplayName = 'Add member to role in PIM requested (timebound)';
    expect(run(pim)).toEqual({ kind: 'drop', reason: 'unsupported_activity' });
  });

  it('an audit initiated by an app is attributed to the service principal', () => {
    const rec = clone(jsonLine(AUDITS, 3));
    rec.initiatedBy = { user: null, app: { appId: 'a1', displayName: 'HR Sync', servicePrincipalName: 'hr-sync', servicePrincipalId: 'sp1' } };
    expect(only(run(rec))).toMatchObject({ user: 'hr-sync', user_type: 'service', action: 'access_revoked' });
  });
});

describe('entra malformed samples and unwrap', () => {
  it('handles each malformed line as samples/README.md says', () => {
    expect(malformed.rejects.map((r) => [r.input_ref.split(':').pop(), r.reason])).toEqual([['1', 'invalid_json'], ['3', 'invalid_time']]);
    expect(malformed.drops).toEqual([]);
    // (2) a Graph page is unwrapped into its one sign-in.
    expect(malformed.events).toHaveLength(1);
    expect(malformed.events[0]).toMatchObject({ source_event_id: '5121ced1-6ee7-57fc-9b8f-eb6a00aaa7dc', user: 'bob@example.com', outcome: 'success' });
    expect(malformed.events[0]?.input_ref).toMatch(/malformed\.jsonl:2#0$/);
  });

  it('unwraps pages and rejects broken envelopes without throwing', () => {
    expect(entraNormalizer.unwrap?.({ '@odata.context': 'x', '@odata.nextLink': 'y' })).toEqual({ kind: 'ok', value: [] });
    expect(entraNormalizer.unwrap?.({ records: [] })).toEqual({ kind: 'ok', value: [] });
    expect(entraNormalizer.unwrap?.({ records: 'nope' })?.kind).toBe('reject');
    expect(entraNormalizer.unwrap?.({ '@odata.context': 'x', value: {} })?.kind).toBe('reject');
    const rec = jsonLine(SIGNINS, 1);
    expect(entraNormalizer.unwrap?.(rec)).toEqual({ kind: 'ok', value: [rec] });
  });

  it('rejects records it cannot read', () => {
    expect(run('text')).toMatchObject({ kind: 'reject', reason: 'unsupported_shape' });
    expect(run({ foo: 1 })).toMatchObject({ kind: 'reject', reason: 'unsupported_shape' });
    const noStatus = clone(jsonLine(SIGNINS, 2));
    delete noStatus.status;
    expect(run(noStatus)).toMatchObject({ kind: 'reject', reason: 'missing_field' });
    const noUser = clone(jsonLine(SIGNINS, 2));
    noUser.userPrincipalName = null;
    expect(run(noUser)).toMatchObject({ kind: 'reject', reason: 'missing_field' });
  });

  it('partitionKey is the lower-cased UPN (or the service principal / audit initiator)', () => {
    const pk = (r: unknown): string | undefined => entraNormalizer.partitionKey?.(r);
    const upper = clone(jsonLine(SIGNINS, 3));
    upper.userPrincipalName = 'Alice@Example.COM';
    expect(pk(upper)).toBe('alice@example.com');
    expect(pk((jsonLine(DIAGNOSTIC, 1).records as unknown[])[0])).toBe('bob@example.com');
    expect(pk(jsonLine(AUDITS, 1))).toBe('erin@example.com');
    expect(pk(jsonLine(SIGNINS, 14))).toBe('ci-deployer');
    expect(pk(42)).toBe('');
  });
});

describe('entra method mapping', () => {
  it('maps every documented authenticationMethod value (case-insensitive) and leaves the rest unknown', () => {
    const table: [string, string][] = [
      ['Password', 'none'], ['Text message', 'sms'], ['SMS', 'sms'], ['Phone call approval (Authentication phone)', 'voice'],
      ['Phone call approval (Office phone)', 'voice'], ['Voice', 'voice'], ['OATH verification code', 'totp'],
      ['Software OATH token', 'totp'], ['Mobile app notification', 'push_number_match'], ['Authenticator App', 'push_number_match'],
      ['Passwordless phone sign-in', 'push_number_match'], ['Passwordless Microsoft Authenticator', 'push_number_match'],
      ['FIDO2 security key', 'security_key'], ['fido2 SECURITY key ', 'security_key'], ['Windows Hello for Business', 'webauthn'],
      ['Passkey (Microsoft Authenticator)', 'passkey'], ['Passkey (device-bound)', 'passkey'], ['X.509 Certificate', 'certificate'],
      ['Temporary Access Pass', 'bypass'], ['Previously satisfied', 'unknown'], ['Satisfied by token', 'unknown'],
      ['Other', 'unknown'], ['Quantum entanglement', 'unknown'], ['', 'unknown'],
    ];
    for (const [raw, want] of table) expect(mapEntraMethod(raw), raw).toBe(want);
    expect(methodFromText('User registered Passwordless phone sign-in')).toBe('push_number_match');
    expect(methodFromText('User deleted Windows Hello for Business')).toBe('webauthn');
    expect(methodFromText('Something else')).toBe('unknown');
  });

  it('Temporary Access Pass is a bypass, never verified MFA', () => {
    const rec = clone(jsonLine(SIGNINS, 6));
    rec.authenticationDetails = [{ authenticationMethod: 'Temporary Access Pass', succeeded: true, authenticationStepRequirement: 'Primary authentication' }];
    expect(only(run(rec))).toMatchObject({ mfa_method: 'bypass', mfa_method_raw: 'Temporary Access Pass', mfa_verified: false, mfa_evidence: 'not_performed', outcome: 'success' });
  });

  it('an authentication strength of Phishing-resistant MFA marks the sign-in phishing-resistant', () => {
    const rec = clone(jsonLine(SIGNINS, 2));
    const pols = rec.appliedConditionalAccessPolicies as Record<string, unknown>[];
    (pols[0] as Record<string, unknown>).result = 'success';
    expect(only(run(rec))).toMatchObject({ mfa_method: 'push_number_match', phishing_resistant: true, details: expect.objectContaining({ auth_strength: 'Phishing-resistant MFA' }) });
  });
});
