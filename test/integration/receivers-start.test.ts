import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createContext } from '../../core/context.ts';
import { startServer, type RunningServer } from '../../core/main.ts';
import { sharedPath } from '../helpers/shared.ts';
import { waitFor } from '../helpers/wait-for.ts';

async function freeTcpPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('accessproof start runs the configured receivers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'accessproof-receivers-'));
  let server: RunningServer | undefined;
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts the syslog server and the tailer from the config file and stores what they receive', async () => {
    const tcpPort = await freeTcpPort();
    const udpPort = await freeUdpPort();
    const authLog = join(dir, 'auth.log');
    const sample = readFileSync(sharedPath('samples', 'openssh.log'), 'utf8').split('\n');
    writeFileSync(authLog, `${sample.slice(0, 4).join('\n')}\n`);
    const configPath = join(dir, 'accessproof.yaml');
    writeFileSync(configPath, [
      'receivers:',
      '  syslog:',
      '    host: 127.0.0.1',
      `    tcp_port: ${tcpPort}`,
      `    udp_port: ${udpPort}`,
      '    flush_ms: 50',
      '    idle_flush_ms: 200',
      '  tail:',
      '    - name: bastion-auth',
      `      path: ${authLog}`,
      '      source: sshd',
      '      poll_ms: 100',
      '      idle_flush_ms: 200',
      '',
    ].join('\n'));
    const ctx = createContext({ config: configPath, dataDir: join(dir, 'data') }, { ACCESSPROOF_PORT: '0', LOG_LEVEL: 'silent' });
    server = await startServer(ctx, { demo: false });
    const store = server.store;

    await new Promise<void>((resolve, reject) => {
      const s = connect(tcpPort, '127.0.0.1', () => s.end('<38>1 2025-03-11T14:02:12.441209+00:00 app-1 sshd 1988 - - ROOT LOGIN REFUSED FROM 198.51.100.66 port 41900\n'));
      s.on('error', reject);
      s.on('close', () => resolve());
    });
    const rows = await waitFor(
      () => store.query<{ user: string; action: string; outcome: string; resource: string }>(
        "SELECT user, action, outcome, resource FROM auth_events FINAL WHERE source = 'sshd' ORDER BY event_time"),
      (r) => r.length >= 2,
    );
    expect(rows).toEqual([
      { user: 'alice@example.com', action: 'login', outcome: 'success', resource: 'bastion-1' },
      { user: 'root', action: 'login', outcome: 'denied', resource: 'app-1' },
    ]);
    const batches = await store.query<{ connector: string }>("SELECT DISTINCT connector FROM ingest_batches WHERE source = 'sshd' ORDER BY connector");
    expect(batches.map((b) => b.connector)).toEqual(['syslog', 'tail:bastion-auth']);
    await server.stop();
    server = undefined;
  });
});
