import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, eventIdFor, sha256Hex } from '../../../ingest/normalizers/common.ts';
import { k8sNormalizer } from '../../../ingest/normalizers/k8s.ts';
import type { NormalizeContext } from '../../../ingest/normalizers/normalizer.ts';
import { normalizeFiles, type NormalizedFile } from '../../helpers/normalize-file.ts';
import { sharedPath } from '../../helpers/shared.ts';
import { lookupNormalized, expectEveryLineAccountedFor } from '../../helpers/normalized-lookup.ts';

const SAMPLE = sharedPath('samples', 'kubernetes-audit.jsonl');
const MALFORMED = sharedPath('samples', 'kubernetes-audit.malformed.jsonl');
const CORPUS = sharedPath('corpus', 'external', 'kubernetes', 'k8s_audit.jsonl');
const FILES = [SAMPLE, MALFORMED, CORPUS];

function lines(file: string): string[] {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
}

let out: NormalizedFile;
const { at, rejectAt, dropAt } = lookupNormalized(() => out);

beforeAll(async () => {
  out = await normalizeFiles('k8s', FILES);
});

/** Events produced by one input line (exec lines produce a start and an end). */
function eventsAt(ref: string): NormalizedFile['events'] {
  return out.events.filter((e) => e.input_ref === ref);
}

const ctx: NormalizeContext = { raw_sha256: sha256Hex('k'), ingested_at: '2025-03-12T00:00:00.000Z', policy: DEFAULT_POLICY };

function sampleRecord(n: number): Record<string, unknown> {
  return JSON.parse(lines(SAMPLE)[n - 1]!) as Record<string, unknown>;
}

describe('k8s conformance', () => {
  it('turns every input line into events, a reject or a drop, each with a reason code', () => {
    expectEveryLineAccountedFor(out, FILES);
  });

  it('keeps only ResponseComplete and drops control-plane noise', () => {
    const good = out.events.filter((e) => e.input_ref.startsWith(`${SAMPLE}:`));
    // 12 kept lines; the exec line also yields its session_end.
    expect(good).toHaveLength(13);
    expect(dropAt(SAMPLE, 1)).toBe('system_component');
    expect(dropAt(SAMPLE, 3)).toBe('non_final_stage');
    expect(dropAt(SAMPLE, 7)).toBe('non_final_stage');
    for (const e of good) {
      expect(e).toMatchObject({ source: 'k8s', source_kind: 'kubernetes', resource: 'kubernetes', resource_type: 'kubernetes' });
      expect(e.details.cluster).toBe('');
      expect(e.event_id).toBe(eventIdFor('k8s', e.source_event_id));
    }
    expect(new Set(good.map((e) => e.event_id)).size).toBe(13);
  });

  it('handles each malformed line as samples/README.md says', () => {
    expect(rejectAt(MALFORMED, 1)).toBe('invalid_json');
    // Webhook EventList: unwrapped; same auditID as sample line 2 → same event id.
    const batch = eventsAt(`${MALFORMED}:2#0`);
    expect(batch).toHaveLength(1);
    expect(batch[0]!.event_id).toBe(at(SAMPLE, 2).event_id);
    // v1beta1 with `timestamp`: parsed, but it is a ResponseStarted stage.
    expect(dropAt(MALFORMED, 3)).toBe('non_final_stage');
    expect(rejectAt(MALFORMED, 4)).toBe('invalid_json');
  });
});

describe('k8s sample scenario', () => {
  it('alice via Teleport: impersonatedUser is the actor, the kube agent is kept as impersonated_by', () => {
    expect(at(SAMPLE, 2)).toMatchObject({
      action: 'api_call', user: 'alice@example.com', user_raw: 'alice@example.com', user_type: 'human', privileged: true,
      mfa_evidence: 'external_idp', outcome: 'success', event_time: '2025-03-11T09:05:03.081Z', src_ip: '10.20.7.14',
      details: { impersonated_by: 'system:serviceaccount:teleport-agent:teleport-kube-agent', via: 'teleport', verb: 'list', object: 'payments/pods' },
    });
  });

  it('alice exec into a pod is an interactive session with start and end', () => {
    const [start, end] = eventsAt(`${SAMPLE}:4`);
    expect(start).toMatchObject({
      action: 'session_start', user: 'alice@example.com', privileged: true, outcome: 'success',
      event_time: '2025-03-11T09:05:41.300Z', session_id: '14f52595-bcfe-44ae-8636-8fea81a8fd71',
      source_event_id: '14f52595-bcfe-44ae-8636-8fea81a8fd71',
      details: { subresource: 'exec', object: 'payments/pods/payments-api-7f9c6d-x2kqp', response_code: '101' },
    });
    expect(end).toMatchObject({
      action: 'session_end', event_time: '2025-03-11T09:12:58.662Z', session_id: start!.session_id,
      source_event_id: '14f52595-bcfe-44ae-8636-8fea81a8fd71#1',
    });
  });

  it('alice EKS direct: assumed-role ARN canonicalized to the session email', () => {
    expect(at(SAMPLE, 5)).toMatchObject({
      user: 'alice@example.com', user_raw: 'arn:aws:sts::111122223333:assumed-role/OktaSRE-Admin/alice@example.com',
      user_type: 'human', privileged: true, mfa_evidence: 'external_idp', src_ip: '203.0.113.10',
      details: { role: 'OktaSRE-Admin', account_id: '111122223333', access_key_id: 'ASIAJ6SD5RKW7WQOZUIE', role_session_name: 'alice@example.com' },
    });
  });

  it('bob delete secrets → denied (403)', () => {
    expect(at(SAMPLE, 6)).toMatchObject({
      user: 'bob@example.com', action: 'api_call', outcome: 'denied', privileged: false, event_time: '2025-03-11T09:07:44.500Z',
      details: { verb: 'delete', object: 'payments/secrets/db-creds', response_code: '403', authz_decision: 'forbid' },
    });
  });

  it('erin grants heidi cluster-admin → privilege_change with heidi as target; removes judy\'s binding', () => {
    expect(at(SAMPLE, 8)).toMatchObject({
      action: 'privilege_change', user: 'erin@example.com', target_user: 'heidi@example.com', privileged: true,
      event_time: '2025-03-11T10:04:10.220Z', details: { role: 'cluster-admin', role_kind: 'ClusterRole', subject_kind: 'User' },
    });
    expect(at(SAMPLE, 9)).toMatchObject({ user: 'heidi@example.com', privileged: true, details: { object: 'nodes' } });
    expect(at(SAMPLE, 11)).toMatchObject({ action: 'privilege_change', user: 'erin@example.com', target_user: '', privileged: true, details: { object: 'payments/rolebindings/judy-sre' } });
  });

  it('judy: stale EKS session still allowed at 11:20:40', () => {
    expect(at(SAMPLE, 10)).toMatchObject({ user: 'judy@example.com', outcome: 'success', event_time: '2025-03-11T11:20:40.512Z' });
  });

  it('system:anonymous and a long-term IAM user key carry no MFA', () => {
    expect(at(SAMPLE, 12)).toMatchObject({ user: 'system:anonymous', user_type: 'unknown', outcome: 'denied', mfa_method: 'none', src_ip: '198.51.100.66' });
    expect(at(SAMPLE, 13)).toMatchObject({
      user: 'arn:aws:iam::111122223333:user/frank', auth_method: 'access_key', mfa_method: 'none', mfa_evidence: 'not_performed', outcome: 'denied',
    });
  });

  it('breakglass kubernetes-admin in system:masters is a privileged shared certificate without MFA', () => {
    expect(at(SAMPLE, 14)).toMatchObject({
      user: 'kubernetes-admin', user_type: 'shared', privileged: true, auth_method: 'certificate', mfa_method: 'none',
      mfa_evidence: 'not_performed', event_time: '2025-03-11T16:27:02.001Z', details: { groups: 'system:masters,system:authenticated' },
    });
  });

  it('ci-deployer service account is service activity', () => {
    expect(at(SAMPLE, 15)).toMatchObject({
      user: 'system:serviceaccount:ci:ci-deployer', user_type: 'service', auth_method: 'token', privileged: false,
      action: 'api_call', details: { verb: 'patch', object: 'payments/deployments/payments-api' },
    });
  });
});

describe('k8s external corpus', () => {
  it('maps full events and rejects trimmed test fragments', () => {
    // Zone-less timestamps in re-serialized exports are UTC.
    expect(at(CORPUS, 2)).toMatchObject({ user: 'system:anonymous', outcome: 'denied', event_time: '2024-11-13T23:50:32.672Z' });
    const exec = eventsAt(`${CORPUS}:61`);
    expect(exec.map((e) => e.action)).toEqual(['session_start', 'session_end']);
    expect(exec[0]).toMatchObject({ user: 'minikube-user', user_type: 'shared', privileged: true });
    expect(rejectAt(CORPUS, 16)).toBe('missing_field');
    expect(rejectAt(CORPUS, 51)).toBe('invalid_time');
    expect(dropAt(CORPUS, 11)).toBe('system_component');
  });
});

describe('k8s envelope variations', () => {
  it('reads a v1beta1 ResponseComplete with only `timestamp`', () => {
    const rec = sampleRecord(6);
    delete rec.requestReceivedTimestamp;
    delete rec.stageTimestamp;
    const r = k8sNormalizer.normalize({ ...rec, apiVersion: 'audit.k8s.io/v1beta1', timestamp: '2025-03-11T09:07:44.500331Z' }, ctx);
    expect(r.kind === 'ok' && r.value[0]).toMatchObject({ event_time: '2025-03-11T09:07:44.500Z', outcome: 'denied' });
  });

  it('rejects unknown audit versions and takes the cluster from the collector annotation', () => {
    expect(k8sNormalizer.normalize({ ...sampleRecord(6), apiVersion: 'audit.k8s.io/v2' }, ctx)).toMatchObject({ kind: 'reject', reason: 'unsupported_version' });
    const rec = sampleRecord(6);
    const r = k8sNormalizer.normalize({ ...rec, annotations: { ...(rec.annotations as object), 'accessproof.io/cluster': 'prod-eks' } }, ctx);
    expect(r.kind === 'ok' && r.value[0]).toMatchObject({ resource: 'prod-eks', environment: 'prod', details: { cluster: 'prod-eks' } });
  });

  it('unwraps EventList and rejects one without items', () => {
    expect(k8sNormalizer.unwrap?.({ kind: 'EventList', items: [1, 2] })).toEqual({ kind: 'ok', value: [1, 2] });
    expect(k8sNormalizer.unwrap?.({ kind: 'EventList' })).toMatchObject({ kind: 'reject', reason: 'unsupported_shape' });
  });

  it('partitions by the effective user', () => {
    expect(k8sNormalizer.partitionKey?.(sampleRecord(6))).toBe('bob@example.com');
  });
});
