import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuthEvent } from '../../../schema/auth-event.ts';
import { DEFAULT_POLICY, sha256Hex } from '../../../ingest/normalizers/common.ts';
import type { AssembledRecord, NormalizeContext } from '../../../ingest/normalizers/normalizer.ts';
import { normalizeRecord } from '../../../ingest/normalizers/normalize-record.ts';
import { sshdNormalizer } from '../../../ingest/normalizers/sshd.ts';
import { parseSyslogLine, resolveLineTime } from '../../../ingest/normalizers/sshd/syslog-line.ts';
import { normalizeFiles, type NormalizedFile } from '../../helpers/normalize-file.ts';
import { sharedPath } from '../../helpers/shared.ts';

const SAMPLE = sharedPath('samples', 'openssh.log');
const MALFORMED = sharedPath('samples', 'openssh.malformed.log');
const CORPUS_SSHD = sharedPath('corpus', 'external', 'linux', 'sshd.log');
const CORPUS_AUTH = sharedPath('corpus', 'external', 'linux', 'linux_auth.log');
const FILES = [SAMPLE, MALFORMED, CORPUS_SSHD, CORPUS_AUTH];

type Ev = NormalizedFile['events'][number];
let out: NormalizedFile;

beforeAll(async () => {
  out = await normalizeFiles('sshd', FILES);
});

/** Line numbers named by an input_ref `<file>:3,4,5`. */
function refLines(ref: string, file: string): number[] {
  if (!ref.startsWith(`${file}:`)) return [];
  return ref.slice(file.length + 1).split(',').map(Number);
}

function fileLines(file: string): string[] {
  return readFileSync(file, 'utf8').split('\n');
}

/** Events whose record contains line `n` of `file`. */
function eventsAt(file: string, n: number, action?: AuthEvent['action']): Ev[] {
  return out.events.filter((e) => refLines(e.input_ref, file).includes(n) && (!action || e.action === action));
}

/** The one event of `action` whose event line is line `n` (matched by the line's own time). */
function one(file: string, n: number, action: AuthEvent['action'], time: string): Ev {
  const found = eventsAt(file, n, action).filter((e) => e.event_time === time);
  expect(found, `${file}:${n} ${action} ${time}`).toHaveLength(1);
  return found[0]!;
}

const ctx: NormalizeContext = { raw_sha256: sha256Hex('x'), ingested_at: '2025-03-12T00:00:00.000Z', policy: DEFAULT_POLICY };

/** Runs lines through a fresh assembler (push + flush). */
function assemble(lines: readonly string[]): AssembledRecord[] {
  const a = sshdNormalizer.createAssembler!();
  const recs: AssembledRecord[] = [];
  lines.forEach((l, i) => recs.push(...a.push(l, `t:${i + 1}`)));
  recs.push(...a.flush());
  return recs;
}

function normalizeText(raw: string): AuthEvent[] {
  const r = normalizeRecord(sshdNormalizer, raw, raw, DEFAULT_POLICY, ctx.ingested_at);
  if (r.kind !== 'ok') throw new Error(`${r.kind}: ${r.reason}`);
  return r.value;
}

describe('sshd conformance', () => {
  it('accounts for every non-blank line of samples and corpus as an event, a drop or a reject', () => {
    for (const file of FILES) {
      const covered = new Set<number>();
      for (const x of [...out.events, ...out.drops, ...out.rejects]) for (const n of refLines(x.input_ref, file)) covered.add(n);
      fileLines(file).forEach((text, i) => {
        if (text.trim() !== '') expect(covered.has(i + 1), `${file}:${i + 1}`).toBe(true);
      });
    }
    for (const x of [...out.rejects, ...out.drops]) expect(x.reason).toMatch(/^[a-z_]+$/);
    expect(out.rejects.filter((r) => r.reason === 'normalizer_error' || r.reason === 'invalid_event')).toEqual([]);
  });

  it('rejects exactly the truncated and the empty-user malformed lines; the corpus has no rejects', () => {
    expect(out.rejects.map((r) => [r.input_ref, r.reason])).toEqual([
      [`${MALFORMED}:1`, 'truncated_line'],
      [`${MALFORMED}:4`, 'missing_field'],
    ]);
  });

  it('gives stable, unique event ids across a re-import', async () => {
    const again = await normalizeFiles('sshd', FILES);
    expect(again.events.map((e) => e.event_id)).toEqual(out.events.map((e) => e.event_id));
    const sampleIds = out.events.filter((e) => e.input_ref.startsWith(`${SAMPLE}:`)).map((e) => e.event_id);
    expect(new Set(sampleIds).size).toBe(sampleIds.length);
  });
});

describe('sshd sample scenario', () => {
  it('alice: certificate login on bastion-1 at 09:02:29 with key id, serial and CA', () => {
    const e = one(SAMPLE, 2, 'login', '2025-03-11T09:02:29.004Z');
    expect(e).toMatchObject({
      user: 'alice@example.com', user_raw: 'alice@example.com', user_type: 'human', outcome: 'success',
      resource: 'bastion-1', resource_type: 'server', auth_method: 'certificate', mfa_method: 'certificate',
      mfa_evidence: 'external_idp', mfa_verified: false, src_ip: '203.0.113.10', session_id: 'bastion-1:4102',
      source_event_id: 'bastion-1:4102:2025-03-11T09:02:29.004Z:login_success', privileged: false,
    });
    expect(e.details).toMatchObject({
      cert_key_id: 'alice@example.com', cert_serial: '8842', cert_ca: 'SHA256:BGbOndj+esUFwHs7XpDrKFfjY1vyx5ITb1a9jaw00I8',
      cert_ca_key_type: 'ED25519', key_type: 'ED25519-CERT', login_user: 'alice', logind_session: '38', src_port: '50122',
    });
    expect(e.input_ref).toBe(`${SAMPLE}:1,2,3,4`);
  });

  it('alice: pam_unix session closed at 09:13:55 is the session_end', () => {
    const e = one(SAMPLE, 7, 'session_end', '2025-03-11T09:13:55.902Z');
    expect(e).toMatchObject({ user: 'alice', session_id: 'bastion-1:4102', src_ip: '203.0.113.10', outcome: 'success' });
  });

  it('heidi: Partial publickey + keyboard-interactive/pam is one login; the sshd log alone cannot name the PAM factor', () => {
    const logins = out.events.filter((e) => e.input_ref.startsWith(`${SAMPLE}:`) && e.user === 'heidi');
    expect(logins).toHaveLength(1);
    expect(logins[0]).toMatchObject({
      action: 'login', event_time: '2025-03-11T09:33:10.688Z', outcome: 'success', auth_method: 'publickey',
      mfa_method: 'unknown', mfa_method_raw: 'publickey,keyboard-interactive/pam', mfa_verified: false, src_ip: '192.0.2.90',
    });
    expect(logins[0]!.details.auth_methods).toBe('publickey,keyboard-interactive/pam');
    expect(logins[0]!.details.key_fingerprint).toBe('SHA256:bWlYc2+6KAQ6VAzVcDDxJwb5nI/2P9nIhLRTFcGBGIU');
  });

  it('bob: failed then accepted password on legacy-build-1 (RFC 3164, year from ingestion)', () => {
    expect(one(SAMPLE, 12, 'login', '2025-03-11T10:05:12.000Z')).toMatchObject({
      user: 'bob', outcome: 'failure', reason: 'bad_password', auth_method: 'password', resource: 'legacy-build-1',
    });
    expect(one(SAMPLE, 13, 'login', '2025-03-11T10:05:19.000Z')).toMatchObject({
      user: 'bob', outcome: 'success', auth_method: 'password', mfa_method: 'none', mfa_evidence: 'not_performed',
      mfa_verified: false, src_ip: '203.0.113.10', resource: 'legacy-build-1',
    });
  });

  it('ivan: TOTP failure then success at 10:40 via pam_google_authenticator lines with their own pid', () => {
    expect(one(SAMPLE, 16, 'login', '2025-03-11T10:40:03.000Z')).toMatchObject({
      user: 'ivan', outcome: 'failure', reason: 'mfa_failed', mfa_method: 'totp', mfa_verified: false, mfa_evidence: 'performed',
    });
    const ok = one(SAMPLE, 18, 'login', '2025-03-11T10:40:31.000Z');
    expect(ok).toMatchObject({ user: 'ivan', outcome: 'success', mfa_method: 'totp', mfa_method_raw: 'pam_google_authenticator', mfa_verified: true, mfa_evidence: 'performed' });
    expect(ok.input_ref).toBe(`${SAMPLE}:15,16,17,18,19`);
  });

  it('attackers: invalid user admin and root attempts are failures with the attempted user', () => {
    const admin = eventsAt(SAMPLE, 21, 'login');
    expect(admin).toHaveLength(1);
    expect(admin[0]).toMatchObject({ user: 'admin', user_type: 'unknown', outcome: 'failure', reason: 'unknown_user', src_ip: '198.51.100.66', event_time: '2025-03-11T13:14:03.551Z' });
    expect(one(SAMPLE, 24, 'login', '2025-03-11T13:14:11.870Z')).toMatchObject({ user: 'root', user_type: 'root', privileged: true, outcome: 'failure', reason: 'bad_password' });
    expect(one(SAMPLE, 25, 'login', '2025-03-11T14:02:12.441Z')).toMatchObject({ user: 'root', outcome: 'denied', reason: 'root_login_refused', resource: 'app-1', privileged: true });
  });

  it('frank: plain key login on app-1 at 14:18:30 (sshd-session), no MFA', () => {
    const e = one(SAMPLE, 26, 'login', '2025-03-11T14:18:30.006Z');
    expect(e).toMatchObject({ user: 'frank', resource: 'app-1', auth_method: 'publickey', mfa_method: 'none', mfa_evidence: 'not_performed', outcome: 'success', src_ip: '192.0.2.61' });
    expect(e.details).toMatchObject({ key_type: 'RSA', key_fingerprint: 'SHA256:kXkS5QfzIHLwdHYp0oLBHoEVOUjIqjzqa9UKAA7rVI0', program: 'sshd-session' });
    expect(e.details.cert_key_id).toBeUndefined();
  });

  it('breakglass: local password login then sudo to root on bastion-1', () => {
    expect(one(SAMPLE, 28, 'login', '2025-03-11T16:24:40.330Z')).toMatchObject({ user: 'breakglass', user_type: 'shared', auth_method: 'password', mfa_method: 'none', resource: 'bastion-1' });
    const sudo = one(SAMPLE, 30, 'api_call', '2025-03-11T16:25:02.001Z');
    expect(sudo).toMatchObject({ event_type: 'sudo.command', user: 'breakglass', privileged: true, outcome: 'success', resource: 'bastion-1' });
    expect(sudo.details).toMatchObject({ run_as: 'root', command: '/usr/bin/systemctl restart teleport', tty: 'pts/3' });
    expect(sudo.input_ref).toBe(`${SAMPLE}:30,31`);
  });

  it('deploy: CI key login is a service account', () => {
    expect(one(SAMPLE, 32, 'login', '2025-03-11T17:00:11.509Z')).toMatchObject({ user: 'deploy', user_type: 'service', src_ip: '10.20.5.17' });
  });
});

describe('sshd malformed lines', () => {
  it('expands `message repeated 3 times` into three failures with distinct ids', () => {
    const evs = eventsAt(MALFORMED, 2, 'login');
    expect(evs).toHaveLength(3);
    expect(evs.map((e) => e.details.repeat)).toEqual(['1/3', '2/3', '3/3']);
    expect(new Set(evs.map((e) => e.event_id)).size).toBe(3);
    for (const e of evs) expect(e).toMatchObject({ user: 'bob', outcome: 'failure', reason: 'bad_password', event_time: '2025-03-11T10:05:19.000Z' });
  });

  it('parses RFC 5424 framing into the same event as the file-format line (same event id)', () => {
    const rfc = eventsAt(MALFORMED, 3, 'login');
    expect(rfc).toHaveLength(1);
    expect(rfc[0]).toMatchObject({ user: 'admin', reason: 'unknown_user', resource: 'bastion-1', details: expect.objectContaining({ pid: '5230' }) });
    expect(rfc[0]!.event_id).toBe(eventsAt(SAMPLE, 21, 'login')[0]!.event_id);
  });
});

describe('sshd external corpus', () => {
  it('reads year-less stamps from the previous year when they would lie in the future', () => {
    const e = out.events.find((x) => x.user === 'test' && x.outcome === 'success');
    expect(e).toMatchObject({ event_time: '2024-09-06T10:00:56.000Z', resource: 'bullseye', auth_method: 'password' });
  });

  it('maps AllowUsers refusals to denied and RFC 5424 with structured data', () => {
    expect(out.events.find((e) => e.reason === 'not_allowed')).toMatchObject({ user: 'root', outcome: 'denied', event_time: '2023-11-13T23:20:42.738Z' });
    expect(out.events.find((e) => e.user === 'tutu')).toMatchObject({ resource: 'OPNsense.localdomain', reason: 'unknown_user', src_ip: '1.2.3.4' });
  });

  it('maps sudo lines: allowed, NOT in sudoers (denied), pam session only', () => {
    const sudo = out.events.filter((e) => e.input_ref.startsWith(`${CORPUS_AUTH}:`));
    expect(sudo.map((e) => [e.user, e.outcome, e.reason, e.details.run_as])).toEqual([
      ['vagrant', 'success', '', 'root'], ['vagrant', 'success', '', 'root'], ['tsg', 'denied', 'not_in_sudoers', 'root'], ['userauth3', 'success', '', 'root'],
    ]);
    expect(out.drops.filter((d) => d.input_ref.startsWith(`${CORPUS_AUTH}:`)).map((d) => d.reason)).toEqual(['other_program', 'other_program', 'other_program']);
  });

  it('counts a brute-force connection once per Failed line, not per PAM echo line', () => {
    const pid2801 = out.events.filter((e) => e.details.pid === '2801');
    expect(pid2801.map((e) => e.event_time)).toEqual(['2025-02-22T16:48:00.000Z', '2025-02-22T16:48:02.000Z', '2025-02-22T16:48:05.000Z']);
  });
});

describe('sshd assembler', () => {
  const H = '2025-03-11T09:33:';
  const heidi = [
    `${H}05.220019+00:00 bastion-1 sshd[4121]: Partial publickey for heidi from 192.0.2.90 port 53112 ssh2: ED25519 SHA256:abc`,
    `${H}05.221870+00:00 bastion-1 sshd[4121]: Postponed keyboard-interactive for heidi from 192.0.2.90 port 53112 ssh2 [preauth]`,
    `${H}10.688140+00:00 bastion-1 sshd[4121]: Accepted keyboard-interactive/pam for heidi from 192.0.2.90 port 53112 ssh2`,
    `${H}10.701223+00:00 bastion-1 sshd[4121]: pam_unix(sshd:session): session opened for user heidi(uid=1004) by (uid=0)`,
  ];

  it('merges Partial + Postponed + keyboard-interactive + session line into one record', () => {
    const recs = assemble(heidi);
    expect(recs).toEqual([{ raw: heidi.join('\n'), input_ref: 't:1,2,3,4' }]);
    expect(normalizeText(recs[0]!.raw)).toHaveLength(1);
  });

  it('names the factor when a PAM module line is present (Duo Unix → verified, google_authenticator → totp)', () => {
    const duo = `${H}10.600000+00:00 bastion-1 sshd[4121]: Successful Duo login for 'heidi' from 192.0.2.90`;
    const withDuo = assemble([heidi[0]!, heidi[1]!, duo, heidi[2]!, heidi[3]!]);
    expect(withDuo).toHaveLength(1);
    expect(normalizeText(withDuo[0]!.raw)[0]).toMatchObject({ mfa_method: 'unknown', mfa_method_raw: 'pam_duo', mfa_verified: true, mfa_evidence: 'performed', auth_method: 'publickey' });
    const gauth = `${H}10.600000+00:00 bastion-1 sshd(pam_google_authenticator)[4130]: Accepted google_authenticator for heidi`;
    const withTotp = assemble([heidi[0]!, gauth, heidi[2]!, heidi[3]!]);
    expect(withTotp).toHaveLength(1);
    expect(normalizeText(withTotp[0]!.raw)[0]).toMatchObject({ mfa_method: 'totp', mfa_verified: true, details: expect.objectContaining({ auth_methods: 'publickey,keyboard-interactive/pam' }) });
  });

  it('keeps interleaved connections apart, also the same pid on two hosts', () => {
    const t = (s: number): string => `2025-03-11T10:00:0${s}.000000+00:00`;
    const lines = [
      `${t(1)} host-a sshd[100]: Invalid user x from 198.51.100.1 port 1`,
      `${t(1)} host-b sshd[100]: Accepted password for carol from 192.0.2.5 port 2 ssh2`,
      `${t(2)} host-a sshd[100]: Failed password for invalid user x from 198.51.100.1 port 1 ssh2`,
      `${t(2)} host-b sshd[100]: pam_unix(sshd:session): session opened for user carol(uid=1000) by (uid=0)`,
      `${t(3)} host-a sshd[100]: Connection closed by invalid user x 198.51.100.1 port 1 [preauth]`,
    ];
    const recs = assemble(lines);
    expect(recs.map((r) => r.input_ref).sort()).toEqual(['t:1,3,5', 't:2,4']);
    const a = normalizeText(recs.find((r) => r.input_ref === 't:1,3,5')!.raw);
    expect(a.map((e) => [e.resource, e.user, e.outcome, e.reason])).toEqual([['host-a', 'x', 'failure', 'unknown_user']]);
    const b = normalizeText(recs.find((r) => r.input_ref === 't:2,4')!.raw);
    expect(b.map((e) => [e.resource, e.user, e.outcome])).toEqual([['host-b', 'carol', 'success']]);
  });

  it('passes `message repeated N times` through as one record that yields N events', () => {
    const line = 'Mar 11 10:05:19 legacy-build-1 sshd[911]: message repeated 2 times: [ Failed password for bob from 203.0.113.10 port 51100 ssh2]';
    const recs = assemble([line]);
    expect(recs).toHaveLength(1);
    expect(normalizeText(recs[0]!.raw).map((e) => e.source_event_id)).toEqual([
      'legacy-build-1:911:2025-03-11T10:05:19.000Z:login_failure#r1', 'legacy-build-1:911:2025-03-11T10:05:19.000Z:login_failure#r2',
    ]);
  });

  it('holds an Accepted login until its session line, a later line of the host, or flush', () => {
    const a = sshdNormalizer.createAssembler!();
    const accepted = '2025-03-11T11:00:00.000000+00:00 app-1 sshd[7]: Accepted publickey for eve from 192.0.2.7 port 9 ssh2: ED25519 SHA256:k';
    expect(a.push(accepted, 't:1')).toEqual([]);
    expect(a.flush()).toEqual([{ raw: accepted, input_ref: 't:1' }]);
    expect(a.flush()).toEqual([]);
    expect(a.push(accepted, 't:1')).toEqual([]);
    const later = '2025-03-11T11:00:09.000000+00:00 app-1 sshd[8]: Connection from 192.0.2.8 port 10 on 10.0.0.1 port 22';
    expect(a.push(later, 't:2')).toEqual([{ raw: accepted, input_ref: 't:1' }]);
    expect(a.flush()).toEqual([{ raw: later, input_ref: 't:2' }]);
  });

  it('stays bounded: beyond max_pending the least recently active connection is emitted', async () => {
    const { createSshdAssembler } = await import('../../../ingest/normalizers/sshd/assembler.ts');
    const a = createSshdAssembler({ max_pending: 2 });
    const l = (pid: number): string => `2025-03-11T12:00:00.000000+00:00 h sshd[${pid}]: Failed password for u${pid} from 192.0.2.1 port ${pid} ssh2`;
    expect(a.push(l(1), 't:1')).toEqual([]);
    expect(a.push(l(2), 't:2')).toEqual([]);
    expect(a.push(l(3), 't:3')).toEqual([{ raw: l(1), input_ref: 't:1' }]);
    expect(a.flush().map((r) => r.input_ref)).toEqual(['t:2', 't:3']);
  });

  it('takes certificate facts from a VERBOSE `Accepted certificate ID` line of the same connection', () => {
    const recs = assemble([
      '2025-03-11T12:00:00.000000+00:00 h sshd[7]: Accepted certificate ID "kim@example.com" (serial 3) signed by ED25519 CA SHA256:bb via /etc/ssh/ca.pub',
      '2025-03-11T12:00:00.100000+00:00 h sshd[7]: Accepted publickey for kim from 192.0.2.3 port 4 ssh2: ED25519-CERT SHA256:aa',
    ]);
    expect(recs).toHaveLength(1);
    expect(normalizeText(recs[0]!.raw)[0]).toMatchObject({ user: 'kim@example.com', auth_method: 'certificate', details: expect.objectContaining({ cert_key_id: 'kim@example.com', cert_ca: 'SHA256:bb', login_user: 'kim' }) });
    const cut = '2025-03-11T12:00:00.100000+00:00 h sshd[7]: Accepted publickey for kim from 192.0.2.3 port 4 ssh2: ED25519-CERT SHA256:aa ID kim@exa';
    expect(normalizeRecord(sshdNormalizer, cut, cut, DEFAULT_POLICY, ctx.ingested_at)).toMatchObject({ kind: 'reject', reason: 'truncated_line' });
  });

  it('emits an unparseable line on its own, and the normalizer rejects it', () => {
    const recs = assemble(['not a syslog line']);
    expect(recs).toEqual([{ raw: 'not a syslog line', input_ref: 't:1' }]);
    const r = normalizeRecord(sshdNormalizer, recs[0]!.raw, recs[0]!.raw, DEFAULT_POLICY, ctx.ingested_at);
    expect(r).toMatchObject({ kind: 'reject', reason: 'unparseable_line' });
  });
});

describe('sshd line envelope', () => {
  it('parses RFC 5424 structured data with escaped brackets and a nil pid', () => {
    const l = parseSyslogLine('<86>1 2025-03-11T13:14:03Z h1 sshd - ID47 [x@1 a="b\\]c" d="e"][y@2 f="g"] Invalid user q from 192.0.2.1 port 5');
    expect(l).toMatchObject({ format: 'rfc5424', host: 'h1', program: 'sshd', pid: '', message: 'Invalid user q from 192.0.2.1 port 5' });
  });

  it('parses journalctl -o json lines', () => {
    const l = parseSyslogLine(JSON.stringify({ __REALTIME_TIMESTAMP: '1741684949004118', _HOSTNAME: 'bastion-1', SYSLOG_IDENTIFIER: 'sshd-session', _PID: '4102', MESSAGE: 'Accepted password for a from 192.0.2.1 port 1 ssh2' }));
    expect(l).toMatchObject({ format: 'journald', host: 'bastion-1', program: 'sshd-session', pid: '4102', timestamp: '2025-03-11T09:22:29.004Z' });
  });

  it('rolls December lines read in January back a year, and rejects impossible dates', () => {
    const dec = parseSyslogLine('Dec 31 23:59:59 h sshd[1]: x')!;
    expect(resolveLineTime(dec, '2026-01-01T00:10:00.000Z')).toBe('2025-12-31T23:59:59.000Z');
    const feb30 = parseSyslogLine('Feb 30 10:00:00 h sshd[1]: Accepted password for a from 192.0.2.1 port 1 ssh2')!;
    expect(resolveLineTime(feb30, '2025-03-12T00:00:00.000Z')).toBeNull();
    const r = normalizeRecord(sshdNormalizer, 'Feb 30 10:00:00 h sshd[1]: Accepted password for a from 192.0.2.1 port 1 ssh2', 'Feb 30 10:00:00 h sshd[1]: Accepted password for a from 192.0.2.1 port 1 ssh2', DEFAULT_POLICY, ctx.ingested_at);
    expect(r).toMatchObject({ kind: 'reject', reason: 'invalid_time' });
  });

  it('is pure: the same record normalizes to the same events', () => {
    const raw = readFileSync(SAMPLE, 'utf8').split('\n').slice(0, 4).join('\n');
    expect(sshdNormalizer.normalize(raw, ctx)).toEqual(sshdNormalizer.normalize(raw, ctx));
    expect(sshdNormalizer.partitionKey!(raw)).toBe('alice');
  });
});
