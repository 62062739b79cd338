import { describe, expect, it } from 'vitest';
import { evidenceOf, parseVerifiedProperties, resolveOktaMfa } from '../../../../ingest/normalizers/okta/mfa.ts';

function oie(displayName: string, methodTypeUsed: string, props?: string): unknown {
  return {
    target: [
      { type: 'User', alternateId: 'x@example.com' },
      { type: 'AuthenticatorEnrollment', displayName, detailEntry: { methodTypeUsed, ...(props === undefined ? {} : { methodUsedVerifiedProperties: props }) } },
    ],
  };
}

describe('okta MFA mapping', () => {
  it('maps Classic factor names case-insensitively (legacy and Factor API spellings)', () => {
    const cases: [string, string][] = [
      ['OKTA_VERIFY_PUSH', 'push'], ['push', 'push'], ['sms', 'sms'], ['SMS_FACTOR', 'sms'], ['call', 'voice'],
      ['email', 'email'], ['token:software:totp', 'totp'], ['token:hotp', 'totp'], ['token:hardware', 'totp'],
      ['token', 'totp'], ['FIDO_WEBAUTHN', 'webauthn'], ['fido_webauthn', 'webauthn'], ['fido_u2f', 'security_key'],
      ['PASSWORD_AS_FACTOR', 'none'], ['question', 'unknown'], ['SOMETHING_NEW', 'unknown'],
    ];
    for (const [factor, method] of cases) expect(resolveOktaMfa({}, { factor }).method, factor).toBe(method);
  });

  it('takes phishing resistance from the table for Classic factors', () => {
    expect(resolveOktaMfa({}, { factor: 'fido_u2f' }).phishing_resistant).toBe(true);
    expect(resolveOktaMfa({}, { factor: 'OKTA_VERIFY_PUSH' }).phishing_resistant).toBe(false);
    // signed_nonce is FastPass: only phishing-resistant when Okta says so.
    expect(resolveOktaMfa({}, { factor: 'signed_nonce' })).toMatchObject({ method: 'webauthn', phishing_resistant: false });
  });

  it('reads Identity Engine authenticator + method and honours Okta’s PHISHING_RESISTANT assertion', () => {
    expect(resolveOktaMfa(oie('Okta Verify', 'Use Okta FastPass', '[DEVICE_BOUND, PHISHING_RESISTANT]'), {}))
      .toMatchObject({ method: 'webauthn', phishing_resistant: true, raw: 'Okta Verify / Use Okta FastPass' });
    expect(resolveOktaMfa(oie('Okta Verify', 'Use Okta FastPass', '[DEVICE_BOUND]'), {}))
      .toMatchObject({ method: 'webauthn', phishing_resistant: false });
    expect(resolveOktaMfa(oie('Okta Verify', 'Use Okta FastPass'), {})).toMatchObject({ phishing_resistant: false });
    expect(resolveOktaMfa(oie('Okta Verify', 'Get a push notification'), {}).method).toBe('push');
    expect(resolveOktaMfa(oie('Okta Verify', 'Enter a code'), {}).method).toBe('totp');
    expect(resolveOktaMfa(oie('Google Authenticator', ''), {}).method).toBe('totp');
    expect(resolveOktaMfa(oie('Security Key or Biometric', ''), {})).toMatchObject({ method: 'webauthn', phishing_resistant: true });
    expect(resolveOktaMfa(oie('Password', 'Password', '[USER_PRESENCE]'), {})).toMatchObject({ method: 'none', auth_method: 'password' });
    // An authenticator name alone that covers several methods says nothing.
    expect(resolveOktaMfa(oie('Phone', ''), {}).method).toBe('unknown');
  });

  it('maps a CERTIFICATE credential and smart-card authenticators to smartcard', () => {
    expect(resolveOktaMfa({ authenticationContext: { credentialType: 'CERTIFICATE' } }, {}))
      .toMatchObject({ method: 'smartcard', phishing_resistant: true, auth_method: 'certificate' });
    expect(resolveOktaMfa(oie('Smart Card Authenticator', ''), {}).method).toBe('smartcard');
  });

  it('marks push as number-matched only when debugData says so', () => {
    expect(resolveOktaMfa({}, { factor: 'OKTA_VERIFY_PUSH', pushWithNumberChallengeResponded: 'true' }).method).toBe('push_number_match');
    expect(resolveOktaMfa({}, { factor: 'OKTA_VERIFY_PUSH', pushWithNumberChallengeResponded: 'false' }).method).toBe('push');
  });

  it('reports no factor when none is logged', () => {
    expect(resolveOktaMfa({ target: null }, {})).toMatchObject({ method: 'unknown', found: false, raw: '' });
  });

  it('counts only a successful real factor as performed', () => {
    expect(evidenceOf('webauthn', 'success')).toBe('performed');
    expect(evidenceOf('webauthn', 'failure')).toBe('not_performed');
    expect(evidenceOf('none', 'success')).toBe('not_performed');
    expect(evidenceOf('bypass', 'success')).toBe('not_performed');
    expect(evidenceOf('unknown', 'success')).toBe('unknown');
  });

  it('parses the bracketed property list', () => {
    expect([...parseVerifiedProperties('[DEVICE_BOUND, PHISHING_RESISTANT, HARDWARE_PROTECTED]')])
      .toEqual(['DEVICE_BOUND', 'PHISHING_RESISTANT', 'HARDWARE_PROTECTED']);
    expect(parseVerifiedProperties('[]').size).toBe(0);
  });
});
