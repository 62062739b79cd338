import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileConfig } from '../../core/config.ts';
import { buildPack } from '../../reports/evidence/build-pack.ts';
import { loadOrCreateSigningKey } from '../../reports/evidence/signing.ts';
import { verifyPack } from '../../reports/evidence/verify-pack.ts';
import type { Store } from '../../schema/store/store.ts';
import { openTempStore } from '../helpers/temp-store.ts';

// A population of 200,000 sessions (inserted in SQL) produces a pack in bounded memory: the population, exceptions
// and findings are streamed in keyset pages to disk and zipped from disk, so memory does not grow with the rows.

const N = 200_000;

/** N sessions over March 2025: 90% privileged, 5% without MFA (each with a no_mfa finding), 3% exempt. */
const INSERT_SESSIONS = `INSERT INTO sessions
SELECT lower(hex(MD5(toString(number)))) AS session_key, concat('user', toString(number % 5000), '@example.com') AS person,
  concat('user', toString(number % 5000)) AS identity, concat('host-', toString(number % 2000), '.prod') AS resource, 'host', 'prod',
  ['ssh', 'kubernetes', 'database', 'cloud_console', 'cloud_api'][(number % 5) + 1] AS surface, 'gateway',
  toDateTime64('2025-03-01 00:00:00', 3, 'UTC') + toIntervalMillisecond(number * 13000) AS started_at, NULL,
  number % 10 != 1 AS privileged, 'success',
  multiIf(number % 20 = 0, 'none', number % 25 = 0, 'exempt', number % 3 = 0, 'idp_bound', 'direct') AS mfa_binding,
  multiIf(number % 20 = 0 OR number % 25 = 0, 'none', number % 4 = 0, 'webauthn', 'push') AS mfa_method,
  number % 20 != 0 AND number % 25 != 0 AND number % 4 = 0 AS phishing_resistant, '', NULL, if(number % 25 = 0 AND number % 20 != 0, 'X1', ''),
  number % 1000 = 0 AS break_glass, 'person', 'teleport', [concat('evt-', toString(number))], 1, toDateTime64('2025-04-02 00:00:00', 6, 'UTC'), 0
FROM numbers({n:UInt64})`;

const INSERT_FINDINGS = `INSERT INTO findings
SELECT lower(hex(MD5(concat('f', toString(number))))), 'no_mfa', concat('user', toString(number % 5000), '@example.com'), concat('user', toString(number % 5000)),
  concat('host-', toString(number % 2000), '.prod'), 'ssh', lower(hex(MD5(toString(number)))),
  toDateTime64('2025-03-01 00:00:00', 3, 'UTC') + toIntervalMillisecond(number * 13000), [concat('evt-', toString(number))], 'no second factor', true,
  toDateTime64('2025-04-02 00:00:00', 6, 'UTC'), 0
FROM numbers({n:UInt64}) WHERE number % 20 = 0`;

describe(`evidence pack over ${N} sessions`, () => {
  let store: Store;
  let dir: string;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ store, dir, cleanup } = await openTempStore());
    await store.command(INSERT_SESSIONS, { n: N });
    await store.command(INSERT_FINDINGS, { n: N });
  }, 300_000);
  afterAll(async () => { await cleanup(); });

  it('builds in bounded memory and verifies', async () => {
    const [count] = await store.query<{ n: string }>('SELECT count() AS n FROM sessions FINAL');
    expect(Number(count?.n)).toBe(N);
    const key = loadOrCreateSigningKey(dir);
    const file = FileConfig.parse({});
    global.gc?.();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 20);
    const started = Date.now();
    let pack;
    try {
      pack = await buildPack({ framework: 'soc2', from: '2025-03-01', to: '2025-03-31' }, { store, file, key, tool_version: '0.1.0' }, join(dir, 'big.zip'));
    } finally {
      clearInterval(timer);
    }
    const ms = Date.now() - started;
    const growthMb = (peak - baseline) / 1024 / 1024;
    process.stderr.write(`[evidence-scale] ${N} sessions: pack ${(pack.size / 1024 / 1024).toFixed(1)} MiB in ${ms} ms; RSS baseline ${(baseline / 1048576).toFixed(0)} MiB, peak ${(peak / 1048576).toFixed(0)} MiB (+${growthMb.toFixed(0)} MiB)\n`);
    const priv = pack.manifest.results.find((r) => r.test_id === 'privileged_mfa');
    // Privileged: number % 10 != 1 → 180,000. Not covered: % 20 (none, 10,000) or % 25 but not % 20 (exempt, 6,000).
    expect(priv?.population).toBe(180_000);
    expect(priv?.exceptions).toBe(10_000 + 6_000);
    // Every session is on a remote-access surface, so CC6.6 puts all of them in population.csv.
    expect(pack.manifest.row_counts['population.csv']).toBe(N);
    expect(pack.manifest.row_counts['findings.csv']).toBe(10_000);
    // The population's rows alone would take several hundred MiB as JS objects; the build stays far below that.
    expect(growthMb).toBeLessThan(300);
    const verifyStarted = Date.now();
    const v = await verifyPack(pack.path, key.publicKeyPem);
    process.stderr.write(`[evidence-scale] verify ${Date.now() - verifyStarted} ms\n`);
    expect(v.ok).toBe(true);
  }, 600_000);
});
