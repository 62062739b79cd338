import { describe, expect, it } from 'vitest';
import { normalizerFor } from '../../../ingest/normalizers/index.ts';
import type { Normalizer } from '../../../ingest/normalizers/normalizer.ts';
import { createTrackedAssembly, splitRefs } from '../../../ingest/receivers/line-assembly.ts';

const sshd = normalizerFor('sshd') as Normalizer;
const L = {
  partial: '2025-03-11T09:33:05.220019+00:00 bastion-1 sshd[4121]: Partial publickey for heidi from 192.0.2.90 port 53112 ssh2: ED25519 SHA256:bWlYc2+6KAQ6VAzVcDDxJwb5nI/2P9nIhLRTFcGBGIU',
  postponed: '2025-03-11T09:33:05.221870+00:00 bastion-1 sshd[4121]: Postponed keyboard-interactive for heidi from 192.0.2.90 port 53112 ssh2 [preauth]',
  accepted: '2025-03-11T09:33:10.688140+00:00 bastion-1 sshd[4121]: Accepted keyboard-interactive/pam for heidi from 192.0.2.90 port 53112 ssh2',
  session: '2025-03-11T09:33:10.701223+00:00 bastion-1 sshd[4121]: pam_unix(sshd:session): session opened for user heidi(uid=1004) by (uid=0)',
  failed: '2025-03-11T13:14:11.870113+00:00 bastion-1 sshd[5233]: Failed password for root from 198.51.100.66 port 40030 ssh2',
};

describe('splitRefs', () => {
  it('expands refs joined by an assembler', () => {
    expect(splitRefs('/var/log/auth.log:3,4,9')).toEqual(['/var/log/auth.log:3', '/var/log/auth.log:4', '/var/log/auth.log:9']);
    expect(splitRefs('syslog/udp/10.0.0.1:7,syslog/udp/10.0.0.2:8')).toEqual(['syslog/udp/10.0.0.1:7', 'syslog/udp/10.0.0.2:8']);
    expect(splitRefs('syslog/tcp/::1:5')).toEqual(['syslog/tcp/::1:5']);
  });
});

describe('createTrackedAssembly', () => {
  it('reports the oldest held line as the resume position and releases it once emitted', () => {
    const a = createTrackedAssembly(sshd, { idle_ms: 2000 });
    expect(a.push(L.partial, 'f:1', 0, { offset: 0, line: 0 })).toEqual([]);
    a.push(L.postponed, 'f:2', 1, { offset: 150, line: 1 });
    expect(a.oldestPending()).toEqual({ offset: 0, line: 0 });
    expect(a.pendingLines).toBe(2);
    a.push(L.accepted, 'f:3', 2, { offset: 300, line: 2 });
    a.push(L.session, 'f:4', 3, { offset: 450, line: 3 });
    const out = a.flush();
    expect(out.map((r) => r.input_ref)).toEqual(['f:1,2,3,4']);
    expect(a.oldestPending()).toBeUndefined();
  });

  it('holds a login awaiting its second factor through a short silence, not past the hold limit', () => {
    const a = createTrackedAssembly(sshd, { idle_ms: 2000, hold_max_ms: 60_000 });
    a.push(L.partial, 'f:1', 1000);
    a.push(L.postponed, 'f:2', 1001);
    expect(a.idle(10_000)).toEqual([]);
    a.push(L.accepted, 'f:3', 20_000);
    a.push(L.session, 'f:4', 20_001);
    // The verdict arrived: nothing is held any more, the login comes out whole after the idle time.
    expect(a.idle(21_000)).toEqual([]);
    const out = a.idle(22_500);
    expect(out).toHaveLength(1);
    expect(out[0]?.raw.split('\n')).toEqual([L.partial, L.postponed, L.accepted, L.session]);

    const b = createTrackedAssembly(sshd, { idle_ms: 2000, hold_max_ms: 60_000 });
    b.push(L.partial, 'g:1', 0);
    expect(b.idle(59_000)).toEqual([]);
    expect(b.idle(61_000).map((r) => r.input_ref)).toEqual(['g:1']);
  });

  it('flushes an ordinary pending connection after idle_ms of silence', () => {
    const a = createTrackedAssembly(sshd, { idle_ms: 2000 });
    a.push(L.failed, 'f:1', 0);
    expect(a.idle(1999)).toEqual([]);
    expect(a.idle(2000).map((r) => r.input_ref)).toEqual(['f:1']);
    expect(a.idle(5000)).toEqual([]);
  });

  it('passes lines through one by one for sources without an assembler', () => {
    const fake: Normalizer = { ...sshd, source: 'teleport', createAssembler: undefined };
    const a = createTrackedAssembly(fake, { idle_ms: 10 });
    expect(a.push('x', 'f:1', 0, { offset: 0, line: 0 })).toEqual([{ raw: 'x', input_ref: 'f:1' }]);
    expect(a.oldestPending()).toBeUndefined();
  });
});
