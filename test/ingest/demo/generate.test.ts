import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuthEvent, SourceId } from '../../../schema/auth-event.ts';
import { DEMO_SOURCES, generateDemoDataset, type DemoSourceRecords } from '../../../ingest/demo/generate.ts';
import { DEFAULT_POLICY } from '../../../ingest/normalizers/common.ts';
import { normalizerFor } from '../../../ingest/normalizers/index.ts';
import { normalizeRecord } from '../../../ingest/normalizers/normalize-record.ts';
import { REPO_ROOT } from '../../helpers/shared.ts';

const END = new Date('2025-03-28T14:30:00.000Z');
const WINDOW_START = '2025-02-27T00:00:00.000Z';

/** Drops the normalizers document as expected noise; anything else must become events. */
const ALLOWED_DROPS: Readonly<Partial<Record<SourceId, readonly string[]>>> = {
  cloudtrail: ['read_only_api_call'],
  k8s: ['non_final_stage', 'system_component'],
  boundary: ['auth_flow_step'],
  azure: ['operation_in_progress'],
  gcp: ['system_event'],
};

interface Normalized {
  events: AuthEvent[];
  rejects: { source: string; reason: string; detail: string; raw: string }[];
  drops: Map<string, number>;
}

function normalizeAll(dataset: readonly DemoSourceRecords[], ingestedAt = '2025-03-28T15:00:00.000Z'): Normalized {
  const out: Normalized = { events: [], rejects: [], drops: new Map() };
  for (const part of dataset) {
    const n = normalizerFor(part.source);
    if (!n) throw new Error(`no normalizer for ${part.source}`);
    for (const raw of part.records) {
      const payload: unknown = n.format === 'json' ? JSON.parse(raw) : raw;
      const r = normalizeRecord(n, raw, payload, DEFAULT_POLICY, ingestedAt);
      if (r.kind === 'ok') out.events.push(...r.value);
      else if (r.kind === 'drop') out.drops.set(`${part.source}:${r.reason}`, (out.drops.get(`${part.source}:${r.reason}`) ?? 0) + 1);
      else out.rejects.push({ source: part.source, reason: r.reason, detail: r.detail, raw: raw.slice(0, 300) });
    }
  }
  return out;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('generateDemoDataset', () => {
  let dataset: DemoSourceRecords[];
  let norm: Normalized;
  const bySource = (s: SourceId): AuthEvent[] => norm.events.filter((e) => e.source === s);

  beforeAll(() => {
    dataset = generateDemoDataset({ seed: 42, endDate: END });
    norm = normalizeAll(dataset);
  }, 120_000);

  it('is deterministic for a seed and end date, and the seed matters', () => {
    const again = generateDemoDataset({ seed: 42, endDate: END });
    expect(JSON.stringify(again)).toBe(JSON.stringify(dataset));
    const other = generateDemoDataset({ seed: 7, endDate: END });
    expect(JSON.stringify(other)).not.toBe(JSON.stringify(dataset));
    const okta42 = dataset.find((d) => d.source === 'okta')?.records[0];
    const okta7 = other.find((d) => d.source === 'okta')?.records[0];
    expect(okta7).not.toBe(okta42);
  }, 120_000);

  it('never reads the clock or Math.random', () => {
    for (const file of sourceFiles(join(REPO_ROOT, 'ingest', 'demo'))) {
      const code = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
      expect(code, file).not.toMatch(/Math\.random|Date\.now\(|new Date\(\)/);
    }
  });

  it('writes every source that has a normalizer, in a realistic volume', () => {
    const present = dataset.map((d) => d.source);
    const expected = DEMO_SOURCES.filter((s) => normalizerFor(s) !== undefined);
    expect(present).toEqual(expected);
    for (const part of dataset) expect(part.records.length, part.source).toBeGreaterThan(50);
    const total = dataset.reduce((n, d) => n + d.records.length, 0);
    expect(total).toBeGreaterThanOrEqual(15_000);
    expect(total).toBeLessThanOrEqual(30_000);
  });

  it('normalizes every record: no rejects, only documented drops', () => {
    expect(norm.rejects.slice(0, 5)).toEqual([]);
    for (const key of norm.drops.keys()) {
      const [source, reason] = key.split(':') as [SourceId, string];
      expect(ALLOWED_DROPS[source] ?? [], key).toContain(reason);
    }
    expect(norm.events.length).toBeGreaterThan(14_000);
  });

  it('keeps every event inside the window and before the end date', () => {
    const times = norm.events.map((e) => e.event_time).sort();
    expect(times[0] >= WINDOW_START).toBe(true);
    expect(times[times.length - 1] < END.toISOString()).toBe(true);
  });

  it('uses the demo organisation, not the samples people', () => {
    const humans = new Set(norm.events.filter((e) => e.user.includes('@')).map((e) => e.user.split('@')[1]));
    expect([...humans].sort()).toEqual(['demo.example', 'fjordlight-prod-7731.iam.gserviceaccount.com']);
    expect(new Set(norm.events.filter((e) => e.user.endsWith('@demo.example')).map((e) => e.user)).size).toBeGreaterThanOrEqual(38);
  });

  it('has working-hour rhythm: weekdays busier than weekends', () => {
    const oktaLogins = bySource('okta').filter((e) => e.event_type === 'user.session.start' && e.outcome === 'success');
    const weekend = oktaLogins.filter((e) => [0, 6].includes(new Date(e.event_time).getUTCDay())).length;
    expect(weekend).toBeGreaterThan(0);
    expect(weekend * 5).toBeLessThan(oktaLogins.length - weekend);
  });

  it('shows break-glass use on several systems', () => {
    const tp = bySource('teleport').filter((e) => e.user === 'breakglass' && e.event_type === 'session.start');
    expect(tp.length).toBeGreaterThanOrEqual(2);
    expect(tp[0]).toMatchObject({ resource: 'prod-db-1', privileged: true, mfa_verified: true, outcome: 'success' });
    expect(bySource('sshd').some((e) => e.user === 'breakglass' && e.auth_method === 'password' && e.outcome === 'success')).toBe(true);
    expect(bySource('okta').some((e) => e.user === 'breakglass@demo.example' && e.event_type === 'user.session.access_admin_app')).toBe(true);
    const raw = dataset.find((d) => d.source === 'postgres')?.records ?? [];
    expect(raw.some((r) => r.includes('method=peer') && r.includes('user=postgres'))).toBe(true);
  });

  it('shows root console logins (break-glass security key, finance, failed guesses)', () => {
    const root = bySource('cloudtrail').filter((e) => e.user_type === 'root' && e.event_type.endsWith('ConsoleLogin'));
    const ok = root.filter((e) => e.outcome === 'success');
    expect(ok.length).toBeGreaterThanOrEqual(3);
    expect(ok.some((e) => e.mfa_method === 'security_key')).toBe(true);
    expect(ok.some((e) => e.mfa_method === 'totp')).toBe(true);
    expect(root.some((e) => e.outcome === 'failure')).toBe(true);
  });

  it('shows a deactivated employee still getting in hours later (slow revocation)', () => {
    const deactivation = bySource('okta').find((e) => e.event_type === 'user.lifecycle.deactivate' && e.target_user === 'felix.wagner@demo.example');
    expect(deactivation).toBeDefined();
    const after = norm.events.filter((e) => e.event_time > (deactivation?.event_time ?? '') && e.outcome === 'success' && e.event_time < '2025-03-13');
    expect(after.some((e) => e.source === 'teleport' && e.user === 'felix.wagner@demo.example' && e.action === 'session_start')).toBe(true);
    expect(after.some((e) => e.source === 'sshd' && e.user === 'felix' && e.auth_method === 'publickey' && e.resource === 'app-2')).toBe(true);
    expect(after.some((e) => e.source === 'cloudtrail' && e.user === 'felix.wagner' && e.auth_method === 'access_key')).toBe(true);
    expect(after.some((e) => e.source === 'boundary' && e.details.email === 'felix.wagner@demo.example' && e.action === 'session_start')).toBe(true);
    const lock = bySource('teleport').find((e) => e.event_type === 'lock.created' && e.target_user === 'felix.wagner@demo.example');
    expect(lock?.event_time.slice(0, 10)).toBe('2025-03-12');
  });

  it('federates AWS with the email as role session name right after an Okta MFA', () => {
    const saml = bySource('cloudtrail').filter((e) => e.event_type.endsWith('AssumeRoleWithSAML'));
    expect(saml.length).toBeGreaterThan(50);
    const okta = bySource('okta').filter((e) => e.mfa_verified);
    const first = saml.find((e) => e.user === 'amara.okoye@demo.example');
    expect(first).toBeDefined();
    const sameDay = okta.filter((e) => e.user === first?.user && e.event_time.slice(0, 10) === first?.event_time.slice(0, 10) && e.event_time < (first?.event_time ?? ''));
    expect(sameDay.length).toBeGreaterThan(0);
    const raw = dataset.find((d) => d.source === 'cloudtrail')?.records.find((r) => r.includes('AssumeRoleWithSAML') && r.includes('amara.okoye@demo.example')) ?? '';
    expect(raw).toContain('"roleSessionName":"amara.okoye@demo.example"');
  });

  it('mixes MFA methods across IdPs (phishing-resistant, push, number match, OTP, SMS, password only)', () => {
    const methods = new Set(norm.events.filter((e) => e.source === 'okta' || e.source === 'entra' || e.source === 'duo' || e.source === 'google').map((e) => e.mfa_method));
    for (const m of ['webauthn', 'security_key', 'passkey', 'push', 'push_number_match', 'totp', 'sms', 'certificate', 'none']) expect(methods, m).toContain(m);
  });

  it('shows push fatigue: repeated denied pushes, then an approval from the same address', () => {
    const denies = bySource('okta').filter((e) => e.event_type === 'user.mfa.okta_verify.deny_push' && e.user === 'kenji.watanabe@demo.example');
    expect(denies.length).toBeGreaterThanOrEqual(3);
    const approved = bySource('okta').find((e) => e.user === 'kenji.watanabe@demo.example' && e.mfa_verified && e.src_ip === denies[0]?.src_ip);
    expect(approved).toBeDefined();
    expect(bySource('duo').some((e) => e.reason.includes('fraud'))).toBe(true);
  });

  it('has gateway sessions with per-session MFA, SSH certificates, and plain keys that bypass the gateway', () => {
    expect(bySource('teleport').filter((e) => e.action === 'session_start' && e.mfa_verified).length).toBeGreaterThan(100);
    const certs = bySource('sshd').filter((e) => e.mfa_method === 'certificate');
    expect(certs.length).toBeGreaterThan(10);
    expect(certs[0]?.details.cert_key_id).toMatch(/@demo\.example$/);
    const keys = bySource('sshd').filter((e) => e.auth_method === 'publickey' && e.mfa_method === 'none' && ['lukas', 'tomasz'].includes(e.user));
    expect(keys.length).toBeGreaterThan(3);
  });

  it('has Kubernetes exec through Teleport impersonation and direct cluster-admin', () => {
    const k8s = bySource('k8s');
    expect(k8s.some((e) => e.details.via === 'teleport' && e.action === 'session_start' && e.user.endsWith('@demo.example'))).toBe(true);
    expect(k8s.some((e) => e.user === 'kubernetes-admin' && e.privileged)).toBe(true);
    expect(k8s.some((e) => e.user_raw.startsWith('arn:aws:sts::444455556666:assumed-role/OktaSRE-Admin/'))).toBe(true);
  });

  it('has static cloud credentials and database superusers outside the gateway', () => {
    const legacy = bySource('cloudtrail').filter((e) => e.user === 'ops-legacy' && e.event_type.endsWith('ConsoleLogin'));
    expect(legacy.length).toBeGreaterThan(0);
    expect(legacy.every((e) => e.mfa_method === 'none')).toBe(true);
    const raw = dataset.find((d) => d.source === 'postgres')?.records ?? [];
    expect(raw.some((r) => r.includes('host=10.40.0.5') && r.includes('user=postgres'))).toBe(true);
    expect(raw.some((r) => r.includes('identity="CN=carmen" method=cert'))).toBe(true);
  });

  it('records admin grants and revocations across systems', () => {
    const changes = norm.events.filter((e) => e.action === 'privilege_change' && e.target_user === 'sofia.marin@demo.example');
    expect(new Set(changes.map((e) => e.source))).toEqual(new Set(['okta', 'entra', 'gcp', 'k8s']));
    // The Activity Log names the grantee by Entra object id only; the Entra sign-ins link it to the person.
    const sofiaObjectId = bySource('entra').find((e) => e.user === 'sofia.marin@demo.example' && e.details.user_id)?.details.user_id;
    expect(bySource('azure').some((e) => e.action === 'privilege_change' && e.target_user === sofiaObjectId && e.user === 'nadia.haddad@demo.example')).toBe(true);
    expect(norm.events.some((e) => e.source === 'cloudtrail' && e.event_type.endsWith('AttachUserPolicy') && e.target_user === 'tmp-vendor')).toBe(true);
    expect(bySource('teleport').some((e) => e.event_type === 'access_request.update')).toBe(true);
  });

  it('includes service accounts', () => {
    expect(bySource('teleport').some((e) => e.user === 'bot-ci-deployer' && e.user_type === 'service')).toBe(true);
    expect(bySource('k8s').some((e) => e.user === 'system:serviceaccount:ci:ci-deployer' && e.user_type === 'service')).toBe(true);
    expect(bySource('entra').some((e) => e.user_type === 'service')).toBe(true);
  });

  it('supports short windows', () => {
    const small = generateDemoDataset({ seed: 3, endDate: new Date('2025-06-04T09:00:00Z'), days: 3 });
    const total = small.reduce((n, d) => n + d.records.length, 0);
    expect(total).toBeGreaterThan(500);
    // RFC 3164 lines carry no year: the ingestion time anchors them, as it does in the pipeline.
    const n = normalizeAll(small, '2025-06-04T09:05:00.000Z');
    expect(n.rejects.slice(0, 3)).toEqual([]);
    expect(n.events.every((e) => e.event_time >= '2025-06-02T00:00:00.000Z' && e.event_time < '2025-06-04T09:00:00.000Z')).toBe(true);
  }, 60_000);
});
