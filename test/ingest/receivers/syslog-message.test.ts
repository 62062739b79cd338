import { describe, expect, it } from 'vitest';
import { parseSyslogMessage } from '../../../ingest/receivers/syslog-message.ts';

describe('parseSyslogMessage', () => {
  it('reads RFC 5424 with NILVALUE structured data and a BOM', () => {
    const m = parseSyslogMessage('<38>1 2025-03-11T13:14:03.551002+00:00 bastion-1 sshd 5230 - - \uFEFFFailed password for root from 198.51.100.66 port 40030 ssh2');
    expect(m).toEqual({
      format: 'rfc5424', pri: 38, timestamp: '2025-03-11T13:14:03.551002+00:00', hostname: 'bastion-1', app: 'sshd', procid: '5230',
      msg: 'Failed password for root from 198.51.100.66 port 40030 ssh2', host_at: 39,
    });
  });

  it('skips RFC 5424 structured data with escaped quotes and brackets', () => {
    const m = parseSyslogMessage('<134>1 2025-03-11T09:12:30.433Z prod-db-1 postgres 30211 ID47 [meta a="x\\"]y" b="2"][origin ip="10.0.0.1"] [3-1] hello');
    expect(m?.app).toBe('postgres');
    expect(m?.msg).toBe('[3-1] hello');
  });

  it('maps RFC 5424 NILVALUE fields to empty strings and allows an absent MSG', () => {
    const m = parseSyslogMessage('<13>1 - - - - - -');
    expect(m).toMatchObject({ format: 'rfc5424', timestamp: '', hostname: '', app: '', procid: '', msg: '' });
  });

  it('reads RFC 3164 with the tag, pid and a PAM module suffix', () => {
    const m = parseSyslogMessage('<38>Mar 11 10:40:03 legacy-build-1 sshd(pam_google_authenticator)[1022]: Invalid verification code for ivan');
    expect(m).toMatchObject({ format: 'rfc3164', pri: 38, timestamp: 'Mar 11 10:40:03', hostname: 'legacy-build-1', app: 'sshd(pam_google_authenticator)', procid: '1022', msg: 'Invalid verification code for ivan' });
  });

  it('reads RFC 3164 with a single-digit day, no pid, and rsyslog ForwardFormat RFC 3339 stamps', () => {
    expect(parseSyslogMessage('<86>Mar  1 16:25:02 bastion-1 sudo: breakglass : TTY=pts/3')).toMatchObject({ timestamp: 'Mar  1 16:25:02', app: 'sudo', procid: '', msg: 'breakglass : TTY=pts/3' });
    expect(parseSyslogMessage('<38>2025-03-11T09:02:29.004118+00:00 bastion-1 sshd[4102]: Accepted publickey for alice')).toMatchObject({
      format: 'rfc3164', timestamp: '2025-03-11T09:02:29.004118+00:00', hostname: 'bastion-1', app: 'sshd', procid: '4102',
    });
  });

  it('notices an RFC 3164 message without HOSTNAME and says where it would go', () => {
    const text = '<38>Mar 11 10:05:12 sshd[911]: Failed password for bob from 203.0.113.10 port 51100 ssh2';
    const m = parseSyslogMessage(text);
    expect(m).toMatchObject({ hostname: '', app: 'sshd', procid: '911' });
    expect(text.slice(m?.host_at)).toMatch(/^sshd\[911\]/);
  });

  it('returns null for garbage, PRI out of range and unknown months', () => {
    expect(parseSyslogMessage('hello world')).toBeNull();
    expect(parseSyslogMessage('<999>Mar 11 10:05:12 h sshd[1]: x')).toBeNull();
    expect(parseSyslogMessage('<38>Foo 11 10:05:12 h sshd[1]: x')).toBeNull();
    expect(parseSyslogMessage('<38>1 2025-03-11T13:14:03Z host')).toBeNull();
    expect(parseSyslogMessage('<38>1 2025-03-11T13:14:03Z h a p m [unterminated x="1"')).toBeNull();
  });
});
