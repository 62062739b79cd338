import type { AuthMethod, MfaMethod, Outcome } from '../../../schema/auth-event.ts';

/**
 * Entra `authenticationMethod` values → canonical MFA method (formats/README.md, entra-id.md).
 * Keys are case-folded and trimmed. Older generic Graph names are kept so old exports still map.
 */
const METHOD_MAP: ReadonlyMap<string, MfaMethod> = new Map<string, MfaMethod>([
  ['password', 'none'],
  ['text message', 'sms'],
  ['sms', 'sms'],
  ['voice', 'voice'],
  ['oath verification code', 'totp'],
  ['software oath token', 'totp'],
  ['hardware oath token', 'totp'],
  // Number matching is enforced tenant-wide for Authenticator notifications since 2023.
  ['mobile app notification', 'push_number_match'],
  ['authenticator app', 'push_number_match'],
  ['passwordless phone sign-in', 'push_number_match'],
  ['passwordless microsoft authenticator', 'push_number_match'],
  ['fido2 security key', 'security_key'],
  ['windows hello for business', 'webauthn'],
  ['x.509 certificate', 'certificate'],
  ['certificate-based authentication', 'certificate'],
  ['temporary access pass', 'bypass'],
  ['email', 'email'],
  ['email otp', 'email'],
  ['email one-time passcode', 'email'],
  ['previously satisfied', 'unknown'],
  ['satisfied by token', 'unknown'],
  ['other', 'unknown'],
]);

/** Canonical method of one raw Entra value; unmapped values are `unknown`, never a guess. */
export function mapEntraMethod(raw: string): MfaMethod {
  const key = raw.trim().toLowerCase();
  if (key === '') return 'unknown';
  if (key.includes('passkey')) return 'passkey';
  if (key.startsWith('phone call')) return 'voice';
  return METHOD_MAP.get(key) ?? 'unknown';
}

/** True for values that mean "reused an earlier MFA claim" rather than a fresh factor. */
export function isPreviouslySatisfied(raw: string): boolean {
  const key = raw.trim().toLowerCase();
  return key === 'previously satisfied' || key === 'satisfied by token';
}

/**
 * Free text (audit `resultReason`, e.g. "User registered FIDO2 security key") → method.
 * Longest phrase first so "passwordless phone sign-in" does not match as "password".
 */
export function methodFromText(text: string): MfaMethod {
  const t = text.toLowerCase();
  if (t.includes('passkey')) return 'passkey';
  const phrases = [...METHOD_MAP.keys()].filter((k) => k !== 'other' && k !== 'password').sort((a, b) => b.length - a.length);
  for (const p of phrases) if (t.includes(p)) return METHOD_MAP.get(p) ?? 'unknown';
  if (t.includes('phone call')) return 'voice';
  return 'unknown';
}

/** Preference when several factors succeeded: the strongest one is what the sign-in proves. */
const STRENGTH: readonly MfaMethod[] = [
  'passkey', 'security_key', 'smartcard', 'certificate', 'webauthn', 'push_number_match', 'totp', 'push',
  'voice', 'sms', 'email', 'unknown', 'bypass', 'none',
];

/** The strongest method of a non-empty list (deterministic; ties keep the first). */
export function strongest<T extends { method: MfaMethod }>(items: readonly T[]): T | undefined {
  let best: T | undefined;
  for (const it of items) if (!best || STRENGTH.indexOf(it.method) < STRENGTH.indexOf(best.method)) best = it;
  return best;
}

/** First-factor credential type implied by a primary-step method. */
export function authMethodOf(raw: string): AuthMethod {
  const m = mapEntraMethod(raw);
  if (raw.trim().toLowerCase() === 'password') return 'password';
  if (isPreviouslySatisfied(raw)) return 'token';
  if (m === 'certificate') return 'certificate';
  if (m === 'security_key' || m === 'webauthn' || m === 'passkey') return 'publickey';
  return 'unknown';
}

/** Service principal `clientCredentialType` → credential type. */
export function authMethodOfClientCredential(raw: string): AuthMethod {
  switch (raw.trim().toLowerCase()) {
    case 'certificate':
    case 'clientassertion':
      return 'certificate';
    case 'clientsecret':
      return 'access_key';
    case 'federatedidentitycredential':
    case 'managedidentity':
      return 'token';
    default:
      return 'unknown';
  }
}

/**
 * Error codes that interrupt a sign-in flow rather than end it (MFA required, KMSI prompt,
 * registration required, password change required). The same request continues in a later record,
 * so these are dropped, never counted as failures.
 */
export const INTERRUPT_CODES: ReadonlySet<number> = new Set([50072, 50074, 50076, 50079, 50125, 50140]);

/** Codes where a policy, not a bad credential, refused the sign-in. */
const DENIED_CODES: ReadonlySet<number> = new Set([50053, 50057, 50105, 50131]);

/** Codes where the second factor failed (the password step passed). */
export const MFA_FAILURE_CODES: ReadonlySet<number> = new Set([500121]);

/** Outcome of a non-interrupt sign-in error code. */
export function outcomeOfCode(code: number): Outcome {
  if (code === 0) return 'success';
  // 53xxx / 530xxx: Conditional Access and security defaults blocks.
  if (DENIED_CODES.has(code) || (code >= 53000 && code <= 53999) || (code >= 530000 && code <= 530999)) return 'denied';
  return 'failure';
}

/** Built-in authentication strength "Phishing-resistant MFA". */
export const PHISHING_RESISTANT_STRENGTH_ID = '00000000-0000-0000-0000-000000000004';

/** Resource app id of the Windows Azure Service Management API (portal, CLI, ARM). */
export const AZURE_MANAGEMENT_RESOURCE_ID = '797f4846-ba00-4fd7-ba43-dac1f8f63013';
