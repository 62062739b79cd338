import type { AuthMethod, MfaEvidence, MfaMethod, Outcome } from '../../../schema/auth-event.ts';
import { getPath, isObject, isRealMfa, PHISHING_RESISTANT_METHODS, str } from '../common.ts';

/** The factor an Okta event names, in canonical terms. */
export interface OktaMfa {
  readonly method: MfaMethod;
  /** Vendor value(s) as logged, for auditing the mapping (`Okta Verify / Use Okta FastPass`). */
  readonly raw: string;
  readonly phishing_resistant: boolean;
  /** Set when the factor is really the primary credential (password). */
  readonly auth_method?: AuthMethod;
  /** False when the event names no factor at all. */
  readonly found: boolean;
}

const NO_MFA: OktaMfa = { method: 'unknown', raw: '', phishing_resistant: false, found: false };

// Classic `debugData.factor` / Factor API `factorType` values, case-folded. Upper-case legacy names and
// Factor-API names both occur (okta.md "Pitfalls").
const CLASSIC_FACTORS: Readonly<Record<string, MfaMethod>> = {
  push: 'push', okta_verify_push: 'push',
  sms: 'sms', sms_factor: 'sms',
  call: 'voice', call_factor: 'voice',
  email: 'email', email_factor: 'email',
  token: 'totp', 'token:software:totp': 'totp', 'token:hotp': 'totp', 'token:hardware': 'totp',
  okta_soft_token: 'totp', okta_verify_totp: 'totp', google_authenticator: 'totp',
  rsa_securid: 'totp', symantec_vip: 'totp', yubikey_token: 'totp',
  fido_webauthn: 'webauthn', webauthn: 'webauthn',
  fido_u2f: 'security_key', u2f: 'security_key',
  signed_nonce: 'webauthn',
  password_as_factor: 'none', password: 'none',
  question: 'unknown', security_question: 'unknown',
};

// Identity Engine `detailEntry.methodTypeUsed` (what the user did), case-folded.
const OIE_METHODS: Readonly<Record<string, MfaMethod>> = {
  'get a push notification': 'push', push: 'push',
  'use okta fastpass': 'webauthn', signed_nonce: 'webauthn',
  'enter a code': 'totp', totp: 'totp', otp: 'totp',
  password: 'none',
  sms: 'sms', 'receive a code via sms': 'sms',
  voice: 'voice', 'voice call': 'voice', 'receive a voice call': 'voice',
  email: 'email', 'email magic link': 'email',
  'security key or biometric': 'webauthn', 'security key or biometric authenticator': 'webauthn', webauthn: 'webauthn',
  'smart card': 'smartcard', 'security question': 'unknown',
};

// Identity Engine authenticator names (`AuthenticatorEnrollment.displayName`), used when the method is absent.
// `Okta Verify` and `Phone` are deliberately absent: they cover several methods and say nothing alone.
const OIE_AUTHENTICATORS: Readonly<Record<string, MfaMethod>> = {
  password: 'none',
  'google authenticator': 'totp', 'rsa securid': 'totp', 'symantec vip': 'totp', yubikey: 'totp', 'on-prem mfa': 'totp',
  'security key or biometric': 'webauthn', email: 'email',
  'smart card authenticator': 'smartcard', 'smart card': 'smartcard', 'piv / cac': 'smartcard',
  'security question': 'unknown',
};

// `authenticationContext.credentialType`, only consulted when no factor is named.
const CREDENTIAL_TYPES: Readonly<Record<string, MfaMethod>> = {
  certificate: 'smartcard', sms: 'sms', otp: 'totp', email: 'email', password: 'none',
};

const FASTPASS = new Set(['use okta fastpass', 'signed_nonce']);

function fold(s: string): string {
  return s.trim().toLowerCase();
}

/** Parses Okta's bracketed property list `[DEVICE_BOUND, PHISHING_RESISTANT]` into upper-case names. */
export function parseVerifiedProperties(value: string): Set<string> {
  const inner = value.trim().replace(/^\[/, '').replace(/\]$/, '');
  return new Set(inner.split(',').map((p) => p.trim().toUpperCase()).filter((p) => p !== ''));
}

/** `debugData` as a string map; Okta documents it as unstable, so anything but an object is treated as empty. */
export function debugDataOf(rec: unknown): Record<string, string> {
  const dd = getPath(rec, ['debugContext', 'debugData']);
  const out: Record<string, string> = {};
  if (!isObject(dd)) return out;
  for (const [k, v] of Object.entries(dd)) {
    const s = str(v);
    if (s !== '') out[k] = s;
  }
  return out;
}

/** Targets of the event (`target` may be null or contain junk). */
export function targetsOf(rec: unknown): Record<string, unknown>[] {
  const t = getPath(rec, ['target']);
  return Array.isArray(t) ? t.filter(isObject) : [];
}

function phishingResistant(method: MfaMethod, fastPass: boolean, props: string): boolean {
  // Okta's own assertion wins when it is logged (formats/README rule 3).
  if (props !== '') return parseVerifiedProperties(props).has('PHISHING_RESISTANT');
  // FastPass without the assertion may be a non-device-bound enrollment.
  if (fastPass) return false;
  return PHISHING_RESISTANT_METHODS.has(method);
}

function withNumberChallenge(method: MfaMethod, debug: Record<string, string>): MfaMethod {
  // NOTE: the debugData key for Okta Verify number challenge is not documented (okta.md: "verify");
  // accept any key naming it with a "true" value, never infer it from anything else.
  if (method !== 'push') return method;
  const hit = Object.entries(debug).some(([k, v]) => /number_?challenge/i.test(k) && v.toLowerCase() === 'true');
  return hit ? 'push_number_match' : method;
}

function fromAuthenticator(t: Record<string, unknown>, debug: Record<string, string>): OktaMfa {
  const name = str(t.displayName);
  const methodUsed = str(getPath(t, ['detailEntry', 'methodTypeUsed']));
  const props = str(getPath(t, ['detailEntry', 'methodUsedVerifiedProperties']));
  const raw = [name, methodUsed].filter((s) => s !== '').join(' / ');
  let method: MfaMethod = OIE_METHODS[fold(methodUsed)] ?? OIE_AUTHENTICATORS[fold(name)] ?? 'unknown';
  if (method === 'unknown' && /smart ?card|piv/i.test(name)) method = 'smartcard';
  method = withNumberChallenge(method, debug);
  const fastPass = FASTPASS.has(fold(methodUsed));
  return {
    method,
    raw,
    phishing_resistant: phishingResistant(method, fastPass, props),
    found: true,
    ...(method === 'none' ? { auth_method: 'password' as const } : {}),
  };
}

/**
 * Finds the factor of an Okta event: Identity Engine `AuthenticatorEnrollment` target first, then Classic
 * `debugData.factor`/`factorType`, then `authenticationContext.credentialType` (CERTIFICATE → smartcard).
 */
export function resolveOktaMfa(rec: unknown, debug: Record<string, string>): OktaMfa {
  const enrollment = targetsOf(rec).find((t) => str(t.type) === 'AuthenticatorEnrollment');
  if (enrollment) return fromAuthenticator(enrollment, debug);
  const factor = debug.factor ?? debug.factorType ?? '';
  if (factor !== '') {
    const key = fold(factor);
    const method = withNumberChallenge(CLASSIC_FACTORS[key] ?? 'unknown', debug);
    return {
      method,
      raw: factor,
      phishing_resistant: phishingResistant(method, FASTPASS.has(key), ''),
      found: true,
      ...(method === 'none' ? { auth_method: 'password' as const } : {}),
    };
  }
  const cred = str(getPath(rec, ['authenticationContext', 'credentialType']));
  const fromCred = CREDENTIAL_TYPES[fold(cred)];
  if (fromCred) {
    return {
      method: fromCred,
      raw: cred,
      phishing_resistant: PHISHING_RESISTANT_METHODS.has(fromCred),
      found: true,
      ...(fromCred === 'none' ? { auth_method: 'password' as const } : fromCred === 'smartcard' ? { auth_method: 'certificate' as const } : {}),
    };
  }
  return NO_MFA;
}

/** Evidence of a factor-verification event: only a successful real factor counts as performed. */
export function evidenceOf(method: MfaMethod, outcome: Outcome): MfaEvidence {
  if (method === 'none' || method === 'bypass') return 'not_performed';
  if (outcome !== 'success') return 'not_performed';
  return isRealMfa(method) ? 'performed' : 'unknown';
}
