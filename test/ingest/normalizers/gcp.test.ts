import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, eventIdFor } from '../../../ingest/normalizers/common.ts';
import { gcpNormalizer } from '../../../ingest/normalizers/gcp.ts';
import { normalizeRecord } from '../../../ingest/normalizers/normalize-record.ts';
import type { AuthEvent } from '../../../schema/auth-event.ts';
import { normalizeFiles, type NormalizedFile } from '../../helpers/normalize-file.ts';
import { sharedPath } from '../../helpers/shared.ts';
import { lookupNormalized, expectEveryLineAccountedFor } from '../../helpers/normalized-lookup.ts';

const SAMPLE = sharedPath('samples', 'gcp-audit.jsonl');
const MALFORMED = sharedPath('samples', 'gcp-audit.malformed.jsonl');
const CORPUS = sharedPath('corpus', 'external', 'gcp', 'gcp_audit.jsonl');
const FILES = [SAMPLE, MALFORMED, CORPUS];
const SA = 'ci-deployer@example-prod-4821.iam.gserviceaccount.com';

function lines(file: string): string[] {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
}

function sampleEntry(line: number): Record<string, unknown> {
  return JSON.parse(lines(SAMPLE)[line - 1]) as Record<string, unknown>;
}

let out: NormalizedFile;
const { at } = lookupNormalized(() => out);

beforeAll(async () => {
  out = await normalizeFiles('gcp', FILES);
});

describe('gcp conformance', () => {
  it('turns every line of the samples and the external corpus into events, a drop or a reject with a reason', () => {
    expectEveryLineAccountedFor(out, FILES);
  });

  it('normalizes 9 sample entries and drops the system_event one', () => {
    const good = out.events.filter((e) => e.input_ref.startsWith(`${SAMPLE}:`));
    expect(good).toHaveLength(9);
    for (const e of good) {
      expect(e).toMatchObject({ source: 'gcp', source_kind: 'cloud' });
      expect(e.event_id).toBe(eventIdFor('gcp', e.source_event_id));
    }
    expect(out.drops.filter((d) => d.input_ref.startsWith(`${SAMPLE}:`)).map((d) => d.reason)).toEqual(['system_event']);
  });

  it('handles the malformed lines: truncated, Pub/Sub envelope without an entry, redacted caller, textPayload', () => {
    const rejects = out.rejects.filter((r) => r.input_ref.startsWith(`${MALFORMED}:`));
    expect(rejects.map((r) => [r.input_ref.slice(MALFORMED.length), r.reason])).toEqual([
      [':1', 'invalid_json'],
      // The decoded Pub/Sub data is `{"protoPayload":{}}`: no timestamp to place it in time.
      [':2#0', 'missing_field'],
      [':3', 'missing_actor'],
      [':4', 'unsupported_shape'],
    ]);
  });

  it('counts the external corpus: zone-less Panther timestamps are read as UTC; partial records are rejected', () => {
    const corpus = (x: { input_ref: string }): boolean => x.input_ref.startsWith(`${CORPUS}:`);
    expect(out.events.filter(corpus).length).toBe(49);
    const reasons = out.rejects.filter(corpus).map((r) => r.reason);
    expect(reasons.filter((r) => r === 'invalid_time')).toHaveLength(0);
    expect(reasons.filter((r) => r === 'missing_actor')).toHaveLength(2);
    expect(reasons.filter((r) => r === 'missing_field')).toHaveLength(9);
  });
});

describe('gcp mapping', () => {
  it('alice impersonating the ci-deployer service account is alice, with the SA in details', () => {
    const e = at(SAMPLE, 1);
    expect(e).toMatchObject({
      user: 'alice@example.com', user_raw: SA, user_type: 'human', action: 'api_call', outcome: 'success',
      reason: `via ${SA}`, resource_type: 'kubernetes', mfa_method: 'unknown', mfa_evidence: 'external_idp',
      event_time: '2025-03-11T09:08:02.004Z', source_event_id: 'opyxefzon3e7', src_ip: '203.0.113.10',
    });
    expect(e.details).toMatchObject({ impersonated_user: SA, impersonated_by: 'alice@example.com', delegation_chain: 'alice@example.com', log: 'data_access' });
  });

  it('IAP AuthorizeUser: alice allowed, dave denied (status 7)', () => {
    expect(at(SAMPLE, 2)).toMatchObject({
      action: 'session_start', user: 'alice@example.com', outcome: 'success', resource_type: 'server',
      resource: 'projects/example-prod-4821/iap_tunnel/zones/europe-west3-a/instances/4812093388101123456/ports/22',
    });
    expect(at(SAMPLE, 3)).toMatchObject({ action: 'session_start', user: 'dave@example.com', outcome: 'denied', reason: 'PERMISSION_DENIED' });
  });

  it('erin grants heidi roles/owner and removes judy from roles/editor', () => {
    const grant = at(SAMPLE, 4);
    expect(grant).toMatchObject({
      event_type: 'SetIamPolicy', action: 'privilege_change', user: 'erin@example.com', target_user: 'heidi@example.com',
      privileged: true, outcome: 'success', resource: 'projects/example-prod-4821',
    });
    expect(grant.details).toMatchObject({ role: 'roles/owner', member: 'user:heidi@example.com', member_type: 'user', privileged_role: 'true', project_id: 'example-prod-4821', log: 'activity' });
    const revoke = at(SAMPLE, 5);
    expect(revoke).toMatchObject({ action: 'access_revoked', target_user: 'judy@example.com', privileged: true });
    expect(revoke.details.role).toBe('roles/editor');
  });

  it('bob denied SetIamPolicy; breakglass grants an org-level role', () => {
    expect(at(SAMPLE, 6)).toMatchObject({ action: 'privilege_change', user: 'bob@example.com', outcome: 'denied', target_user: '' });
    const org = at(SAMPLE, 7);
    expect(org).toMatchObject({ user: 'breakglass@example.com', target_user: 'erin@example.com', resource: 'organizations/123456789012', privileged: true });
    expect(org.details.privileged_role).toBe('true');
  });

  it('service account with a long-lived key; heidi creates an SA key', () => {
    expect(at(SAMPLE, 8)).toMatchObject({
      user: SA, user_type: 'service', auth_method: 'access_key', mfa_method: 'none', mfa_evidence: 'not_performed', privileged: true,
    });
    const key = at(SAMPLE, 9);
    expect(key).toMatchObject({ action: 'credential_issue', user: 'heidi@example.com', target_user: SA, privileged: true });
    expect(key.details).toMatchObject({ service_account: SA, key_id: '3677a12f55215481a983417f8aca055f2ee3806a' });
  });

  it('splits several binding deltas into suffixed events', () => {
    const base = sampleEntry(4);
    const p = base.protoPayload as Record<string, unknown>;
    const deltas = [
      { action: 'ADD', role: 'roles/viewer', member: 'user:Bob@Example.com' },
      { action: 'REMOVE', role: 'roles/owner', member: 'serviceAccount:old@example-prod-4821.iam.gserviceaccount.com' },
    ];
    const entry = { ...base, protoPayload: { ...p, serviceData: { policyDelta: { bindingDeltas: deltas } } } };
    const r = normalizeRecord(gcpNormalizer, '', entry, DEFAULT_POLICY, '2025-03-12T00:00:00.000Z');
    if (r.kind !== 'ok') throw new Error(r.kind);
    expect(r.value.map((e) => [e.source_event_id, e.action, e.target_user, e.details.privileged_role])).toEqual([
      ['dsljdccycf3g#1', 'privilege_change', 'bob@example.com', 'false'],
      ['dsljdccycf3g#2', 'access_revoked', 'old@example-prod-4821.iam.gserviceaccount.com', 'true'],
    ]);
    expect(new Set(r.value.map((e) => e.event_id)).size).toBe(2);
  });
});

describe('gcp envelopes and reads', () => {
  it('decodes a Pub/Sub push envelope to the same event as the bare LogEntry', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gcp-pubsub-'));
    const entry = lines(SAMPLE)[3];
    const push = { message: { data: Buffer.from(entry).toString('base64'), messageId: '1', publishTime: '2025-03-11T10:03:41.2Z' }, subscription: 'projects/p/subscriptions/s' };
    const page = { entries: [JSON.parse(lines(SAMPLE)[1]) as unknown], nextPageToken: 'abc' };
    writeFileSync(join(dir, 'in.jsonl'), `${JSON.stringify(push)}\n${JSON.stringify(page)}\n${JSON.stringify({ message: { data: '!!!' } })}\n`);
    const res = await normalizeFiles('gcp', [dir]);
    expect(res.events.map((e) => e.event_id)).toEqual([at(SAMPLE, 4).event_id, at(SAMPLE, 2).event_id]);
    expect(res.rejects.map((r) => r.reason)).toEqual(['invalid_json']);
  });

  it('drops successful plain reads unless the policy keeps them', () => {
    const read = {
      ...sampleEntry(4), insertId: 'read-1',
      protoPayload: { ...(sampleEntry(4).protoPayload as Record<string, unknown>), methodName: 'GetIamPolicy', serviceData: undefined },
    };
    const ingest = '2025-03-12T00:00:00.000Z';
    expect(normalizeRecord(gcpNormalizer, '', read, DEFAULT_POLICY, ingest)).toEqual({ kind: 'drop', reason: 'read_only_api_call' });
    const kept = normalizeRecord(gcpNormalizer, '', read, { ...DEFAULT_POLICY, store_read_only_cloud_calls: true }, ingest);
    expect(kept.kind === 'ok' && kept.value[0]).toMatchObject({ action: 'api_call', user: 'erin@example.com', event_type: 'GetIamPolicy' });
  });

  it('partitions by the person behind the call', () => {
    expect(gcpNormalizer.partitionKey?.(sampleEntry(1))).toBe('alice@example.com');
    expect(gcpNormalizer.partitionKey?.(sampleEntry(8))).toBe(SA);
    expect(gcpNormalizer.partitionKey?.(42)).toBe('');
  });
});
