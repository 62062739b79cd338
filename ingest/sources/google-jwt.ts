import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { SOURCE_ERRORS, SourceError } from './http.ts';

/** The fields of a Google service-account JSON key the JWT bearer flow needs. */
export const ServiceAccountKey = z.object({
  client_email: z.string().email(),
  private_key: z.string().includes('PRIVATE KEY'),
  private_key_id: z.string().optional(),
});
export type ServiceAccountKey = z.infer<typeof ServiceAccountKey>;

/** A parsed key with its private key loaded. */
export interface LoadedServiceAccount {
  readonly client_email: string;
  readonly key_id?: string;
  readonly private_key: KeyObject;
}

/** Parses the service-account JSON (from the env var) and loads its RSA key; never echoes the key in errors. */
export function loadServiceAccount(json: string, envName: string): LoadedServiceAccount {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch {
    throw new SourceError(SOURCE_ERRORS.credentials, `${envName} is not a service-account JSON key`, { retriable: false });
  }
  const r = ServiceAccountKey.safeParse(doc);
  if (!r.success) throw new SourceError(SOURCE_ERRORS.credentials, `${envName}: service-account key lacks client_email or private_key`, { retriable: false });
  try {
    return { client_email: r.data.client_email, key_id: r.data.private_key_id, private_key: createPrivateKey(r.data.private_key) };
  } catch {
    throw new SourceError(SOURCE_ERRORS.credentials, `${envName}: private_key is not a readable PEM key`, { retriable: false });
  }
}

/** Claims of the OAuth 2.0 JWT bearer assertion (RFC 7523) Google's token endpoint expects. */
export interface AssertionClaims {
  readonly scope: string;
  /** The token endpoint URL. */
  readonly aud: string;
  /** The admin user impersonated through domain-wide delegation. */
  readonly sub: string;
  /** Issued-at, seconds since the epoch. */
  readonly iat: number;
}

const b64url = (data: string | Buffer): string => Buffer.from(data).toString('base64url');

/** Signs the assertion with RS256 (RSASSA-PKCS1-v1_5 over SHA-256); valid for one hour, Google's maximum. */
export function signAssertion(sa: LoadedServiceAccount, claims: AssertionClaims): string {
  const header = sa.key_id ? { alg: 'RS256', typ: 'JWT', kid: sa.key_id } : { alg: 'RS256', typ: 'JWT' };
  const payload = { iss: sa.client_email, scope: claims.scope, aud: claims.aud, sub: claims.sub, iat: claims.iat, exp: claims.iat + 3600 };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const signature = sign('RSA-SHA256', Buffer.from(input), sa.private_key);
  return `${input}.${b64url(signature)}`;
}
