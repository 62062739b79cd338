import { generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson, sha256Hex } from '../../../reports/evidence/canonical-json.ts';
import { evidenceDigest, Manifest } from '../../../reports/evidence/manifest.ts';
import { verifyPack, type VerifyReport } from '../../../reports/evidence/verify-pack.ts';
import { scenarioPacks, type ScenarioPacks } from './scenario-packs.ts';
import { readZip, writeZip } from './zip-tools.ts';

// Tampering with a pack the way someone editing evidence would: every change is detected by verify, which names
// the file concerned.

let s: ScenarioPacks;
let original: [string, Buffer][];
let trustedKey: string;
let n = 0;

beforeAll(async () => {
  s = await scenarioPacks(['soc2']);
  original = await readZip(s.packs.soc2?.path as string);
  trustedKey = s.key.publicKeyPem;
}, 120_000);
afterAll(async () => { await s?.cleanup(); });

async function verifyEntries(entries: readonly [string, Buffer][], key?: string): Promise<VerifyReport> {
  const path = join(s.dir, `tampered-${n++}.zip`);
  await writeZip(path, entries);
  return verifyPack(path, key);
}

const failedFiles = (r: VerifyReport): string[] => r.checks.filter((c) => !c.ok).map((c) => c.file);
const flip = (b: Buffer, at = Math.floor(b.length / 2)): Buffer => { const c = Buffer.from(b); c[at] = (c[at] as number) ^ 0x01; return c; };

describe('verify', () => {
  it('passes a pack rebuilt entry by entry (the checks do not depend on zip metadata), with and without the trusted key', async () => {
    expect((await verifyEntries(original)).ok).toBe(true);
    const r = await verifyEntries(original, trustedKey);
    expect(r.ok).toBe(true);
    expect(r.checks.find((c) => c.check === 'public key')?.ok).toBe(true);
  });

  it('detects one changed byte in every file and names that file', async () => {
    expect(original.length).toBeGreaterThan(10);
    for (const [name] of original) {
      const r = await verifyEntries(original.map(([k, v]) => [k, k === name ? flip(v) : v]), trustedKey);
      expect(r.ok, name).toBe(false);
      expect(failedFiles(r).some((f) => f.split(' / ').includes(name)), `${name}: ${failedFiles(r).join(', ')}`).toBe(true);
    }
  });

  it('detects a removed file and names it', async () => {
    for (const [name] of original) {
      const r = await verifyEntries(original.filter(([k]) => k !== name), trustedKey);
      expect(r.ok, name).toBe(false);
      expect(failedFiles(r).some((f) => f.split(' / ').includes(name)), `${name}: ${failedFiles(r).join(', ')}`).toBe(true);
    }
  });

  it('detects an added file and names it', async () => {
    for (const extra of ['notes.txt', 'samples/raw/session-00000000000000000000000000000000.jsonl', 'oscal/extra.json']) {
      const r = await verifyEntries([...original, [extra, Buffer.from('{"raw":"x","raw_sha256":"y"}\n')]], trustedKey);
      expect(r.ok).toBe(false);
      expect(r.checks.find((c) => c.file === extra && c.check === 'file set')?.ok).toBe(false);
    }
  });

  it('detects a signature swapped from another pack', async () => {
    const other = await s.build('soc2', 'other', { seed: 'other-seed' });
    const otherSig = (await readZip(other.path)).find(([k]) => k === 'manifest.sig')?.[1] as Buffer;
    const r = await verifyEntries(original.map(([k, v]) => [k, k === 'manifest.sig' ? otherSig : v]));
    expect(r.ok).toBe(false);
    expect(r.checks.find((c) => c.check === 'signature')?.ok).toBe(false);
  });

  it('detects a swapped public key', async () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    const pem = Buffer.from(publicKey.export({ type: 'spki', format: 'pem' }).toString());
    const r = await verifyEntries(original.map(([k, v]) => [k, k === 'public-key.pem' ? pem : v]));
    expect(r.ok).toBe(false);
    expect(failedFiles(r)).toContain('public-key.pem');
    expect(r.checks.find((c) => c.check === 'signature')?.ok).toBe(false);
  });

  it('an attacker who edits a file and re-signs everything with their own key is caught by the trusted key', async () => {
    const entries = new Map(original);
    const population = Buffer.from((entries.get('population.csv') as Buffer).toString('utf8').replace(',none,none,', ',direct,totp,'));
    entries.set('population.csv', population);
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const pem = Buffer.from(publicKey.export({ type: 'spki', format: 'pem' }).toString());
    entries.set('public-key.pem', pem);
    const m = Manifest.parse(JSON.parse((entries.get('manifest.json') as Buffer).toString('utf8')));
    const files = m.files.map((f) => (entries.has(f.path) ? { ...f, size: (entries.get(f.path) as Buffer).length, sha256: sha256Hex(entries.get(f.path) as Buffer) } : f));
    const forged = Buffer.from(canonicalJson({ ...m, files, evidence_digest: evidenceDigest(files) }));
    entries.set('manifest.json', forged);
    entries.set('manifest.sig', Buffer.from(`${sign(null, forged, privateKey).toString('base64')}\n`));
    const forgedEntries = [...entries.entries()];
    // Internally consistent: only the organisation's published key tells the forgery apart.
    expect((await verifyEntries(forgedEntries)).ok).toBe(true);
    const r = await verifyEntries(forgedEntries, trustedKey);
    expect(r.ok).toBe(false);
    expect(r.checks.find((c) => c.check === 'signature')?.ok).toBe(false);
    expect(r.checks.find((c) => c.check === 'public key')?.ok).toBe(false);
  });

  it('detects a byte flipped inside the archive itself', async () => {
    const bytes = readFileSync(s.packs.soc2?.path as string);
    const path = join(s.dir, 'corrupt.zip');
    writeFileSync(path, flip(bytes, Math.floor(bytes.length / 3)));
    expect((await verifyPack(path, trustedKey)).ok).toBe(false);
  });

  it('reports a missing or unreadable archive as a failure, not an exception', async () => {
    const r = await verifyPack(join(s.dir, 'nope.zip'));
    expect(r.ok).toBe(false);
    expect(r.checks[0]?.check).toBe('zip');
  });
});
