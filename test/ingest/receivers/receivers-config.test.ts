import { describe, expect, it } from 'vitest';
import { ReceiversConfig } from '../../../ingest/receivers/receivers-config.ts';

describe('ReceiversConfig', () => {
  it('fills defaults', () => {
    const c = ReceiversConfig.parse({ syslog: { tcp_port: 6514 }, tail: [{ name: 'auth', path: '/var/log/auth.log', source: 'sshd' }] });
    expect(c.syslog).toMatchObject({ host: '127.0.0.1', tcp_port: 6514, source: 'auto', max_message_bytes: 65536, idle_flush_ms: 2000 });
    expect(c.tail[0]).toMatchObject({ poll_ms: 1000, idle_flush_ms: 2000, start_at: 'beginning', rotate_wait_ms: 5000 });
    expect(ReceiversConfig.parse({})).toEqual({ tail: [] });
  });

  it('rejects a syslog server without ports, unknown keys and sources, duplicate tail names', () => {
    expect(ReceiversConfig.safeParse({ syslog: { host: '0.0.0.0' } }).success).toBe(false);
    expect(ReceiversConfig.safeParse({ syslog: { tcp_port: 514, typo: 1 } }).success).toBe(false);
    expect(ReceiversConfig.safeParse({ syslog: { udp_port: 514, source: 'okta' } }).success).toBe(false);
    expect(ReceiversConfig.safeParse({ tail: [{ name: 'a', path: '/x', source: 'nope' }] }).success).toBe(false);
    const dup = ReceiversConfig.safeParse({ tail: [{ name: 'a', path: '/x', source: 'sshd' }, { name: 'a', path: '/y', source: 'postgres' }] });
    expect(dup.success).toBe(false);
    expect(dup.error?.issues[0]?.message).toContain('duplicate tail name');
  });
});
