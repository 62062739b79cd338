/**
 * Google Workspace Admin SDK Reports `activity` resources of application `login` (formats/google-workspace.md):
 * SAML logins federated through Okta, Google-password logins with 2-Step Verification, failures, warnings.
 */
import { INFRA, type Person } from '../org.ts';
import { ALPHABET, type Rng } from '../prng.ts';
import { isoMs } from '../time-format.ts';
import { secs, type World } from '../world.ts';

type Param = { name: string; value?: string; multiValue?: string[]; boolValue?: boolean; intValue?: string };

function uniqueQualifier(rng: Rng): string {
  const digits = `${rng.int(1, 9)}${rng.chars(18, ALPHABET.digits)}`;
  return rng.chance(0.5) ? `-${digits}` : digits;
}

/** Emits one activity with a single event. */
export function emitGoogle(w: World, rng: Rng, t: number, p: Person, ip: string, type: string, name: string, parameters: Param[]): void {
  w.emit('google', t, {
    kind: 'admin#reports#activity',
    id: { time: isoMs(t), uniqueQualifier: uniqueQualifier(rng), applicationName: 'login', customerId: INFRA.google_customer },
    etag: `"${rng.chars(43, ALPHABET.alnum)}/${rng.chars(27, ALPHABET.alnum)}"`,
    actor: { email: p.email, profileId: p.google_profile_id },
    ipAddress: ip,
    events: [{ type, name, parameters }],
  });
}

/** The 2SV challenge a person answers at Google (their enrolled second step). */
export function googleChallengeOf(p: Person): string | null {
  switch (p.factor) {
    case 'security_key': return 'security_key';
    case 'platform':
    case 'fastpass': return 'passkey';
    case 'push':
    case 'push_number_match': return 'google_prompt';
    case 'totp': return 'google_authenticator';
    case 'sms': return 'idv_preregistered_phone';
    default: return null;
  }
}

/** SAML login (the IdP did the MFA; Google logs challenge method `none`). */
export function googleSamlLogin(w: World, rng: Rng, p: Person, t: number, ip: string): void {
  emitGoogle(w, rng, t, p, ip, 'login', 'login_success', [
    { name: 'login_type', value: 'saml' }, { name: 'login_challenge_method', multiValue: ['none'] }, { name: 'is_suspicious', boolValue: false },
  ]);
}

/** Options of a Google-password login. */
export interface GooglePasswordLogin {
  readonly ip: string;
  /** Override the second step (e.g. `backup_code`); null = password only. */
  readonly challenge?: string | null;
  readonly outcome?: 'success' | 'bad_password' | 'second_factor_failed' | 'disabled';
}

/** Password (+ 2SV) login: `login_verification` for the second step, then success or failure. */
export function googlePasswordLogin(w: World, rng: Rng, p: Person, t0: number, o: GooglePasswordLogin): number {
  const outcome = o.outcome ?? 'success';
  const challenge = o.challenge === undefined ? googleChallengeOf(p) : o.challenge;
  let t = t0;
  if (outcome === 'bad_password' || outcome === 'disabled') {
    emitGoogle(w, rng, t, p, o.ip, 'login', 'login_failure', [
      { name: 'login_type', value: 'google_password' }, { name: 'login_challenge_method', multiValue: ['password'] },
      { name: 'login_failure_type', value: outcome === 'disabled' ? 'login_failure_account_disabled' : 'login_failure_invalid_password' }, { name: 'is_suspicious', boolValue: false },
    ]);
    return t;
  }
  // Passkeys replace the password entirely.
  const methods = challenge === 'passkey' ? ['passkey'] : challenge ? ['password', challenge] : ['password'];
  if (challenge && challenge !== 'passkey') {
    emitGoogle(w, rng, t, p, o.ip, 'login', 'login_verification', [
      { name: 'login_type', value: 'google_password' }, { name: 'login_challenge_method', multiValue: [challenge] },
      { name: 'login_challenge_status', value: outcome === 'second_factor_failed' ? 'failed' : 'passed' }, { name: 'is_second_factor', boolValue: true },
    ]);
    t += secs(rng, 0.2, 0.5);
  }
  if (outcome === 'second_factor_failed') {
    emitGoogle(w, rng, t, p, o.ip, 'login', 'login_failure', [
      { name: 'login_type', value: 'google_password' }, { name: 'login_challenge_method', multiValue: methods },
      { name: 'login_failure_type', value: 'login_failure_invalid_second_factor' }, { name: 'is_suspicious', boolValue: true },
    ]);
    return t;
  }
  emitGoogle(w, rng, t, p, o.ip, 'login', 'login_success', [
    { name: 'login_type', value: 'google_password' }, { name: 'login_challenge_method', multiValue: methods }, { name: 'is_suspicious', boolValue: false },
  ]);
  return t;
}

/** Google's suspicious-login warning about an earlier attempt. */
export function googleSuspicious(w: World, rng: Rng, p: Person, t: number, ip: string, loginAt: number): void {
  emitGoogle(w, rng, t, p, ip, 'account_warning', 'suspicious_login', [
    { name: 'affected_email_address', value: p.email }, { name: 'login_timestamp', intValue: String(loginAt * 1000) },
  ]);
}

/** Logout. */
export function googleLogout(w: World, rng: Rng, p: Person, t: number, ip: string, saml: boolean): void {
  emitGoogle(w, rng, t, p, ip, 'login', 'logout', [{ name: 'login_type', value: saml ? 'saml' : 'google_password' }]);
}
