import type { AuthMethod, MfaEvidence, MfaMethod, Outcome } from '../../../schema/auth-event.ts';
import { isObject, isRealMfa, str } from '../common.ts';

/** login_challenge_method → canonical (formats/README.md). `password`/`none` are not second factors. */
const METHOD_MAP: ReadonlyMap<string, MfaMethod> = new Map<string, MfaMethod>([
  ['none', 'none'], ['password', 'none'],
  ['google_prompt', 'push'], ['internal_two_factor', 'push'],
  // Google does not say whether the phone challenge was a text or a call; sms is the documented mapping.
  ['idv_preregistered_phone', 'sms'], ['idv_any_phone', 'sms'],
  ['google_authenticator', 'totp'], ['offline_otp', 'totp'], ['security_key_otp', 'totp'],
  ['security_key', 'security_key'], ['passkey', 'passkey'],
  ['backup_code', 'bypass'],
  ['login_location', 'unknown'], ['other', 'unknown'],
]);

const STRENGTH: readonly MfaMethod[] = ['passkey', 'security_key', 'totp', 'push', 'sms', 'unknown', 'bypass', 'none'];

/** Event parameters by name: string, list or boolean. */
export type Params = Map<string, string | string[] | boolean>;

function mapMethod(raw: string): MfaMethod {
  return METHOD_MAP.get(raw) ?? 'unknown';
}

/** Parameters typed by which key is present; int64 values arrive as strings or numbers. */
export function paramsOf(ev: Record<string, unknown>): Params | undefined {
  const out: Params = new Map();
  const list = ev.parameters;
  if (list === undefined || list === null) return out;
  if (!Array.isArray(list)) return undefined;
  for (const p of list) {
    if (!isObject(p) || typeof p.name !== 'string') continue;
    if (Array.isArray(p.multiValue)) out.set(p.name, p.multiValue.map((v) => str(v)));
    else if (typeof p.boolValue === 'boolean') out.set(p.name, p.boolValue);
    else if (p.value !== undefined) out.set(p.name, str(p.value));
    else if (p.intValue !== undefined) out.set(p.name, str(p.intValue));
    else if (Array.isArray(p.multiIntValue)) out.set(p.name, p.multiIntValue.map((v) => str(v)));
  }
  return out;
}

/** String parameter, '' when absent or not a string. */
export function pStr(params: Params, name: string): string {
  const v = params.get(name);
  return typeof v === 'string' ? v : '';
}

/** login_challenge_method as a list: `multiValue` per the API, a single `value` from some collectors. */
export function methodsOf(params: Params): string[] {
  const v = params.get('login_challenge_method');
  const list = Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
  return list.map((m) => m.trim().toLowerCase()).filter((m) => m !== '');
}

/** The factor an event proves (or attempted). */
export interface Factor { method: MfaMethod; raw: string; evidence: MfaEvidence }

/**
 * The factor a list of challenges proves. The list on login_success holds every challenge
 * (`["password","security_key"]`), so password and none are removed before choosing.
 */
export function factorOf(methods: readonly string[], loginType: string): Factor {
  const factors = methods.filter((m) => m !== 'password' && m !== 'none');
  if (factors.length === 0) {
    // SAML: the IdP did the authentication; join to its SSO event instead of reading it as "no MFA".
    if (loginType === 'saml') return { method: 'unknown', raw: methods.join(','), evidence: 'external_idp' };
    return { method: 'none', raw: methods.join(','), evidence: 'not_performed' };
  }
  const mapped = factors.map((raw) => ({ raw, method: mapMethod(raw) }));
  let best = mapped[0];
  for (const m of mapped) if (best && STRENGTH.indexOf(m.method) < STRENGTH.indexOf(best.method)) best = m;
  if (!best) return { method: 'unknown', raw: '', evidence: 'unknown' };
  if (isRealMfa(best.method)) return { ...best, evidence: 'performed' };
  return { ...best, evidence: best.method === 'bypass' ? 'not_performed' : 'unknown' };
}

/** First-factor credential of a login from its challenges and login_type. */
export function authMethodOf(methods: readonly string[], loginType: string): AuthMethod {
  if (loginType === 'saml') return 'sso';
  if (methods.includes('password') || loginType === 'google_password') return 'password';
  if (methods.includes('passkey')) return 'publickey';
  return 'unknown';
}

/** login_failure_type → outcome: account/policy refusals are denials, bad credentials failures. */
export function failureOutcome(failureType: string): Outcome {
  switch (failureType) {
    case 'login_failure_account_disabled':
    case 'login_failure_access_code_disallowed':
    case 'login_failure_missing_second_factor':
      return 'denied';
    default:
      return 'failure';
  }
}

/** `Challenge Passed.` (documented) and `passed` (seen in API data) both count; prefix match. */
export function challengeOutcome(status: string): Outcome | undefined {
  const s = status.trim().toLowerCase();
  if (s.startsWith('challenge passed') || s.startsWith('passed')) return 'success';
  if (s.startsWith('challenge failed') || s.startsWith('failed')) return 'failure';
  return undefined;
}
