import type { AuthEvent, MfaMethod, Outcome } from '../../../schema/auth-event.ts';
import { PHISHING_RESISTANT_METHODS, getPath, str } from '../common.ts';
import type { CloudTrailIdentity } from './identity.ts';

/** The MFA columns of an AuthEvent. */
export type MfaFields = Pick<AuthEvent, 'mfa_method' | 'mfa_method_raw' | 'mfa_verified' | 'mfa_evidence' | 'phishing_resistant'>;

/**
 * Method of an AWS MFA device ARN: `…:u2f/…` is a FIDO security key (passkeys register there too),
 * `…:mfa/…` a virtual or hardware TOTP device; anything else is not named.
 */
export function methodFromDeviceArn(arn: string): MfaMethod {
  if (/:u2f\//.test(arn)) return 'security_key';
  if (/:mfa\//.test(arn)) return 'totp';
  return 'unknown';
}

/** Builds the MFA columns; verified only when the event succeeded with a factor performed now. */
export function mfa(method: MfaMethod, raw: string, evidence: MfaFields['mfa_evidence'], outcome: Outcome): MfaFields {
  return {
    mfa_method: method,
    mfa_method_raw: raw,
    mfa_evidence: evidence,
    mfa_verified: outcome === 'success' && evidence === 'performed' && method !== 'none' && method !== 'bypass',
    phishing_resistant: PHISHING_RESISTANT_METHODS.has(method),
  };
}

/** Federated identities authenticate at an IdP; AWS never sees their factor. */
function isExternal(id: CloudTrailIdentity): boolean {
  return id.kind === 'federated';
}

/**
 * MFA of a call made with an existing session or key. `mfaAuthenticated="true"` proves the session was
 * created with MFA (method not named); `"false"` on a federated session means the IdP handled it.
 */
export function sessionMfa(id: CloudTrailIdentity, outcome: Outcome): MfaFields {
  if (id.session_mfa === 'true') return mfa('unknown', 'mfaAuthenticated=true', 'performed', outcome);
  const raw = id.session_mfa === '' ? '' : `mfaAuthenticated=${id.session_mfa}`;
  if (isExternal(id)) return mfa('unknown', raw, 'external_idp', outcome);
  if (id.kind === 'service' || id.user_type === 'service') return mfa('none', raw, 'not_performed', outcome);
  if (id.kind === 'iam_user' || id.kind === 'root') return mfa('none', raw, 'not_performed', outcome);
  return mfa('unknown', raw, 'unknown', outcome);
}

/**
 * MFA of an STS credential request: a `serialNumber` (and the never-logged `tokenCode`) passed with the
 * call means STS checked a code from that device; otherwise the caller's session decides.
 */
export function stsMfa(record: Record<string, unknown>, id: CloudTrailIdentity, outcome: Outcome): MfaFields {
  const serial = str(getPath(record, ['requestParameters', 'serialNumber']));
  const token = getPath(record, ['requestParameters', 'tokenCode']);
  if (serial !== '') return mfa(methodFromDeviceArn(serial), serial, 'performed', outcome);
  if (token !== undefined && token !== null) return mfa('unknown', 'tokenCode', 'performed', outcome);
  return sessionMfa(id, outcome);
}

/** MFA of a console sign-in from additionalEventData.MFAUsed / MFAIdentifier. */
export function consoleMfa(record: Record<string, unknown>, id: CloudTrailIdentity, outcome: Outcome): MfaFields {
  const used = str(getPath(record, ['additionalEventData', 'MFAUsed']));
  const device = str(getPath(record, ['additionalEventData', 'MFAIdentifier']));
  const samlProvider = str(getPath(record, ['additionalEventData', 'SamlProviderArn']));
  if (used.toLowerCase() === 'yes') return mfa(device ? methodFromDeviceArn(device) : 'unknown', device || 'MFAUsed=Yes', 'performed', outcome);
  // NOTE: federated sign-ins always log MFAUsed=No, even when the IdP enforced a phishing-resistant key.
  if (samlProvider !== '' || isExternal(id) || id.kind === 'assumed_role') {
    return mfa('unknown', used ? `MFAUsed=${used}` : '', 'external_idp', outcome);
  }
  if (used.toLowerCase() === 'no') return mfa('none', 'MFAUsed=No', 'not_performed', outcome);
  return mfa('unknown', used, 'unknown', outcome);
}
