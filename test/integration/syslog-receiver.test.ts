import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/logger.ts';
import { createPipeline } from '../../ingest/pipeline.ts';
import { SyslogReceiverConfig } from '../../ingest/receivers/receivers-config.ts';
import { startSyslogReceiver, type SyslogReceiver } from '../../ingest/receivers/syslog.ts';
import type { Store } from '../../schema/store/store.ts';
import { openTempStore } from '../helpers/temp-store.ts';
import { testDeps } from '../helpers/silent-context.ts';
import { waitFor } from '../helpers/wait-for.ts';

interface Row {
  event_type: string; user: string; action: string; outcome: string; auth_method: string; mfa_method: string;
  resource: string; src_ip: string; time: string; input_ref: string; auth_methods: string; reason: string; identity: string;
}
const EVENT_SQL = `SELECT event_type, user, action, outcome, auth_method, mfa_method, resource, src_ip, toString(event_time) AS time,
  details['auth_methods'] AS auth_methods, details['identity'] AS identity, reason, r.input_ref AS input_ref
  FROM auth_events AS e FINAL
  LEFT JOIN (SELECT raw_sha256, any(input_ref) AS input_ref FROM raw_events GROUP BY raw_sha256) AS r ON r.raw_sha256 = e.raw_sha256
  WHERE source = {source:String} AND user = {user:String} ORDER BY event_time, event_type`;

const octet = (m: string): string => `${Buffer.byteLength(m)} ${m}`;

function sendTcp(port: number, payload: string | string[], gapMs = 0): Promise<void> {
  const parts = Array.isArray(payload) ? payload : [payload];
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', async () => {
      for (const p of parts) {
        s.write(p);
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
      }
      s.end();
    });
    s.on('error', reject);
    s.on('close', () => resolve());
  });
}

function sendUdp(port: number, messages: string[]): Promise<void> {
  const sock = createSocket('udp4');
  return new Promise((resolve, reject) => {
    let left = messages.length;
    for (const m of messages) {
      sock.send(Buffer.from(m), port, '127.0.0.1', (e) => {
        if (e) reject(e);
        if (--left === 0) { sock.close(); resolve(); }
      });
    }
  });
}

describe('syslog receiver → pipeline → chDB', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let rx: SyslogReceiver;
  const year = new Date().getUTCFullYear();

  beforeAll(async () => {
    ({ store, cleanup } = await openTempStore());
    const pipeline = createPipeline({ store, ...testDeps() });
    const config = SyslogReceiverConfig.parse({ udp_port: 0, tcp_port: 0, flush_ms: 50, idle_flush_ms: 300, max_message_bytes: 2048 });
    rx = await startSyslogReceiver({ config, pipeline, logger: silentLogger() });
  });
  afterAll(async () => {
    await rx.stop();
    await cleanup();
  });

  const events = (source: string, user: string) => store.query<Row>(EVENT_SQL, { source, user });
  const eventsWhen = (source: string, user: string, n: number) => waitFor(() => events(source, user), (r) => r.length >= n);

  it('binds the configured host on free ports', () => {
    expect(rx.tcp_port).toBeGreaterThan(0);
    expect(rx.udp_port).toBeGreaterThan(0);
  });

  it('TCP octet-counted RFC 5424: a Partial publickey + keyboard-interactive connection is one login, even with a pause for the OTP', async () => {
    const line = (ts: string, msg: string) => `<38>1 ${ts} bastion-1 sshd 4121 - - ${msg}`;
    const first = [
      line('2025-03-11T09:33:05.220019+00:00', 'Partial publickey for heidi from 192.0.2.90 port 53112 ssh2: ED25519 SHA256:bWlYc2+6KAQ6VAzVcDDxJwb5nI/2P9nIhLRTFcGBGIU'),
      line('2025-03-11T09:33:05.221870+00:00', 'Postponed keyboard-interactive for heidi from 192.0.2.90 port 53112 ssh2 [preauth]'),
    ];
    const second = [
      line('2025-03-11T09:33:10.688140+00:00', 'Accepted keyboard-interactive/pam for heidi from 192.0.2.90 port 53112 ssh2'),
      line('2025-03-11T09:33:10.701223+00:00', 'pam_unix(sshd:session): session opened for user heidi(uid=1004) by (uid=0)'),
    ];
    // The person types the code for longer than idle_flush_ms: the pending connection must be held, not split.
    await sendTcp(rx.tcp_port as number, [first.map(octet).join(''), second.map(octet).join('')], 900);
    const rows = await eventsWhen('sshd', 'heidi', 1);
    await rx.flush();
    expect(await events('sshd', 'heidi')).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      event_type: 'sshd.accepted', action: 'login', outcome: 'success', auth_method: 'publickey', resource: 'bastion-1',
      src_ip: '192.0.2.90', time: '2025-03-11 09:33:10.688', auth_methods: 'publickey,keyboard-interactive/pam',
    });
    expect(rows[0]?.input_ref).toMatch(/^syslog\/tcp\/127\.0\.0\.1:\d+,\d+,\d+,\d+$/);
  });

  it('TCP LF-framed RFC 3164: password failure then success, year taken from the receipt time', async () => {
    const msgs = [
      '<38>Mar 11 10:05:12 legacy-build-1 sshd[911]: Failed password for bob from 203.0.113.10 port 51100 ssh2',
      '<38>Mar 11 10:05:19 legacy-build-1 sshd[911]: Accepted password for bob from 203.0.113.10 port 51100 ssh2',
      '<38>Mar 11 10:05:19 legacy-build-1 sshd[911]: pam_unix(sshd:session): session opened for user bob by (uid=0)',
    ];
    await sendTcp(rx.tcp_port as number, `${msgs.join('\n')}\n`);
    const rows = await eventsWhen('sshd', 'bob', 2);
    expect(rows.map((r) => [r.event_type, r.outcome, r.auth_method, r.mfa_method, r.resource, r.time])).toEqual([
      ['sshd.failed', 'failure', 'password', 'none', 'legacy-build-1', `${year}-03-11 10:05:12.000`],
      ['sshd.accepted', 'success', 'password', 'none', 'legacy-build-1', `${year}-03-11 10:05:19.000`],
    ]);
  });

  it('UDP RFC 5424 and RFC 3164 (without HOSTNAME: the sender address becomes the host)', async () => {
    await sendUdp(rx.udp_port as number, [
      '<38>1 2025-03-11T14:02:12.441209+00:00 app-1 sshd 1988 - - ROOT LOGIN REFUSED FROM 198.51.100.66 port 41900',
      '<38>Mar 11 11:00:01 sshd[700]: Failed password for invalid user scanner from 198.51.100.77 port 40100 ssh2\n',
    ]);
    const root = await eventsWhen('sshd', 'root', 1);
    expect(root[0]).toMatchObject({ event_type: 'sshd.root_refused', outcome: 'denied', resource: 'app-1', src_ip: '198.51.100.66', time: '2025-03-11 14:02:12.441' });
    const scanner = await eventsWhen('sshd', 'scanner', 1);
    expect(scanner[0]).toMatchObject({ outcome: 'failure', resource: '127.0.0.1', src_ip: '198.51.100.77', reason: 'unknown_user' });
    expect(scanner[0]?.input_ref).toMatch(/^syslog\/udp\/127\.0\.0\.1:\d+$/);
  });

  it('routes PostgreSQL messages (syslog sequence numbers, continuation chunks) to the postgres normalizer', async () => {
    const pg = (seq: string, body: string) => `<134>Mar 11 09:12:30 prod-db-1 postgres[30211]: [${seq}] ${body}`;
    await sendTcp(rx.tcp_port as number, `${[
      pg('1-1', '2025-03-11 09:12:30.412 UTC [30211] [unknown]@[unknown] LOG:  connection received: host=10.20.3.8 port=44718'),
      pg('2-1', '2025-03-11 09:12:30.431 UTC [30211] [unknown]@[unknown] LOG:  connection authenticated: identity="CN=carol" method=cert (/etc/postgresql/16/main/pg_hba.conf:98)'),
      pg('3-1', '2025-03-11 09:12:30.433 UTC [30211] carol@payments LOG:  connection authorized: user=carol database=payments application_name=psql'),
      pg('4-1', '2025-03-11 09:14:51.240 UTC [30211] carol@payments LOG:  AUDIT: SESSION,2,1,ROLE,GRANT,,,"GRANT payments_rw'),
      pg('4-2', '\tTO ""bob@example.com"";",<not logged>'),
    ].map(octet).join('')}`);
    const rows = await eventsWhen('postgres', 'carol', 2);
    expect(rows.map((r) => [r.action, r.resource, r.time])).toEqual([
      ['session_start', 'payments', '2025-03-11 09:12:30.433'],
      ['privilege_change', 'payments', '2025-03-11 09:14:51.240'],
    ]);
    expect(rows[0]?.identity).toBe('CN=carol');
  });

  it('dead-letters garbage, unrouted programs and oversized messages, and keeps serving', async () => {
    await sendTcp(rx.tcp_port as number, [
      'this is not syslog\n',
      '<78>Mar 11 10:00:01 app-1 CRON[123]: (root) CMD (run-parts /etc/cron.hourly)\n',
      `<38>Mar 11 10:00:02 app-1 sshd[1]: ${'A'.repeat(3000)}\n`,
      '<38>1 2025-03-11T17:00:11.509990+00:00 app-1 sshd-session 2211 - - Accepted publickey for deploy from 10.20.5.17 port 39812 ssh2: ED25519 SHA256:Gu7VNaMQ4q8LshqEcGzwRaHBoGWov49t/h9q4gKTBBk\n',
      '<38>1 2025-03-11T17:00:11.520001+00:00 app-1 sshd-session 2211 - - pam_unix(sshd:session): session opened for user deploy(uid=998) by (uid=0)\n',
    ]);
    await sendUdp(rx.udp_port as number, [`<38>Mar 11 10:00:03 app-1 sshd[2]: ${'B'.repeat(3000)}`]);
    const deploy = await eventsWhen('sshd', 'deploy', 1);
    expect(deploy[0]).toMatchObject({ outcome: 'success', resource: 'app-1', auth_method: 'publickey' });
    const dead = await waitFor(
      () => store.query<{ source: string; stage: string; reason: string; raw: string }>('SELECT source, stage, reason, raw FROM dead_letters FINAL ORDER BY reason, raw'),
      (r) => r.length >= 4,
    );
    expect(dead.map((d) => [d.source, d.stage, d.reason])).toEqual([
      ['syslog', 'receiver', 'invalid_syslog'],
      ['syslog', 'receiver', 'message_too_large'],
      ['syslog', 'receiver', 'message_too_large'],
      ['syslog', 'receiver', 'unrouted_program'],
    ]);
    expect(dead[0]?.raw).toBe('this is not syslog');
    expect(dead[3]?.raw).toContain('CRON[123]');
  });

  it('sustains TCP throughput into chDB', async () => {
    const n = 20_000;
    const lines: string[] = [];
    for (let i = 0; i < n; i++) {
      const pid = 100_000 + i;
      const ts = new Date(Date.UTC(2025, 2, 11, 12, 0, 0) + i * 10).toISOString();
      lines.push(octet(`<38>1 ${ts} perf-host sshd ${pid} - - Accepted publickey for perf${i % 50} from 10.1.${i % 250}.1 port ${20000 + (i % 40000)} ssh2: ED25519 SHA256:perf${i}`));
      lines.push(octet(`<38>1 ${ts} perf-host sshd ${pid} - - pam_unix(sshd:session): session opened for user perf${i % 50}(uid=2000) by (uid=0)`));
    }
    const started = performance.now();
    await sendTcp(rx.tcp_port as number, lines.join(''));
    const countSql = "SELECT count() AS n FROM auth_events WHERE source = 'sshd' AND resource = 'perf-host'";
    await waitFor(() => store.query<{ n: string }>(countSql), (r) => Number(r[0]?.n) >= n, 120_000, 50);
    const seconds = (performance.now() - started) / 1000;
    const linesPerSecond = Math.round((2 * n) / seconds);
    process.stderr.write(`[syslog tcp] ${2 * n} lines → ${n} events stored in ${seconds.toFixed(2)} s: ${linesPerSecond} lines/s\n`);
    expect(linesPerSecond).toBeGreaterThan(1000);
    const [final] = await store.query<{ n: string }>("SELECT count() AS n FROM auth_events FINAL WHERE source = 'sshd' AND resource = 'perf-host'");
    expect(Number(final?.n)).toBe(n);
  });
});
