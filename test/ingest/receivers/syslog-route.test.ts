import { describe, expect, it } from 'vitest';
import { parseSyslogMessage, type SyslogMessage } from '../../../ingest/receivers/syslog-message.ts';
import { pgStampOf, postgresLine, routeProgram, sshdLine } from '../../../ingest/receivers/syslog-route.ts';

const parse = (t: string): SyslogMessage => {
  const m = parseSyslogMessage(t);
  if (!m) throw new Error(`unparseable: ${t}`);
  return m;
};

describe('routeProgram', () => {
  it('routes sshd, its helpers and PAM modules to sshd, PostgreSQL to postgres, the rest nowhere', () => {
    for (const p of ['sshd', 'sshd-session', 'sshd-auth', 'SSHD', 'sshd(pam_google_authenticator)', 'sudo', 'systemd-logind', 'pam_duo']) expect(routeProgram(p)).toBe('sshd');
    for (const p of ['postgres', 'postgresql', 'postmaster']) expect(routeProgram(p)).toBe('postgres');
    for (const p of ['cron', 'kernel', '', 'sshdx']) expect(routeProgram(p)).toBeNull();
  });
});

describe('sshdLine', () => {
  it('passes messages through unchanged when they carry a hostname', () => {
    const t = '<38>1 2025-03-11T13:14:03.551002+00:00 bastion-1 sshd 5230 - - Failed password for root from 198.51.100.66 port 40030 ssh2';
    expect(sshdLine(t, parse(t), '10.0.0.5')).toBe(t);
  });

  it('puts the sender address where an RFC 3164 sender left HOSTNAME out', () => {
    const t = '<38>Mar 11 10:05:12 sshd[911]: Failed password for bob from 203.0.113.10 port 51100 ssh2';
    expect(sshdLine(t, parse(t), '10.0.0.5')).toBe('<38>Mar 11 10:05:12 10.0.0.5 sshd[911]: Failed password for bob from 203.0.113.10 port 51100 ssh2');
  });
});

describe('postgresLine', () => {
  const now = '2025-03-12T00:00:00.000Z';

  it('strips the syslog sequence number and keeps a line that has its own %m stamp', () => {
    const m = parse('<134>Mar 11 09:12:30 prod-db-1 postgres[30211]: [3-1] 2025-03-11 09:12:30.433 UTC [30211] carol@payments LOG:  connection authorized: user=carol database=payments');
    expect(postgresLine(m, now)).toBe('2025-03-11 09:12:30.433 UTC [30211] carol@payments LOG:  connection authorized: user=carol database=payments');
  });

  it('prefixes the syslog time and pid when log_line_prefix has no %m', () => {
    const m = parse('<134>1 2025-03-11T13:16:40.241Z prod-db-1 postgres 32001 - - [5-1] postgres@postgres FATAL:  password authentication failed for user "postgres"');
    expect(postgresLine(m, now)).toBe('2025-03-11 13:16:40.241 UTC [32001] postgres@postgres FATAL:  password authentication failed for user "postgres"');
    const bsd = parse('<134>Mar 11 13:16:40 prod-db-1 postgres[32001]: [5-1] user=postgres,db=postgres FATAL:  x');
    expect(postgresLine(bsd, now)).toBe('2025-03-11 13:16:40.000 UTC [32001] user=postgres,db=postgres FATAL:  x');
  });

  it('turns chunk 2+ of a split message into a tab continuation line', () => {
    expect(postgresLine(parse('<134>Mar 11 09:13:02 db postgres[1]: [7-2] \tFROM settlements'), now)).toBe('\tFROM settlements');
    expect(postgresLine(parse('<134>Mar 11 09:13:02 db postgres[1]: [7-3]  rest of a long line'), now)).toBe('\t rest of a long line');
  });

  it('puts a December RFC 3164 stamp read in early January into the previous year', () => {
    expect(pgStampOf(parse('<134>Dec 31 23:59:59 db postgres[1]: x'), '2025-01-01T00:00:05.000Z')).toBe('2024-12-31 23:59:59.000 UTC');
  });
});
