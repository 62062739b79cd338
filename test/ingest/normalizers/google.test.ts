import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuthEvent } from '../../../schema/auth-event.ts';
import { DEFAULT_POLICY, isObject, sha256Hex } from '../../../ingest/normalizers/common.ts';
import { googleNormalizer } from '../../../ingest/normalizers/google.ts';
import { normalizeRecord } from '../../../ingest/normalizers/normalize-record.ts';
import type { StepResult } from '../../../ingest/normalizers/step-result.ts';
import { normalizeFiles, type NormalizedFile } from '../../helpers/normalize-file.ts';
import { sharedPath } from '../../helpers/shared.ts';

const SAMPLES = sharedPath('samples', 'google-workspace.jsonl');
const MALFORMED = sharedPath('samples', 'google-workspace.malformed.jsonl');
const CORPUS_DIR = sharedPath('corpus', 'external', 'google');
const CORPUS = sharedPath('corpus', 'external', 'google', 'google_login.jsonl');
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

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

function run(payload: unknown): StepResult<AuthEvent[]> {
  const raw = JSON.stringify(payload);
  return normalizeRecord(googleNormalizer, raw, payload, DEFAULT_POLICY, INGESTED_AT, sha256Hex(raw));
}

function events(r: StepResult<AuthEvent[]>): AuthEvent[] {
  if (r.kind !== 'ok') throw new Error(`expected ok, got ${r.kind}: ${r.reason}`);
  return r.value;
}

let samples: NormalizedFile;
let malformed: NormalizedFile;
let corpus: NormalizedFile;

/** The sample event of line n (each sample activity holds one event). */
function line(n: number): Ev {
  const e = samples.events.find((x) => x.input_ref.endsWith(`google-workspace.jsonl:${n}`));
  if (!e) throw new Error(`no event for line ${n}`);
  return e;
}

beforeAll(async () => {
  [samples, malformed, corpus] = await Promise.all([
    normalizeFiles('google', [SAMPLES]),
    normalizeFiles('google', [MALFORMED]),
    normalizeFiles('google', [CORPUS_DIR]),
  ]);
});

describe('google conformance', () => {
  it('every input line yields events or a reject with a reason; nothing crashes', () => {
    const cases: [string, NormalizedFile, number[]][] = [
      [SAMPLES, samples, []],
      // Line 3 of the malformed file is an empty list page (only nextPageToken): nothing to emit.
      [MALFORMED, malformed, [3]],
      [CORPUS, corpus, []],
    ];
    for (const [path, out, empty] of cases) {
      const n = lines(path).length;
      for (let i = 1; i <= n; i++) {
        const ref = (x: { input_ref: string }): boolean => x.input_ref.endsWith(`:${i}`) || x.input_ref.includes(`:${i}#`);
        const handled = out.events.some(ref) || out.rejects.some(ref) || out.drops.some(ref);
        expect(handled, `${path}:${i}`).toBe(!empty.includes(i));
      }
      for (const r of [...out.rejects, ...out.drops]) expect(r.reason).toMatch(/^[a-z_]+$/);
      for (const e of out.events) expect(AuthEvent.safeParse(e).success).toBe(true);
      expect(out.rejects.filter((r) => r.reason === 'normalizer_error' || r.reason === 'invalid_event')).toEqual([]);
    }
  });

  it('turns all 21 sample activities into 21 events with distinct stable ids', async () => {
    expect(samples.events).toHaveLength(21);
    expect(samples.rejects).toEqual([]);
    expect(new Set(samples.events.map((e) => e.event_id)).size).toBe(21);
    const again = await normalizeFiles('google', [SAMPLES]);
    expect(again.events).toEqual(samples.events);
    expect(line(1).source_event_id).toBe('login/2025-03-11T08:57:40.102Z/-3540514143010104472');
  });

  it('normalizes Elastic\'s one-object `events` shape and rejects the other corpus shapes with a reason', () => {
    // Elastic flattens a one-event events[] to an object (normalized); Panther's flattened events and other
    // applications are not Reports API login activities (rejected with a reason).
    expect(corpus.events.length).toBe(17);
    expect(corpus.events.every((e) => e.source === 'google' && e.user.length > 0)).toBe(true);
    const reasons = new Map<string, number>();
    for (const r of corpus.rejects) reasons.set(r.reason, (reasons.get(r.reason) ?? 0) + 1);
    expect(Object.fromEntries(reasons)).toEqual({ unsupported_application: 10, unsupported_shape: 12 });
  });
});

describe('google login events (samples)', () => {
  it('bob: google_prompt verification then login_success → push, verified', () => {
    expect(line(1)).toMatchObject({
      source: 'google', source_kind: 'idp', user: 'bob@example.com', user_type: 'human', action: 'mfa_verify',
      event_type: 'login_verification', mfa_method: 'push', mfa_method_raw: 'google_prompt', mfa_verified: true,
      mfa_evidence: 'performed', outcome: 'success', event_time: '2025-03-11T08:57:40.102Z',
      details: expect.objectContaining({ is_second_factor: 'true', challenge_status: 'passed' }),
    });
    expect(line(2)).toMatchObject({
      user: 'bob@example.com', action: 'login', event_type: 'login_success', auth_method: 'password', mfa_method: 'push',
      mfa_verified: true, phishing_resistant: false, outcome: 'success', resource: 'google-workspace:C03k9x2ab',
      resource_type: 'idp_app', src_ip: '203.0.113.10',
      details: expect.objectContaining({ challenge_methods: 'password,google_prompt', is_suspicious: 'false', customer_id: 'C03k9x2ab' }),
    });
  });

  it('alice and carol SAML logins defer MFA to the IdP (external_idp), never "none"', () => {
    for (const n of [3, 4]) {
      expect(line(n)).toMatchObject({ action: 'login', auth_method: 'sso', mfa_method: 'unknown', mfa_evidence: 'external_idp', mfa_verified: false, outcome: 'success' });
    }
    expect(line(3).user).toBe('alice@example.com');
  });

  it('dave: 2SV enrollment, bad password, SMS verification, login', () => {
    expect(line(5)).toMatchObject({ user: 'dave@example.com', action: 'mfa_enroll', event_type: '2sv_enroll', outcome: 'success' });
    expect(line(6)).toMatchObject({ action: 'login', outcome: 'failure', reason: 'login_failure_invalid_password', mfa_method: 'none', mfa_verified: false });
    expect(line(7)).toMatchObject({ action: 'mfa_verify', mfa_method: 'sms', mfa_method_raw: 'idv_preregistered_phone', mfa_verified: true });
    expect(line(8)).toMatchObject({ action: 'login', mfa_method: 'sms', mfa_verified: true, outcome: 'success', src_ip: '192.0.2.44' });
  });

  it('heidi Google Authenticator → totp; passkey later → phishing-resistant passkey', () => {
    expect(line(9)).toMatchObject({ user: 'heidi@example.com', action: 'mfa_verify', mfa_method: 'totp', mfa_verified: true });
    expect(line(10)).toMatchObject({ action: 'login', mfa_method: 'totp', mfa_verified: true, phishing_resistant: false });
    expect(line(20)).toMatchObject({ user: 'heidi@example.com', action: 'login', mfa_method: 'passkey', mfa_verified: true, phishing_resistant: true, outcome: 'success' });
  });

  it('ivan: failed second factor from the attacker IP, then a backup code (bypass, not MFA)', () => {
    expect(line(11)).toMatchObject({
      user: 'ivan@example.com', action: 'mfa_verify', mfa_method: 'push', mfa_verified: false, mfa_evidence: 'not_performed',
      outcome: 'failure', reason: 'failed', src_ip: '198.51.100.66',
    });
    expect(line(12)).toMatchObject({
      action: 'login', outcome: 'failure', reason: 'login_failure_invalid_second_factor', mfa_method: 'push', mfa_verified: false,
      details: expect.objectContaining({ is_suspicious: 'true' }),
    });
    expect(line(15)).toMatchObject({
      action: 'login', outcome: 'success', mfa_method: 'bypass', mfa_method_raw: 'backup_code', mfa_verified: false,
      mfa_evidence: 'not_performed', phishing_resistant: false,
    });
  });

  it('erin and breakglass security keys are phishing-resistant', () => {
    expect(line(13)).toMatchObject({ user: 'erin@example.com', action: 'mfa_verify', mfa_method: 'security_key', mfa_verified: true, phishing_resistant: true });
    expect(line(14)).toMatchObject({ user: 'erin@example.com', action: 'login', mfa_method: 'security_key', phishing_resistant: true });
    expect(line(21)).toMatchObject({ user: 'breakglass@example.com', mfa_method: 'security_key', phishing_resistant: true, mfa_verified: true });
  });

  it('grace password only → none', () => {
    expect(line(16)).toMatchObject({ user: 'grace@example.com', action: 'login', auth_method: 'password', mfa_method: 'none', mfa_method_raw: 'password', mfa_evidence: 'not_performed', mfa_verified: false, outcome: 'success' });
  });

  it('judy suspicious_login is a risk fact about the account; logout ends the session', () => {
    expect(line(17)).toMatchObject({
      user: 'judy@example.com', action: 'account_change', event_type: 'suspicious_login', target_user: 'judy@example.com',
      outcome: 'success', reason: 'suspicious_login', mfa_verified: false,
      details: expect.objectContaining({ risk_event: 'suspicious_login', login_time: '2025-03-11T13:10:44.009Z', affected_email: 'judy@example.com' }),
    });
    expect(line(18)).toMatchObject({ user: 'judy@example.com', action: 'session_end', event_type: 'logout', outcome: 'success' });
  });

  it('frank disabled account → denied login', () => {
    expect(line(19)).toMatchObject({ user: 'frank@example.com', action: 'login', outcome: 'denied', reason: 'login_failure_account_disabled', event_time: '2025-03-11T14:07:15.256Z' });
  });
});

describe('google malformed samples, pages and multi-event activities', () => {
  it('handles each malformed line as samples/README.md says', () => {
    // Line 2 carries `events` as one object: normalized like an events[] of one.
    expect(malformed.events.map((e) => e.input_ref.split(':').pop())).toEqual(['2']);
    expect(malformed.drops).toEqual([]);
    expect(malformed.rejects.map((r) => [r.input_ref.split(':').pop(), r.reason])).toEqual([
      ['1', 'invalid_json'], ['4', 'missing_event_id'],
    ]);
  });

  it('unwraps a list page into its activities; a page with only nextPageToken is empty', () => {
    const items = [jsonLine(SAMPLES, 1), jsonLine(SAMPLES, 2)];
    expect(googleNormalizer.unwrap?.({ kind: 'admin#reports#activities', etag: 'x', items, nextPageToken: 't' })).toEqual({ kind: 'ok', value: items });
    expect(googleNormalizer.unwrap?.(jsonLine(MALFORMED, 3))).toEqual({ kind: 'ok', value: [] });
    expect(googleNormalizer.unwrap?.({ kind: 'admin#reports#activities', items: {} })?.kind).toBe('reject');
    expect(googleNormalizer.unwrap?.(items[0])).toEqual({ kind: 'ok', value: [items[0]] });
  });

  it('one activity with several events → one event each, ids suffixed #i', () => {
    const act = clone(jsonLine(SAMPLES, 1));
    const second = clone((jsonLine(SAMPLES, 2).events as unknown[])[0]);
    act.events = [(act.events as unknown[])[0], second];
    const out = events(run(act));
    expect(out.map((e) => [e.source_event_id, e.action])).toEqual([
      ['login/2025-03-11T08:57:40.102Z/-3540514143010104472#0', 'mfa_verify'],
      ['login/2025-03-11T08:57:40.102Z/-3540514143010104472#1', 'login'],
    ]);
    expect(out[0]?.event_id).not.toBe(out[1]?.event_id);
    act.events = [...(act.events as unknown[]), { type: 'login', name: 'brand_new_event', parameters: [] }];
    const mixed = events(run(act));
    expect(mixed).toHaveLength(2);
    expect(mixed[0]?.details.skipped_events).toBe('brand_new_event');
    act.events = [{ type: 'login', name: 'brand_new_event' }];
    expect(run(act)).toMatchObject({ kind: 'reject', reason: 'unsupported_event' });
  });

  it('partitionKey is the lower-cased actor email', () => {
    const act = clone(jsonLine(SAMPLES, 1));
    (act.actor as Record<string, unknown>).email = 'Bob@Example.com';
    expect(googleNormalizer.partitionKey?.(act)).toBe('bob@example.com');
    expect(googleNormalizer.partitionKey?.(null)).toBe('');
  });

  it('rejects a locale time and a missing time', () => {
    const act = clone(jsonLine(SAMPLES, 2));
    (act.id as Record<string, unknown>).time = '03/11/2025 08:57:41';
    expect(run(act)).toMatchObject({ kind: 'reject', reason: 'invalid_time' });
    delete (act.id as Record<string, unknown>).time;
    expect(run(act)).toMatchObject({ kind: 'reject', reason: 'missing_field' });
  });
});

describe('google mapping on published Elastic events (re-framed as events[] arrays)', () => {
  // The Elastic test lines carry `events` as one object; wrapping it in an array gives a Reports API
  // activity, which exercises the mapping on real values (single `value` methods, "Challenge Passed.", int ids).
  const reframed = (n: number): AuthEvent[] => {
    const act = clone(jsonLine(CORPUS, n));
    act.events = [act.events];
    return events(run(act));
  };

  it('maps Elastic login events', () => {
    expect(reframed(23)[0]).toMatchObject({ action: 'access_revoked', event_type: 'account_disabled_password_leak', target_user: 'foo@elastic.co', user: 'foo@bar.com', source_event_id: 'login/2020-10-02T15:00:00.000Z/1' });
    expect(reframed(24)[0]).toMatchObject({ action: 'account_change', details: expect.objectContaining({ risk_event: 'suspicious_login', login_time: '2020-07-02T13:08:25.123Z' }) });
    expect(reframed(32)[0]).toMatchObject({ action: 'login', outcome: 'denied', reason: 'login_failure_access_code_disallowed', mfa_method: 'bypass' });
    expect(reframed(33)[0]).toMatchObject({ action: 'mfa_verify', outcome: 'success', mfa_method: 'bypass', mfa_verified: false });
    expect(reframed(34)[0]).toMatchObject({ action: 'mfa_verify', outcome: 'success', mfa_method: 'bypass', mfa_verified: false, details: expect.objectContaining({ is_second_factor: 'false' }) });
    expect(reframed(35)[0]).toMatchObject({ action: 'session_end' });
    expect(reframed(36)[0]).toMatchObject({ action: 'login', outcome: 'success', mfa_method: 'bypass', mfa_verified: false });
    expect(reframed(37)[0]).toMatchObject({ action: 'login', mfa_method: 'none', auth_method: 'password', details: expect.objectContaining({ is_suspicious: 'true' }) });
    expect(reframed(38)[0]).toMatchObject({ action: 'mfa_verify', outcome: 'success', mfa_method: 'none', mfa_verified: false, details: expect.objectContaining({ sensitive_action: 'Allowing access to data' }) });
    expect(reframed(39)[0]).toMatchObject({ action: 'mfa_verify', user: 'tl.zeous.daclitan@company.com', mfa_method: 'security_key', mfa_verified: true, phishing_resistant: true });
  });
});
