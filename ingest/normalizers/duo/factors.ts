import type { MfaEvidence, MfaMethod, Outcome } from '../../../schema/auth-event.ts';
import { isRealMfa, PHISHING_RESISTANT_METHODS } from '../common.ts';

// Duo `factor` values, case-folded with spaces as underscores, so `Duo Push` and `duo_push` meet.
const FACTORS: Readonly<Record<string, MfaMethod>> = {
  duo_push: 'push',
  verified_duo_push: 'push_number_match',
  phone_call: 'voice',
  sms_passcode: 'sms', sms_refresh: 'sms',
  duo_mobile_passcode: 'totp', duo_mobile_passcode_hotp: 'totp', duo_mobile_passcode_totp: 'totp',
  passcode: 'totp', hardware_token: 'totp', yubikey_code: 'totp', digipass_go_7_token: 'totp',
  u2f_token: 'security_key', webauthn_security_key: 'security_key',
  passkey: 'passkey',
  bypass_code: 'bypass',
  remembered_device: 'unknown', trusted_network: 'unknown',
  not_available: 'none',
};

// Success reasons that reuse an earlier verification instead of performing one now.
const PREVIOUSLY_SATISFIED_REASONS = new Set(['remembered_device', 'trusted_network', 'trusted_location']);
const PREVIOUSLY_SATISFIED_FACTORS = new Set(['remembered_device', 'trusted_network']);
// Success reasons where Duo let the user through without any second factor.
const NO_FACTOR_REASONS = new Set(['bypass_user', 'allow_unenrolled_user', 'allow_unenrolled_user_on_trusted_network']);

// Denials decided by policy or device posture (→ denied); every other denial is a failed attempt.
const POLICY_DENIALS = new Set([
  'denied_by_policy', 'user_not_in_permitted_group', 'user_disabled', 'deny_unenrolled_user', 'locked_out',
  'rooted_device', 'no_screen_lock', 'touch_id_disabled', 'no_disk_encryption', 'anonymous_ip', 'out_of_date',
  'no_duo_certificate_present', 'user_provided_invalid_certificate', 'could_not_determine_if_endpoint_was_trusted',
  'invalid_device', 'invalid_management_certificate_collection_state', 'no_referring_hostname_provided',
  'invalid_referring_hostname_provided', 'no_web_referer_match', 'anomalous_push',
]);

/** Case-folds a Duo enum value: `WebAuthn Security Key` → `webauthn_security_key`. */
export function foldDuo(value: string): string {
  return value.trim().toLowerCase().replace(/[\s-]+/g, '_');
}

/** Canonical method of a Duo `factor`; platform WebAuthn authenticators (Touch ID, Windows Hello) → webauthn. */
export function duoFactorMethod(factor: string): MfaMethod {
  const key = foldDuo(factor);
  const known = FACTORS[key];
  if (known) return known;
  if (key.startsWith('webauthn')) return 'webauthn';
  return 'unknown';
}

/** `result` + `reason` → outcome; `fraud` is a failed attempt the user reported. */
export function duoOutcome(result: string, reason: string): Outcome {
  const r = foldDuo(result);
  if (r === 'success') return 'success';
  const why = foldDuo(reason);
  if (r === 'denied' && (POLICY_DENIALS.has(why) || why.endsWith('_restricted') || why.startsWith('endpoint_'))) return 'denied';
  return 'failure';
}

/** The MFA facts of one Duo authentication. */
export interface DuoMfa {
  readonly method: MfaMethod;
  readonly evidence: MfaEvidence;
  readonly verified: boolean;
  readonly phishing_resistant: boolean;
}

/**
 * What the record proves about a second factor. Remembered devices and trusted networks reuse an
 * earlier verification (previously_satisfied); bypass users, unenrolled users and bypass codes are never MFA.
 */
export function duoMfa(factor: string, reason: string, outcome: Outcome): DuoMfa {
  const why = foldDuo(reason);
  let method = duoFactorMethod(factor);
  if (NO_FACTOR_REASONS.has(why) && (method === 'unknown' || method === 'none')) method = 'none';
  const phishing_resistant = PHISHING_RESISTANT_METHODS.has(method);
  const reused = PREVIOUSLY_SATISFIED_FACTORS.has(foldDuo(factor)) || PREVIOUSLY_SATISFIED_REASONS.has(why);
  let evidence: MfaEvidence;
  if (method === 'none' || method === 'bypass' || NO_FACTOR_REASONS.has(why)) evidence = 'not_performed';
  else if (outcome !== 'success') evidence = 'not_performed';
  else if (reused) evidence = 'previously_satisfied';
  else evidence = isRealMfa(method) ? 'performed' : 'unknown';
  return { method, evidence, verified: evidence === 'performed', phishing_resistant };
}
