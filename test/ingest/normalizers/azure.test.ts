import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { azureNormalizer } from '../../../ingest/normalizers/azure.ts';
import { DEFAULT_POLICY, eventIdFor } from '../../../ingest/normalizers/common.ts';
import { normalizeRecord } from '../../../ingest/normalizers/normalize-record.ts';
import type { AuthEvent } from '../../../schema/auth-event.ts';
import { normalizeFiles, type NormalizedFile } from '../../helpers/normalize-file.ts';
import { sharedPath } from '../../helpers/shared.ts';
import { lookupNormalized, expectEveryLineAccountedFor } from '../../helpers/normalized-lookup.ts';

const SAMPLE = sharedPath('samples', 'azure-activity.jsonl');
const MALFORMED = sharedPath('samples', 'azure-activity.malformed.jsonl');
const FILES = [SAMPLE, MALFORMED];
const AMR = 'http://schemas.microsoft.com/claims/authnmethodsreferences';
const HEIDI_OID = 'eab4f26c-0f77-f320-4570-f9c655f30a63';

function lines(file: string): string[] {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
}

function sampleRecord(line: number): Record<string, unknown> {
  return JSON.parse(lines(SAMPLE)[line - 1]) as Record<string, unknown>;
}

function one(record: unknown): AuthEvent {
  const r = normalizeRecord(azureNormalizer, JSON.stringify(record), record, DEFAULT_POLICY, '2025-03-12T00:00:00.000Z');
  if (r.kind !== 'ok') throw new Error(`expected ok, got ${r.kind} ${r.reason}`);
  return r.value[0];
}

let out: NormalizedFile;
const { at } = lookupNormalized(() => out);

beforeAll(async () => {
  out = await normalizeFiles('azure', FILES);
});

describe('azure conformance', () => {
  it('turns every sample line into an event, a drop or a reject with a reason', () => {
    expectEveryLineAccountedFor(out, FILES);
  });

  it('normalizes 6 of 7 sample records; the Start record of the Owner assignment is dropped', () => {
    const good = out.events.filter((e) => e.input_ref.startsWith(`${SAMPLE}:`));
    expect(good).toHaveLength(6);
    for (const e of good) {
      expect(e).toMatchObject({ source: 'azure', source_kind: 'cloud' });
      expect(e.event_id).toBe(eventIdFor('azure', e.source_event_id));
    }
    expect(out.drops.filter((d) => d.input_ref.startsWith(`${SAMPLE}:`))).toEqual([{ input_ref: `${SAMPLE}:2`, reason: 'operation_in_progress' }]);
  });

  it('handles the malformed lines: truncated, Event Hub batch, REST shape, locale time', () => {
    const refs = (xs: { input_ref: string; reason: string }[]): string[][] =>
      xs.filter((x) => x.input_ref.startsWith(`${MALFORMED}:`)).map((x) => [x.input_ref.slice(MALFORMED.length), x.reason]);
    expect(refs(out.rejects)).toEqual([[':1', 'invalid_json'], [':4', 'invalid_time']]);
    // The batch holds only the Start record of erin's Owner assignment.
    expect(refs(out.drops)).toEqual([[':2#0', 'operation_in_progress']]);
    const rest = at(MALFORMED, 3);
    expect(rest).toMatchObject({
      event_type: 'MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE', action: 'privilege_change', user: 'erin@example.com',
      user_type: 'human', outcome: 'success', event_time: '2025-03-11T10:03:59.667Z', privileged: true, mfa_evidence: 'unknown',
    });
    expect(rest.details.shape).toBe('rest');
  });
});

describe('azure mapping', () => {
  it('dave: deployment Forbidden → denied, token had pwd+mfa', () => {
    expect(at(SAMPLE, 1)).toMatchObject({
      action: 'api_call', user: 'dave@example.com', outcome: 'denied', reason: 'Failed.Forbidden Forbidden',
      mfa_method: 'unknown', mfa_method_raw: 'pwd,mfa', mfa_evidence: 'performed', mfa_verified: false,
      session_id: 'NV3h2jxVCIN4oRYkDu3P4k', src_ip: '192.0.2.44', resource_type: 'cloud_api',
    });
  });

  it('erin assigns Owner to heidi (target = her object id) and removes an assignment', () => {
    const grant = at(SAMPLE, 3);
    expect(grant).toMatchObject({
      action: 'privilege_change', user: 'erin@example.com', target_user: HEIDI_OID, privileged: true, outcome: 'success',
      mfa_evidence: 'performed', mfa_verified: true, phishing_resistant: false, event_time: '2025-03-11T10:03:59.667Z',
    });
    expect(grant.details).toMatchObject({
      role: 'Owner', privileged_role: 'true', target_principal_type: 'User', caller_role: 'Owner',
      role_definition_id: '/subscriptions/9c1e2f3a-4b5d-4e6f-8a7b-0c1d2e3f4a5b/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
      subscription_id: '9c1e2f3a-4b5d-4e6f-8a7b-0c1d2e3f4a5b', role_assignment_id: 'd65a70f3-7b04-c96b-603e-b88f6fa7226b',
    });
    expect(at(SAMPLE, 5)).toMatchObject({ action: 'access_revoked', user: 'erin@example.com', privileged: true });
  });

  it('heidi run-command on a VM and erin listKeys are privileged api calls', () => {
    expect(at(SAMPLE, 4)).toMatchObject({
      action: 'api_call', user: 'heidi@example.com', privileged: true, resource_type: 'server',
      resource: '/subscriptions/9c1e2f3a-4b5d-4e6f-8a7b-0c1d2e3f4a5b/resourcegroups/rg-payments-prod/providers/microsoft.compute/virtualmachines/payments-vm-1',
    });
    expect(at(SAMPLE, 6)).toMatchObject({ event_type: 'MICROSOFT.STORAGE/STORAGEACCOUNTS/LISTKEYS/ACTION', privileged: true });
  });

  it('a service principal (certificate) deploying is a service without MFA', () => {
    const e = at(SAMPLE, 7);
    expect(e).toMatchObject({
      user: 'dc2b6b2b-dc24-0d93-92c3-b69fc2b62119', user_type: 'service', auth_method: 'certificate',
      mfa_method: 'none', mfa_evidence: 'not_performed', privileged: false,
    });
    expect(e.details).toMatchObject({ caller_role: 'Contributor', app_id: 'dc2b6b2b-dc24-0d93-92c3-b69fc2b62119' });
  });

  it('Start and Success records of one operation get different event ids', () => {
    const start = sampleRecord(2);
    const success = at(SAMPLE, 3);
    const asSuccess = one({ ...start, resultType: 'Success', resultSignature: 'Succeeded.Created' });
    expect(asSuccess.event_id).not.toBe(success.event_id);
    expect(success.source_event_id).toBe('b3f5045e-2007-166d-11b0-de0a4ce16023|MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE|Success|2025-03-11T10:03:59.6677889Z');
  });

  it('password-only token → none; federated token → external_idp', () => {
    const rec = sampleRecord(4);
    const identity = rec.identity as { claims: Record<string, unknown> };
    const withAmr = (amr: string): Record<string, unknown> => ({ ...rec, identity: { ...identity, claims: { ...identity.claims, [AMR]: amr } } });
    expect(one(withAmr('pwd'))).toMatchObject({ mfa_method: 'none', mfa_evidence: 'not_performed', auth_method: 'password', mfa_verified: false });
    expect(one(withAmr('fed'))).toMatchObject({ mfa_method: 'unknown', mfa_evidence: 'external_idp', auth_method: 'sso' });
  });

  it('reads REST pages and Event Hub batches; drops reads and non-access categories', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'azure-'));
    const rest = {
      value: [{
        eventDataId: 'a1b2', caller: 'Heidi@Example.com', eventTimestamp: '2025-03-11T10:12:07.55Z',
        operationName: { value: 'Microsoft.Compute/virtualMachines/runCommand/action' }, status: { value: 'Failed' },
        subStatus: { value: 'Forbidden' }, category: { value: 'Administrative' },
        resourceId: '/subscriptions/9c1e2f3a-4b5d-4e6f-8a7b-0c1d2e3f4a5b/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-2',
        httpRequest: { clientIpAddress: '192.0.2.90' },
      }],
      nextLink: 'https://example.invalid/next',
    };
    const batch = { records: [{ ...sampleRecord(4), operationName: 'MICROSOFT.COMPUTE/VIRTUALMACHINES/READ' }, { ...sampleRecord(4), category: 'ServiceHealth' }] };
    writeFileSync(join(dir, 'in.jsonl'), `${JSON.stringify(rest)}\n${JSON.stringify(batch)}\n`);
    const res = await normalizeFiles('azure', [dir]);
    expect(res.events).toHaveLength(1);
    expect(res.events[0]).toMatchObject({
      source_event_id: 'a1b2', user: 'heidi@example.com', outcome: 'denied', privileged: true, resource_type: 'server', src_ip: '192.0.2.90',
    });
    expect(res.drops.map((d) => d.reason)).toEqual(['read_only_api_call', 'non_access_category']);
  });

  it('partitions by the caller', () => {
    expect(azureNormalizer.partitionKey?.(sampleRecord(3))).toBe('erin@example.com');
    expect(azureNormalizer.partitionKey?.({ caller: 'Erin@Example.com', eventTimestamp: 'x' })).toBe('erin@example.com');
    expect(azureNormalizer.partitionKey?.(null)).toBe('');
  });
});
