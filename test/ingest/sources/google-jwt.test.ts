import { generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadServiceAccount, signAssertion } from '../../../ingest/sources/google-jwt.ts';
import { SOURCE_ERRORS, SourceError } from '../../../ingest/sources/http.ts';

describe('Google service-account JWT assertion', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const json = JSON.stringify({ type: 'service_account', client_email: 'reader@proj.iam.gserviceaccount.com', private_key_id: 'k1', private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() });

  it('signs header.claims with RS256 and carries iss, scope, aud, sub, iat, exp = iat + 3600', () => {
    const sa = loadServiceAccount(json, 'GOOGLE_SA_KEY');
    const jwt = signAssertion(sa, { scope: 'https://www.googleapis.com/auth/admin.reports.audit.readonly', aud: 'https://oauth2.googleapis.com/token', sub: 'admin@example.com', iat: 1741716000 });
    const [h, p, s] = jwt.split('.') as [string, string, string];
    expect(JSON.parse(Buffer.from(h, 'base64url').toString())).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'k1' });
    expect(JSON.parse(Buffer.from(p, 'base64url').toString())).toEqual({
      iss: 'reader@proj.iam.gserviceaccount.com', scope: 'https://www.googleapis.com/auth/admin.reports.audit.readonly',
      aud: 'https://oauth2.googleapis.com/token', sub: 'admin@example.com', iat: 1741716000, exp: 1741719600,
    });
    expect(verify('RSA-SHA256', Buffer.from(`${h}.${p}`), publicKey, Buffer.from(s, 'base64url'))).toBe(true);
  });

  it('refuses unusable keys without echoing them', () => {
    const bad = (text: string): unknown => {
      try {
        loadServiceAccount(text, 'GOOGLE_SA_KEY');
      } catch (e) {
        return e;
      }
      return undefined;
    };
    const e1 = bad('not json') as SourceError;
    expect(e1).toBeInstanceOf(SourceError);
    expect(e1.code).toBe(SOURCE_ERRORS.credentials);
    const e2 = bad(JSON.stringify({ client_email: 'a@b.com', private_key: '-----BEGIN PRIVATE KEY-----\nsecretgarbage\n-----END PRIVATE KEY-----' })) as SourceError;
    expect(e2.code).toBe(SOURCE_ERRORS.credentials);
    expect(e2.message).not.toContain('secretgarbage');
  });
});
