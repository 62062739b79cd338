import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { cloudtrailNormalizer } from '../../../ingest/normalizers/cloudtrail.ts';
import { DEFAULT_POLICY, eventIdFor } from '../../../ingest/normalizers/common.ts';
import { normalizeRecord } from '../../../ingest/normalizers/normalize-record.ts';
import type { AuthEvent } from '../../../schema/auth-event.ts';
import { normalizeFiles, type NormalizedFile } from '../../helpers/normalize-file.ts';
import { sharedPath } from '../../helpers/shared.ts';
import { expectEveryLineAccountedFor, lookupNormalized } from '../../helpers/normalized-lookup.ts';

const SAMPLE = sharedPath('samples', 'aws-cloudtrail.jsonl');
const MALFORMED = sharedPath('samples', 'aws-cloudtrail.malformed.jsonl');
const S3_OBJECT = sharedPath('samples', 'aws-cloudtrail.s3-object.json');
const CORPUS = sharedPath('corpus', 'external', 'aws', 'cloudtrail.jsonl');
const LINE_FILES = [SAMPLE, MALFORMED, CORPUS];

function lines(file: string): string[] {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
}

/** The sample record on a given line, parsed (for building envelope variants). */
function sampleRecord(line: number): Record<string, unknown> {
  return JSON.parse(lines(SAMPLE)[line - 1]) as Record<string, unknown>;
}

function one(record: unknown, policy = DEFAULT_POLICY): AuthEvent {
  const r = normalizeRecord(cloudtrailNormalizer, JSON.stringify(record), record, policy, '2025-03-12T00:00:00.000Z');
  if (r.kind !== 'ok') throw new Error(`expected ok, got ${r.kind} ${r.reason}`);
  expect(r.value).toHaveLength(1);
  return r.value[0];
}

let out: NormalizedFile;
const { at } = lookupNormalized(() => out);

beforeAll(async () => {
  out = await normalizeFiles('cloudtrail', [...LINE_FILES, S3_OBJECT]);
});

describe('cloudtrail conformance', () => {
  it('turns every line of the samples and the external corpus into an event, a drop or a reject with a reason', () => {
    expectEveryLineAccountedFor(out, LINE_FILES);
  });

  it('counts the external corpus: zone-less Panther eventTimes are read as UTC; partial records are rejected', () => {
    const corpus = (x: { input_ref: string }): boolean => x.input_ref.startsWith(`${CORPUS}:`);
    expect(out.events.filter(corpus)).toHaveLength(91);
    expect(out.drops.filter(corpus)).toHaveLength(6);
    const reasons = out.rejects.filter(corpus).map((r) => r.reason);
    expect(reasons).toHaveLength(13);
    expect(new Set(reasons)).toEqual(new Set(['invalid_time', 'missing_field']));
    const anaya = at(CORPUS, 6);
    expect(anaya).toMatchObject({ user: 'anaya', mfa_method: 'security_key', mfa_verified: true, phishing_resistant: true });
  });

  it('normalizes 23 of the 27 sample records and drops the 4 successful read-only calls', () => {
    const good = out.events.filter((e) => e.input_ref.startsWith(`${SAMPLE}:`));
    expect(good).toHaveLength(23);
    expect(out.drops.filter((d) => d.input_ref.startsWith(`${SAMPLE}:`)).map((d) => d.reason))
      .toEqual(['read_only_api_call', 'read_only_api_call', 'read_only_api_call', 'read_only_api_call']);
    expect(out.rejects.filter((r) => r.input_ref.startsWith(`${SAMPLE}:`))).toEqual([]);
    for (const e of good) {
      expect(e.source).toBe('cloudtrail');
      expect(e.source_kind).toBe('cloud');
      expect(e.event_id).toBe(eventIdFor('cloudtrail', e.source_event_id));
    }
    expect(new Set(good.map((e) => e.event_id)).size).toBe(23);
  });

  it('handles each malformed line as samples/README.md says', () => {
    const rejects = out.rejects.filter((r) => r.input_ref.startsWith(`${MALFORMED}:`));
    expect(rejects.map((r) => [r.input_ref.slice(MALFORMED.length), r.reason])).toEqual([
      [':1', 'invalid_json'],
      [':3', 'missing_field'],
      [':4', 'invalid_field'],
    ]);
    // (2) an S3 object body on one line is unwrapped: alice's AssumeRoleWithSAML, same id as the JSONL copy.
    const unwrapped = out.events.filter((e) => e.input_ref.startsWith(`${MALFORMED}:2#`));
    expect(unwrapped).toHaveLength(1);
    expect(unwrapped[0].event_id).toBe(at(SAMPLE, 4).event_id);
  });

  it('reads a zone-less eventTime as UTC, rejects a locale eventTime and a userIdentity string', () => {
    const rec = sampleRecord(2);
    const zoneless = normalizeRecord(cloudtrailNormalizer, '', { ...rec, eventTime: '2025-03-11 08:46:10' }, DEFAULT_POLICY, '2025-03-12T00:00:00.000Z');
    expect(zoneless.kind === 'ok' && zoneless.value[0]?.event_time).toBe('2025-03-11T08:46:10.000Z');
    const locale = normalizeRecord(cloudtrailNormalizer, '', { ...rec, eventTime: '03/11/2025 08:46:10' }, DEFAULT_POLICY, '2025-03-12T00:00:00.000Z');
    expect(locale).toMatchObject({ kind: 'reject', reason: 'invalid_time' });
    const stringIdentity = normalizeRecord(cloudtrailNormalizer, '', { ...rec, userIdentity: 'frank' }, DEFAULT_POLICY, '2025-03-12T00:00:00.000Z');
    expect(stringIdentity).toMatchObject({ kind: 'reject', reason: 'invalid_field' });
  });

  it('gives the S3 object copies the same event ids as the one-per-line copies (de-dup on eventID)', () => {
    const s3 = out.events.filter((e) => e.input_ref.startsWith(`${S3_OBJECT}:`));
    expect(s3).toHaveLength(6);
    const jsonlIds = new Set(out.events.filter((e) => e.input_ref.startsWith(`${SAMPLE}:`)).map((e) => e.event_id));
    for (const e of s3) expect(jsonlIds.has(e.event_id)).toBe(true);
  });
});

describe('cloudtrail sign-in and STS mapping', () => {
  it('frank: IAM user console login with a TOTP device', () => {
    const e = at(SAMPLE, 1);
    expect(e).toMatchObject({
      event_type: 'signin:ConsoleLogin', action: 'login', user: 'frank', user_raw: 'arn:aws:iam::111122223333:user/frank',
      user_type: 'human', outcome: 'success', auth_method: 'password', mfa_method: 'totp', mfa_verified: true,
      mfa_evidence: 'performed', phishing_resistant: false, mfa_method_raw: 'arn:aws:iam::111122223333:mfa/frank-iphone',
      resource: 'aws/111122223333/console', resource_type: 'cloud_console', event_time: '2025-03-11T08:45:02.000Z',
      src_ip: '192.0.2.61',
    });
    expect(e.details.identity_kind).toBe('iam_user');
    expect(e.details.account_id).toBe('111122223333');
  });

  it('frank: GetSessionToken with an MFA serial issues a session keyed by the new ASIA key', () => {
    const e = at(SAMPLE, 2);
    expect(e).toMatchObject({
      action: 'credential_issue', user: 'frank', mfa_method: 'totp', mfa_verified: true, auth_method: 'access_key',
      session_id: 'ASIAIT6XXH4IMLICSE5Z',
    });
    expect(e.details.session_expires_at).toBe('2025-03-11T20:46:10.000Z');
    expect(e.details.caller_access_key_id).toBe('AKIAUATWFKI7NTHTYFDL');
  });

  it('alice: AssumeRoleWithSAML is the person, MFA left to the IdP; her console login shows MFAUsed=No', () => {
    const saml = at(SAMPLE, 4);
    expect(saml).toMatchObject({
      event_type: 'sts:AssumeRoleWithSAML', action: 'role_assumption', user: 'alice@example.com', user_type: 'human',
      resource: 'arn:aws:iam::111122223333:role/OktaSRE-Admin', resource_type: 'cloud_role', privileged: true,
      auth_method: 'sso', mfa_method: 'unknown', mfa_evidence: 'external_idp', mfa_verified: false,
      session_id: 'ASIAWGPDGPFI74H2IGKC',
    });
    expect(saml.details).toMatchObject({ identity_kind: 'federated', target_role: 'OktaSRE-Admin', session_expires_at: '2025-03-11T10:02:03.000Z' });
    const login = at(SAMPLE, 5);
    expect(login).toMatchObject({
      action: 'login', user: 'alice@example.com', user_raw: 'arn:aws:sts::111122223333:assumed-role/OktaSRE-Admin/alice@example.com',
      mfa_method: 'unknown', mfa_method_raw: 'MFAUsed=No', mfa_evidence: 'external_idp', mfa_verified: false,
      session_id: 'ASIAWGPDGPFI74H2IGKC', privileged: true, auth_method: 'sso',
    });
    expect(login.details).toMatchObject({ role: 'OktaSRE-Admin', identity_kind: 'federated' });
  });

  it('ops-legacy: password-only console login and GetFederationToken for vendor-temp', () => {
    expect(at(SAMPLE, 18)).toMatchObject({
      action: 'login', user: 'ops-legacy', auth_method: 'password', mfa_method: 'none', mfa_evidence: 'not_performed', mfa_verified: false,
    });
    expect(at(SAMPLE, 19)).toMatchObject({ action: 'credential_issue', user: 'ops-legacy', target_user: 'vendor-temp', mfa_method: 'none' });
  });

  it('root: failed console login from the attacker, then break-glass login with a FIDO key', () => {
    expect(at(SAMPLE, 21)).toMatchObject({
      user: 'arn:aws:iam::111122223333:root', user_type: 'root', privileged: true, outcome: 'failure', reason: 'Failed authentication',
      mfa_method: 'none', src_ip: '198.51.100.66',
    });
    const bg = at(SAMPLE, 25);
    expect(bg).toMatchObject({
      user: 'arn:aws:iam::111122223333:root', user_type: 'root', privileged: true, outcome: 'success',
      mfa_method: 'security_key', mfa_verified: true, phishing_resistant: true,
    });
    expect(bg.details.identity_kind).toBe('root');
  });

  it('service identities: CI key AssumeRole and an EC2 instance profile', () => {
    expect(at(SAMPLE, 26)).toMatchObject({ action: 'role_assumption', user: 'ci-deployer', user_type: 'service', mfa_method: 'none', privileged: false });
    expect(at(SAMPLE, 27)).toMatchObject({ user: 'ec2.amazonaws.com', user_type: 'service' });
    expect(at(SAMPLE, 27).details.identity_kind).toBe('service');
  });

  it('never makes an actor out of HIDDEN_DUE_TO_SECURITY_REASONS', () => {
    const rec = { ...sampleRecord(21), userIdentity: { type: 'IAMUser', accountId: '111122223333', accessKeyId: '', userName: 'HIDDEN_DUE_TO_SECURITY_REASONS' } };
    const e = one(rec);
    expect(e.user).toBe('');
    expect(e.user_type).toBe('unknown');
    expect(e.details.user_hidden).toBe('true');
  });
});

describe('cloudtrail IAM changes', () => {
  it('heidi creates tmp-vendor and attaches AdministratorAccess', () => {
    expect(at(SAMPLE, 8)).toMatchObject({ action: 'account_change', user: 'heidi@example.com', target_user: 'tmp-vendor', privileged: true });
    const grant = at(SAMPLE, 10);
    expect(grant).toMatchObject({
      event_type: 'iam:AttachUserPolicy', action: 'privilege_change', privileged: true, target_user: 'tmp-vendor',
      user: 'heidi@example.com', resource: 'arn:aws:iam::111122223333:user/tmp-vendor',
    });
    expect(grant.details).toMatchObject({ policy: 'arn:aws:iam::aws:policy/AdministratorAccess', admin_policy: 'true', account_id: '111122223333' });
    expect(at(SAMPLE, 11)).toMatchObject({ action: 'credential_issue', target_user: 'tmp-vendor' });
    expect(at(SAMPLE, 11).details.access_key_id).toBe('AKIABHCFZGWTWK5GSZ3H');
    expect(at(SAMPLE, 13)).toMatchObject({ action: 'mfa_enroll', target_user: 'tmp-vendor' });
  });

  it('erin removes frank: MFA device, login profile, access key deactivated', () => {
    expect(at(SAMPLE, 22)).toMatchObject({ action: 'account_change', target_user: 'frank', user: 'erin@example.com' });
    expect(at(SAMPLE, 23)).toMatchObject({ event_type: 'iam:DeleteLoginProfile', action: 'access_revoked', target_user: 'frank' });
    const key = at(SAMPLE, 24);
    expect(key).toMatchObject({ event_type: 'iam:UpdateAccessKey', action: 'access_revoked', target_user: 'frank' });
    expect(key.details).toMatchObject({ access_key_id: 'AKIAUATWFKI7NTHTYFDL', key_status: 'Inactive' });
  });

  it('DeleteAccessKey, RemoveUserFromGroup and an inline "Action":"*" policy', () => {
    const base = sampleRecord(24);
    const del = one({ ...base, eventID: 'e0000000-0000-4000-8000-000000000001', eventName: 'DeleteAccessKey', requestParameters: { userName: 'frank', accessKeyId: 'AKIAUATWFKI7NTHTYFDL' } });
    expect(del).toMatchObject({ action: 'access_revoked', target_user: 'frank', privileged: true });
    expect(del.details.access_key_id).toBe('AKIAUATWFKI7NTHTYFDL');
    const group = one({ ...base, eventID: 'e0000000-0000-4000-8000-000000000002', eventName: 'RemoveUserFromGroup', requestParameters: { userName: 'frank', groupName: 'prod-admins' } });
    expect(group).toMatchObject({ action: 'access_revoked', target_user: 'frank' });
    expect(group.details.group).toBe('prod-admins');
    const doc = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
    const inline = one({ ...base, eventID: 'e0000000-0000-4000-8000-000000000003', eventName: 'PutUserPolicy', requestParameters: { userName: 'tmp-vendor', policyName: 'all', policyDocument: doc } });
    expect(inline).toMatchObject({ action: 'privilege_change', privileged: true, target_user: 'tmp-vendor' });
    expect(inline.details).toMatchObject({ policy: 'all', admin_policy: 'true' });
  });

  it('bob: CreateAccessKey denied, target taken from the error message', () => {
    const e = at(SAMPLE, 17);
    expect(e).toMatchObject({ action: 'credential_issue', outcome: 'denied', reason: 'AccessDenied', user: 'bob@example.com', target_user: 'ci-deployer' });
  });
});

describe('cloudtrail read-only calls, envelopes and partitioning', () => {
  it('keeps read-only calls as api_call when the policy asks for them', async () => {
    const res = await normalizeFiles('cloudtrail', [SAMPLE], { ...DEFAULT_POLICY, store_read_only_cloud_calls: true });
    expect(res.events).toHaveLength(27);
    const judy = res.events.find((e) => e.input_ref === `${SAMPLE}:15`);
    expect(judy).toMatchObject({ action: 'api_call', user: 'judy@example.com', session_id: 'ASIADC4XYRJGQWYUKGNA', privileged: true, event_type: 'iam:ListRoles' });
    const frank = res.events.find((e) => e.input_ref === `${SAMPLE}:3`);
    expect(frank).toMatchObject({ user: 'frank', mfa_evidence: 'performed', mfa_verified: true, session_id: 'ASIAIT6XXH4IMLICSE5Z' });
  });

  it('unwraps LookupEvents pages and EventBridge envelopes, drops non-CloudTrail ones, and reads CloudTrail Lake rows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ct-env-'));
    const rec = sampleRecord(25);
    const lake = Object.fromEntries(Object.entries(rec).map(([k, v]) => [k.toLowerCase(), v]));
    lake.eventtime = '2025-03-11 16:24:10.000';
    const page = { QueryResultRows: [Object.entries(lake).map(([k, v]) => ({ [k]: typeof v === 'object' && v !== null ? JSON.stringify(v) : v }))] };
    const lookup = { Events: [{ EventId: rec.eventID, EventName: 'ConsoleLogin', CloudTrailEvent: JSON.stringify(rec) }], NextToken: 't' };
    const docs = [
      lookup,
      { version: '0', id: 'x', 'detail-type': 'AWS Console Sign In via CloudTrail', source: 'aws.signin', account: '111122223333', detail: rec },
      { version: '0', id: 'y', 'detail-type': 'EC2 Instance State-change Notification', source: 'aws.ec2', detail: { state: 'running' } },
      lake,
      page,
    ];
    writeFileSync(join(dir, 'mixed.jsonl'), docs.map((d) => JSON.stringify(d)).join('\n'));
    const res = await normalizeFiles('cloudtrail', [dir]);
    expect(res.rejects).toEqual([]);
    expect(res.drops.map((d) => d.reason)).toEqual(['not_cloudtrail_event']);
    expect(res.events).toHaveLength(4);
    const expected = at(SAMPLE, 25);
    for (const e of res.events) {
      expect(e.event_id).toBe(expected.event_id);
      expect(e).toMatchObject({ event_time: '2025-03-11T16:24:10.000Z', user_type: 'root', mfa_method: 'security_key' });
    }
  });

  it('partitions by the canonical actor', () => {
    expect(cloudtrailNormalizer.partitionKey?.(sampleRecord(5))).toBe('alice@example.com');
    expect(cloudtrailNormalizer.partitionKey?.(sampleRecord(1))).toBe('frank');
    expect(cloudtrailNormalizer.partitionKey?.({ 'detail-type': 'x', detail: sampleRecord(25) })).toBe('arn:aws:iam::111122223333:root');
    expect(cloudtrailNormalizer.partitionKey?.('garbage')).toBe('');
  });

  it('reads an S3 delivery tree of .json.gz objects and rejects a corrupt one as corrupt_gzip', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ct-s3-'));
    const day = join(root, 'AWSLogs', '111122223333', 'CloudTrail', 'eu-central-1', '2025', '03', '11');
    mkdirSync(day, { recursive: true });
    const body = readFileSync(S3_OBJECT);
    writeFileSync(join(day, '111122223333_CloudTrail_eu-central-1_20250311T1025Z_a1b2c3.json.gz'), gzipSync(body));
    const corrupt = gzipSync(body).subarray(0, 40);
    writeFileSync(join(day, '111122223333_CloudTrail_eu-central-1_20250311T1030Z_d4e5f6.json.gz'), Buffer.concat([corrupt, Buffer.from('not gzip at all')]));
    const res = await normalizeFiles('cloudtrail', [root]);
    expect(res.events).toHaveLength(6);
    expect(res.events.map((e) => e.event_type)).toContain('iam:AttachUserPolicy');
    expect(res.rejects).toHaveLength(1);
    expect(res.rejects[0].reason).toBe('corrupt_gzip');
    expect(res.rejects[0].input_ref).toContain('d4e5f6.json.gz');
  });
});
