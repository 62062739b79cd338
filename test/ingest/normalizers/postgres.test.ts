import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuthEvent } from '../../../schema/auth-event.ts';
import { DEFAULT_POLICY } from '../../../ingest/normalizers/common.ts';
import type { AssembledRecord, NormalizerPolicy } from '../../../ingest/normalizers/normalizer.ts';
import { normalizeRecord } from '../../../ingest/normalizers/normalize-record.ts';
import { postgresNormalizer } from '../../../ingest/normalizers/postgres.ts';
import { createPostgresAssembler } from '../../../ingest/normalizers/postgres/assembler.ts';
import { parsePgLine } from '../../../ingest/normalizers/postgres/pg-line.ts';
import { parseCsvRow, roleChange } from '../../../ingest/normalizers/postgres/pgaudit.ts';
import type { StepResult } from '../../../ingest/normalizers/step-result.ts';
import { normalizeFiles, type NormalizedFile } from '../../helpers/normalize-file.ts';
import { sharedPath } from '../../helpers/shared.ts';

const SAMPLE = sharedPath('samples', 'postgresql.log');
const MALFORMED = sharedPath('samples', 'postgresql.malformed.log');
const FILES = [SAMPLE, MALFORMED];

type Ev = NormalizedFile['events'][number];
let out: NormalizedFile;

beforeAll(async () => {
  out = await normalizeFiles('postgres', FILES);
});

function refLines(ref: string, file: string): number[] {
  if (!ref.startsWith(`${file}:`)) return [];
  return ref.slice(file.length + 1).split(',').map(Number);
}

/** The one event of `action` whose record contains line `n`. */
function one(file: string, n: number, action: AuthEvent['action']): Ev {
  const found = out.events.filter((e) => refLines(e.input_ref, file).includes(n) && e.action === action);
  expect(found, `${file}:${n} ${action}`).toHaveLength(1);
  return found[0]!;
}

function assemble(lines: readonly string[]): AssembledRecord[] {
  const a = createPostgresAssembler();
  const recs: AssembledRecord[] = [];
  lines.forEach((l, i) => recs.push(...a.push(l, `t:${i + 1}`)));
  recs.push(...a.flush());
  return recs;
}

function run(raw: string, policy: NormalizerPolicy = DEFAULT_POLICY): StepResult<AuthEvent[]> {
  return normalizeRecord(postgresNormalizer, raw, raw, policy, '2025-03-12T00:00:00.000Z');
}

function events(raw: string, policy: NormalizerPolicy = DEFAULT_POLICY): AuthEvent[] {
  const r = run(raw, policy);
  if (r.kind !== 'ok') throw new Error(`${r.kind}: ${r.reason}`);
  return r.value;
}

describe('postgres conformance', () => {
  it('accounts for every non-blank line as an event, a drop or a reject with a reason', () => {
    for (const file of FILES) {
      const covered = new Set<number>();
      for (const x of [...out.events, ...out.drops, ...out.rejects]) for (const n of refLines(x.input_ref, file)) covered.add(n);
      readFileSync(file, 'utf8').split('\n').forEach((text, i) => {
        if (text.trim() !== '') expect(covered.has(i + 1), `${file}:${i + 1}`).toBe(true);
      });
    }
    for (const x of [...out.rejects, ...out.drops]) expect(x.reason).toMatch(/^[a-z_]+$/);
    expect(out.rejects.filter((r) => r.reason === 'normalizer_error' || r.reason === 'invalid_event')).toEqual([]);
  });

  it('turns the 21 sample lines into 12 events and handles the 3 malformed records as documented', () => {
    expect(out.events.filter((e) => e.input_ref.startsWith(`${SAMPLE}:`))).toHaveLength(12);
    expect(out.events.filter((e) => e.input_ref.startsWith(`${MALFORMED}:`)).map((e) => e.input_ref)).toEqual([`${MALFORMED}:1,2`]);
    expect(out.rejects.map((r) => [r.input_ref, r.reason])).toEqual([
      [`${MALFORMED}:3`, 'missing_field'],
      [`${MALFORMED}:4`, 'unparseable_line'],
    ]);
  });
});

describe('postgres sample scenario', () => {
  it('carol: one session_start for the cert connection of pid 30211 with identity and method merged in', () => {
    const e = one(SAMPLE, 3, 'session_start');
    expect(e.input_ref).toBe(`${SAMPLE}:1,2,3`);
    expect(e).toMatchObject({
      event_time: '2025-03-11T09:12:30.433Z', user: 'carol', user_raw: 'CN=carol', user_type: 'human', outcome: 'success',
      resource: 'payments', resource_type: 'database', auth_method: 'certificate', mfa_method: 'unknown', mfa_method_raw: 'cert',
      mfa_evidence: 'external_idp', mfa_verified: false, src_ip: '10.20.3.8', session_id: 'postgres:30211', privileged: false,
      source_event_id: 'payments:30211:2025-03-11T09:12:30.433Z:session_start',
    });
    expect(e.details).toMatchObject({
      identity: 'CN=carol', db_user: 'carol', database: 'payments', pid: '30211', auth_method_raw: 'cert',
      hba: '/etc/postgresql/16/main/pg_hba.conf:98', application_name: 'psql', ssl_protocol: 'TLSv1.3', src_port: '44718',
    });
  });

  it('carol: GRANT payments_rw TO "bob@example.com" is a privilege_change targeting bob', () => {
    const e = one(SAMPLE, 5, 'privilege_change');
    expect(e).toMatchObject({ user: 'carol', target_user: 'bob@example.com', privileged: true, event_time: '2025-03-11T09:14:51.240Z', resource: 'payments' });
    expect(e.details).toMatchObject({ audit_class: 'ROLE', audit_command: 'GRANT', role: 'payments_rw', grantees: 'bob@example.com' });
    expect(one(SAMPLE, 4, 'api_call')).toMatchObject({ privileged: false, details: expect.objectContaining({ audit_class: 'READ' }) });
    expect(one(SAMPLE, 6, 'session_end')).toMatchObject({ user: 'carol', src_ip: '10.20.3.8', details: expect.objectContaining({ session_duration: '0:27:31.597' }) });
  });

  it('breakglass: peer connection as superuser postgres, then ALTER ROLE ... SUPERUSER', () => {
    const s = one(SAMPLE, 14, 'session_start');
    expect(s).toMatchObject({ user: 'postgres', user_type: 'shared', privileged: true, auth_method: 'unknown', mfa_method: 'none', src_ip: '', event_time: '2025-03-11T16:26:10.006Z' });
    expect(s.details).toMatchObject({ auth_method_raw: 'peer', identity: 'postgres', src_host: '[local]' });
    const alter = one(SAMPLE, 15, 'privilege_change');
    expect(alter).toMatchObject({ user: 'postgres', target_user: 'app_admin', privileged: true, event_time: '2025-03-11T16:26:44.880Z' });
    expect(alter.details).toMatchObject({ role_attributes: 'SUPERUSER', audit_command: 'ALTER ROLE' });
  });

  it('superuser status comes from policy.db_superusers', () => {
    const raw = readFileSync(SAMPLE, 'utf8').split('\n').slice(11, 14).join('\n');
    expect(events(raw)[0]!.privileged).toBe(true);
    expect(events(raw, { ...DEFAULT_POLICY, db_superusers: ['dba'] })[0]!.privileged).toBe(false);
  });

  it('ci-deployer: scram-sha-256 is a password login of a service role; its DDL is privileged', () => {
    expect(one(SAMPLE, 19, 'session_start')).toMatchObject({ user: 'ci_deployer', user_type: 'service', auth_method: 'password', mfa_method: 'none', mfa_evidence: 'not_performed', privileged: false, src_ip: '10.20.0.9' });
    const ddl = one(SAMPLE, 20, 'api_call');
    expect(ddl).toMatchObject({ user: 'ci_deployer', privileged: true, event_type: 'pgaudit.ddl' });
    expect(ddl.details).toMatchObject({ audit_command: 'ALTER TABLE', object_name: 'public.settlements' });
  });

  it('attackers: HBA rejection is denied, a bad password a failure', () => {
    expect(one(SAMPLE, 11, 'login')).toMatchObject({ user: 'postgres', outcome: 'denied', reason: 'no_hba_entry', src_ip: '198.51.100.66', resource: 'postgres', privileged: true });
    const bad = one(SAMPLE, 8, 'login');
    expect(bad).toMatchObject({ user: 'postgres', outcome: 'failure', reason: 'bad_password', auth_method: 'password', src_ip: '10.20.0.5' });
    expect(bad.input_ref).toBe(`${SAMPLE}:7,8,9`);
    expect(bad.details.hba).toBe('/etc/postgresql/16/main/pg_hba.conf:102');
  });

  it('the joined malformed pgaudit statement is the same event as the sample line', () => {
    const joined = out.events.find((e) => e.input_ref === `${MALFORMED}:1,2`)!;
    expect(joined.details.statement).toBe("SELECT id, status FROM settlements WHERE\ncreated_at > now() - interval '1 day'");
    expect(joined.event_id).toBe(one(SAMPLE, 4, 'api_call').event_id);
  });
});

describe('postgres assembler', () => {
  const p = (ms: string, pid: number, who: string, rest: string): string => `2025-03-11 10:00:00.${ms} UTC [${pid}] ${who} ${rest}`;

  it('joins tab-indented continuation lines to the statement', () => {
    const lines = [p('001', 5, 'a@db', 'LOG:  AUDIT: SESSION,1,1,DDL,CREATE TABLE,TABLE,public.t,"CREATE TABLE t ('), '\tid int,', '\tv text)",<not logged>', p('002', 5, 'a@db', 'LOG:  disconnection: session time: 0:00:01.000 user=a database=db host=[local]')];
    const recs = assemble(lines);
    expect(recs.map((r) => r.input_ref)).toEqual(['t:1,2,3', 't:4']);
    expect(events(recs[0]!.raw)[0]!.details.statement).toBe('CREATE TABLE t (\nid int,\nv text)');
  });

  it('merges the handshake of one pid across interleaved backends, with DETAIL lines kept with their FATAL', () => {
    const lines = [
      p('001', 1, '[unknown]@[unknown]', 'LOG:  connection received: host=10.0.0.1 port=1'),
      p('002', 2, '[unknown]@[unknown]', 'LOG:  connection received: host=10.0.0.2 port=2'),
      p('003', 1, '[unknown]@[unknown]', 'LOG:  connection authenticated: identity="dave" method=md5 (/h:1)'),
      p('004', 2, 'eve@db', 'FATAL:  password authentication failed for user "eve"'),
      p('004', 2, 'eve@db', 'DETAIL:  Connection matched pg_hba.conf line 7: "host all all 0.0.0.0/0 md5"'),
      p('005', 1, 'dave@db', 'LOG:  connection authorized: user=dave database=db'),
    ];
    const recs = assemble(lines);
    expect(recs.map((r) => r.input_ref)).toEqual(['t:2,4,5', 't:1,3,6']);
    expect(events(recs[0]!.raw)[0]).toMatchObject({ user: 'eve', outcome: 'failure', src_ip: '10.0.0.2', details: expect.objectContaining({ hba: 'pg_hba.conf:7' }) });
    expect(events(recs[1]!.raw)[0]).toMatchObject({ action: 'session_start', user: 'dave', auth_method: 'password', src_ip: '10.0.0.1', details: expect.objectContaining({ identity: 'dave' }) });
  });

  it('flush emits an unfinished handshake, which normalizes to a drop', () => {
    const a = createPostgresAssembler();
    const line = p('001', 9, '[unknown]@[unknown]', 'LOG:  connection received: host=10.0.0.9 port=9');
    expect(a.push(line, 't:1')).toEqual([]);
    const recs = a.flush();
    expect(recs).toEqual([{ raw: line, input_ref: 't:1' }]);
    expect(a.flush()).toEqual([]);
    expect(run(recs[0]!.raw)).toMatchObject({ kind: 'drop', reason: 'connection_without_outcome' });
  });

  it('stays bounded: beyond max_pending the oldest handshake is emitted', () => {
    const a = createPostgresAssembler({ max_pending: 1 });
    const l = (pid: number): string => p('001', pid, '[unknown]@[unknown]', `LOG:  connection received: host=10.0.0.${pid} port=${pid}`);
    expect(a.push(l(1), 't:1')).toEqual([]);
    expect(a.push(l(2), 't:2')).toEqual([{ raw: l(1), input_ref: 't:1' }]);
  });
});

describe('postgres line prefixes', () => {
  it('reads %m [%p] without %u@%d, the RDS prefix, and %c %r', () => {
    expect(parsePgLine('2025-03-11 09:12:30.433 UTC [30211] LOG:  checkpoint starting: time')).toMatchObject({ pid: '30211', user: '', database: '', severity: 'LOG' });
    expect(parsePgLine('2025-03-11 09:12:30 UTC:10.0.0.1(5432):bob@example.com@payments:[30211]:LOG:  x')).toMatchObject({ pid: '30211', user: 'bob@example.com', database: 'payments', iso: '2025-03-11T09:12:30.000Z' });
    expect(parsePgLine('2025-03-11 09:12:30.433 +01 [7] carol@payments 67d00e2e.75e3 10.20.3.8(44718) LOG:  x')).toMatchObject({ user: 'carol', session_id: '67d00e2e.75e3', iso: '2025-03-11T08:12:30.433Z' });
  });

  it('rejects ambiguous zone names and drops non-auth messages', () => {
    expect(run('2025-03-11 09:12:30.433 CET [1] a@b LOG:  connection authorized: user=a database=b')).toMatchObject({ kind: 'reject', reason: 'invalid_time' });
    expect(run('2025-03-11 09:12:30.433 UTC [1] LOG:  checkpoint starting: time')).toMatchObject({ kind: 'drop', reason: 'not_auth_message' });
    expect(run('2025-03-11 09:12:30.433 UTC [1] LOG:  AUDIT: SESSION,1,1,DDL,DROP TABLE,,,DROP TABLE t,<not logged>')).toMatchObject({ kind: 'reject', reason: 'missing_field' });
  });

  it('parses pgaudit CSV and role statements', () => {
    expect(parseCsvRow('SESSION,1,1,ROLE,GRANT,,,"GRANT a TO ""x,y"";",<not logged>')).toEqual(['SESSION', '1', '1', 'ROLE', 'GRANT', '', '', 'GRANT a TO "x,y";', '<not logged>']);
    expect(roleChange('REVOKE', 'REVOKE payments_rw FROM "bob@example.com"')).toMatchObject({ action: 'access_revoked', target: 'bob@example.com' });
    expect(roleChange('ALTER ROLE', 'ALTER ROLE App_Admin NOSUPERUSER')).toMatchObject({ action: 'access_revoked', target: 'app_admin' });
    expect(roleChange('CREATE ROLE', 'CREATE ROLE tmp LOGIN PASSWORD \'x\'')).toMatchObject({ action: 'account_change', target: 'tmp' });
    expect(roleChange('SELECT', 'SELECT 1')).toBeNull();
  });

  it('gives a partition key from the role', () => {
    expect(postgresNormalizer.partitionKey!('2025-03-11 09:12:30.433 UTC [1] carol@payments LOG:  connection authorized: user=carol database=payments')).toBe('carol');
    expect(postgresNormalizer.partitionKey!('2025-03-11 09:13:02.118 UTC [30211] carol@payments LOG:  AUDIT: x')).toBe('carol');
  });
});
