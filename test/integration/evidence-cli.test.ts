import { spawnSync } from 'node:child_process';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../schema/store/store.ts';
import { runCli } from '../helpers/run-cli.ts';
import { REPO_ROOT } from '../helpers/shared.ts';
import { readZip, writeZip } from '../reports/evidence/zip-tools.ts';

// The CLI as an auditor and an operator use it: controls, evidence, verify (exit codes, messages), and
// replay determinism: two fresh stores filled with the same data give byte-identical packs.

const root = mkdtempSync(join(tmpdir(), 'ap-evidence-cli-'));
const dirA = join(root, 'a');
const dirB = join(root, 'b');
const keyPath = join(root, 'signing-key.pem');
const pubPath = join(root, 'public-key.pem');
const configPath = join(root, 'config.json');
const args = ['evidence', '--framework', 'pci-dss', '--from', '2025-03-11', '--to', '2025-03-11'];

function seed(dir: string): void {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/reports/evidence/seed-data-dir.ts', dir], { cwd: REPO_ROOT, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' } });
  if (r.status !== 0) throw new Error(`seeding ${dir} failed: ${r.stderr}`);
}

beforeAll(() => {
  const { privateKey } = generateKeyPairSync('ed25519');
  writeFileSync(keyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), { mode: 0o600 });
  writeFileSync(pubPath, createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString());
  writeFileSync(configPath, JSON.stringify({ organisation: 'Example Org', evidence: { signing_key_path: keyPath } }));
  seed(dirA);
  seed(dirB);
}, 120_000);

describe('accessproof controls / evidence / verify', () => {
  it('controls lists the catalog, per framework, as text or JSON', async () => {
    const all = await runCli(['controls']);
    expect(all.code).toBe(0);
    for (const id of ['CC6.1', '8.2.2', 'IA-2(1)', 'AC-6(9)', 'A.5.17', '6.5', '164.312(d)']) expect(all.stdout).toContain(id);
    const pci = await runCli(['controls', '--framework', 'pci-dss', '--json']);
    const body = JSON.parse(pci.stdout) as { controls: { id: string; framework: string }[] };
    expect(body.controls.map((c) => c.id)).toEqual(['8.2.2', '8.4.1', '8.4.2', '8.4.3', '8.5.1']);
    const bad = await runCli(['controls', '--framework', 'sox']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown framework "sox"');
  });

  it('two fresh stores with the same data produce byte-identical packs, whatever the time zone', async () => {
    const outA = join(root, 'a.zip');
    const outB = join(root, 'b.zip');
    const a = await runCli([...args, '--out', outA], { ACCESSPROOF_DATA_DIR: dirA, ACCESSPROOF_CONFIG: configPath });
    // The second run is in another time zone: zip timestamps and PDF dates must not depend on it.
    const b = await runCli([...args, '--out', outB], { ACCESSPROOF_DATA_DIR: dirB, ACCESSPROOF_CONFIG: configPath, TZ: 'Pacific/Chatham' });
    expect(a.stderr).toBe('');
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    const summary = JSON.parse(a.stdout) as { pack_id: string; path: string; results: { control_id: string; population: number }[] };
    expect(summary.path).toBe(outA);
    expect(summary.results.find((r) => r.control_id === '8.4.1')?.population).toBe(13);
    expect(readFileSync(outA).equals(readFileSync(outB))).toBe(true);
    const store = await openStore({ mode: 'embedded', path: join(dirA, 'clickhouse'), user: 'default', password: '', database: 'default' });
    try {
      const rows = await store.query<{ principal: string; principal_role: string; action: string; pack_id: string }>('SELECT principal, principal_role, action, pack_id FROM evidence_packs');
      expect(rows).toEqual([{ principal: expect.stringMatching(/^cli:/) as unknown as string, principal_role: 'cli', action: 'generated', pack_id: summary.pack_id }]);
    } finally {
      await store.close();
    }
  });

  it('verify passes an intact pack (exit 0) and fails a changed one naming the file (exit 1)', async () => {
    const pack = join(root, 'a.zip');
    const ok = await runCli(['verify', pack, '--public-key', pubPath]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^PASS {2}signature +manifest.sig: .*the trusted key/m);
    expect(ok.stdout).toMatch(/^VERIFIED: pack [0-9a-f-]{36} is intact/m);
    const tampered = join(root, 'tampered.zip');
    await writeZip(tampered, (await readZip(pack)).map(([k, v]) => [k, k === 'population.csv' ? Buffer.concat([v, Buffer.from('x')]) : v]));
    const bad = await runCli(['verify', tampered, '--public-key', pubPath]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^FAIL {2}hash +population.csv: changed/m);
    expect(bad.stdout).toMatch(/^NOT VERIFIED: .*population.csv/m);
    const json = await runCli(['verify', tampered, '--json']);
    expect(json.code).toBe(1);
    expect((JSON.parse(json.stdout) as { ok: boolean }).ok).toBe(false);
    const wrongKey = join(root, 'wrong.pem');
    writeFileSync(wrongKey, generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString());
    const other = await runCli(['verify', pack, '--public-key', wrongKey]);
    expect(other.code).toBe(1);
    expect(other.stdout).toMatch(/^FAIL {2}signature/m);
  });

  it('rejects bad arguments with exit 2', async () => {
    const env = { ACCESSPROOF_DATA_DIR: dirA, ACCESSPROOF_CONFIG: configPath };
    const r1 = await runCli(['evidence', '--framework', 'soc2', '--from', '2025-03-11', '--to', '2025-03-01', '--out', join(root, 'x.zip')], env);
    expect(r1.code).toBe(2);
    const r2 = await runCli(['evidence', '--framework', 'soc2', '--control', 'CC1.1', '--from', '2025-03-11', '--to', '2025-03-11', '--out', join(root, 'x.zip')], env);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain('unknown control(s) for soc2: cc1.1');
    const r3 = await runCli(['evidence', '--framework', 'soc2', '--sample-size', 'ten', '--from', '2025-03-11', '--to', '2025-03-11', '--out', join(root, 'x.zip')], env);
    expect(r3.code).toBe(2);
  });
});
