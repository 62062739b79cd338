import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AppError } from '../../core/errors.ts';

// Ed25519 signing of evidence manifests (node:crypto, no extra dependency). The private key is PKCS#8 PEM, created
// on first use in the data directory with mode 0600, or read from `evidence.signing_key_path` in the config.
// The signature covers the exact bytes of manifest.json; the public key travels in the pack as SPKI PEM, and an
// auditor should compare its fingerprint with the one the organisation published (or pass --public-key to verify).

/** Default file name of the signing key inside the data directory. */
export const SIGNING_KEY_FILE = 'evidence-signing-key.pem';

/** A loaded signing key. */
export interface SigningKey {
  readonly privateKey: KeyObject;
  readonly publicKeyPem: string;
  /** SHA-256 (hex) of the DER-encoded public key: the fingerprint printed by verify and recorded in manifests. */
  readonly fingerprint: string;
  readonly path: string;
  /** Warnings worth logging (e.g. a key file readable by others). */
  readonly warnings: readonly string[];
}

/** Fingerprint of a public key: SHA-256 of its SPKI DER bytes. */
export function publicKeyFingerprint(key: KeyObject): string {
  return createHash('sha256').update(key.export({ type: 'spki', format: 'der' })).digest('hex');
}

function fromPem(pem: string, path: string, warnings: string[]): SigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch (e) {
    throw new AppError('ERR_EVIDENCE_KEY_INVALID', `signing key ${path} is not a PEM private key`, { cause: e });
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new AppError('ERR_EVIDENCE_KEY_INVALID', `signing key ${path} must be Ed25519 (got ${privateKey.asymmetricKeyType ?? 'unknown'})`);
  const pub = createPublicKey(privateKey);
  return { privateKey, publicKeyPem: pub.export({ type: 'spki', format: 'pem' }).toString(), fingerprint: publicKeyFingerprint(pub), path, warnings };
}

/**
 * Loads the signing key: from `configuredPath` when set (it must exist), else `<dataDir>/evidence-signing-key.pem`,
 * created on first use (exclusive create, mode 0600, so two processes never overwrite each other's key).
 */
export function loadOrCreateSigningKey(dataDir: string, configuredPath?: string): SigningKey {
  const warnings: string[] = [];
  if (configuredPath) {
    if (!existsSync(configuredPath)) throw new AppError('ERR_EVIDENCE_KEY_MISSING', `evidence.signing_key_path ${configuredPath} does not exist`);
    if ((statSync(configuredPath).mode & 0o077) !== 0) warnings.push(`signing key ${configuredPath} is readable by group or others; chmod 600 it`);
    return fromPem(readFileSync(configuredPath, 'utf8'), configuredPath, warnings);
  }
  const path = join(dataDir, SIGNING_KEY_FILE);
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    try {
      writeFileSync(path, pem, { mode: 0o600, flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  if ((statSync(path).mode & 0o077) !== 0) warnings.push(`signing key ${path} is readable by group or others; chmod 600 it`);
  return fromPem(readFileSync(path, 'utf8'), path, warnings);
}

/** Fingerprint of a PEM public key, or null when it is not one. */
export function fingerprintOfPem(pem: string): string | null {
  try {
    return publicKeyFingerprint(createPublicKey(pem));
  } catch {
    return null;
  }
}

/** Ed25519 signature of the exact bytes, base64 with a trailing newline (the content of manifest.sig). */
export function signBytes(key: SigningKey, bytes: Buffer): string {
  return `${sign(null, bytes, key.privateKey).toString('base64')}\n`;
}

/** Verifies manifest.sig content against the manifest bytes with a PEM public key; false on any malformation. */
export function verifySignature(publicKeyPem: string, bytes: Buffer, signatureText: string): { ok: boolean; fingerprint?: string; error?: string } {
  let key: KeyObject;
  try {
    key = createPublicKey(publicKeyPem);
  } catch {
    return { ok: false, error: 'public key is not a PEM public key' };
  }
  if (key.asymmetricKeyType !== 'ed25519') return { ok: false, error: `public key is ${key.asymmetricKeyType ?? 'unknown'}, expected ed25519` };
  const fingerprint = publicKeyFingerprint(key);
  const b64 = signatureText.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return { ok: false, fingerprint, error: 'signature is not base64' };
  const sig = Buffer.from(b64, 'base64');
  if (sig.length !== 64) return { ok: false, fingerprint, error: `signature has ${sig.length} bytes, expected 64` };
  return { ok: verify(null, bytes, key, sig), fingerprint };
}
