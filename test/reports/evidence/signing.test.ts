import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fingerprintOfPem, loadOrCreateSigningKey, signBytes, SIGNING_KEY_FILE, verifySignature } from '../../../reports/evidence/signing.ts';

const dir = mkdtempSync(join(tmpdir(), 'ap-signing-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('signing key', () => {
  it('is created on first use in the data directory with mode 0600 and reused afterwards', () => {
    const a = loadOrCreateSigningKey(join(dir, 'data'));
    expect(a.path).toBe(join(dir, 'data', SIGNING_KEY_FILE));
    expect(statSync(a.path).mode & 0o777).toBe(0o600);
    expect(a.warnings).toEqual([]);
    const b = loadOrCreateSigningKey(join(dir, 'data'));
    expect(b.fingerprint).toBe(a.fingerprint);
    expect(a.fingerprint).toBe(fingerprintOfPem(a.publicKeyPem));
  });

  it('can be supplied from the config; a missing, non-Ed25519 or world-readable key is reported', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const path = join(dir, 'configured.pem');
    writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), { mode: 0o600 });
    const k = loadOrCreateSigningKey(join(dir, 'other'), path);
    expect(k.path).toBe(path);
    chmodSync(path, 0o644);
    expect(loadOrCreateSigningKey(join(dir, 'other'), path).warnings[0]).toContain('chmod 600');
    expect(() => loadOrCreateSigningKey(dir, join(dir, 'missing.pem'))).toThrow(/does not exist/);
    const rsa = join(dir, 'rsa.pem');
    writeFileSync(rsa, generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    expect(() => loadOrCreateSigningKey(dir, rsa)).toThrow(/must be Ed25519/);
  });

  it('signs exact bytes: any change to the bytes, the signature or the key fails verification', () => {
    const k = loadOrCreateSigningKey(join(dir, 'data'));
    const bytes = Buffer.from('{"pack":1}\n');
    const sig = signBytes(k, bytes);
    expect(verifySignature(k.publicKeyPem, bytes, sig)).toEqual({ ok: true, fingerprint: k.fingerprint });
    expect(verifySignature(k.publicKeyPem, Buffer.from('{"pack":2}\n'), sig).ok).toBe(false);
    expect(verifySignature(k.publicKeyPem, bytes, `${sig.slice(0, 10)}${sig[10] === 'A' ? 'B' : 'A'}${sig.slice(11)}`).ok).toBe(false);
    expect(verifySignature(k.publicKeyPem, bytes, 'not base64!').error).toBe('signature is not base64');
    const other = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(verifySignature(other, bytes, sig).ok).toBe(false);
    expect(verifySignature('garbage', bytes, sig).error).toBe('public key is not a PEM public key');
  });
});
