import type { AuthMethod, MfaEvidence, MfaMethod, UserType } from '../../../schema/auth-event.ts';
import type { AuthLine, MfaLine } from './messages.ts';

/** Key or certificate facts from the `ssh2: <key info>` tail of an Accepted/Partial/Failed publickey line. */
export interface KeyFacts {
  readonly key_type: string;
  readonly key_fingerprint: string;
  readonly cert?: { readonly key_id: string; readonly serial: string; readonly ca_key_type: string; readonly ca_fingerprint: string };
}

// `ED25519-CERT SHA256:<fp> ID <key id> (serial N) CA ED25519 SHA256:<ca fp>`; older sshd omits the key fp.
const CERT_TAIL = /^(.*?) ID (.*) \(serial (\d+)\) CA (\S+) (\S+)$/;

/** Parses the key info tail; `undefined` cert for plain keys. */
export function parseKeyInfo(info: string): KeyFacts {
  const cert = CERT_TAIL.exec(info);
  const head = (cert ? cert[1] : info).trim().split(/\s+/);
  const key_type = head[0] ?? '';
  const key_fingerprint = head[1] ?? '';
  if (!cert) return { key_type, key_fingerprint };
  return { key_type, key_fingerprint, cert: { key_id: cert[2], serial: cert[3], ca_key_type: cert[4], ca_fingerprint: cert[5] } };
}

/** True when a publickey line names a certificate key type but lost its `ID ... CA ...` tail. */
export function isCutCertificate(info: string): boolean {
  return /-CERT\b/.test(info) && !CERT_TAIL.test(info);
}

const SHARED = /^(admin|administrator|ubuntu|ec2-user|centos|debian|fedora|vagrant|pi|oracle|azureuser|opc|core|guest)$/;
const BREAK_GLASS = /break-?glass|emergency/;
const SERVICE = /^(deploy|deployer|ci|jenkins|gitlab-runner|github-runner|ansible|backup|git|svc[-_].+|ci[-_].+|.+[-_](svc|bot|ci|deploy|deployer))$/;

/**
 * user_type of a local account: `root`; `shared` for cloud-image defaults and break-glass accounts;
 * `service` for deploy/CI names; `human` when the actor is an email (certificate key id); otherwise `unknown`
 * (a local login name alone does not say whether a person owns it). Invalid users are `unknown`.
 */
export function userTypeOf(login: string, actor: string, invalid: boolean): UserType {
  if (invalid) return 'unknown';
  const l = login.toLowerCase();
  if (l === 'root') return 'root';
  if (BREAK_GLASS.test(l) || SHARED.test(l)) return 'shared';
  if (SERVICE.test(l)) return 'service';
  if (actor.includes('@')) return 'human';
  return 'unknown';
}

/** AuthMethod of the first factor of a login. */
export function authMethodOf(method: string, isCert: boolean): AuthMethod {
  if (method === 'publickey') return isCert ? 'certificate' : 'publickey';
  if (method === 'password') return 'password';
  // Kerberos: the ticket came from a KDC login (single sign-on).
  if (method.startsWith('gssapi')) return 'sso';
  return 'unknown';
}

/** The MFA columns of one login event. */
export interface MfaFacts {
  readonly mfa_method: MfaMethod;
  readonly mfa_method_raw: string;
  readonly mfa_verified: boolean;
  readonly mfa_evidence: MfaEvidence;
}

/**
 * MFA facts of one Accepted/Failed line. Precedence: a PAM module line (what was actually asked) → a second
 * sshd method without module line (two methods, second unknown) → certificate (MFA, if any, happened at the CA
 * issuer; join on key id) → gssapi (at the KDC) → keyboard-interactive alone (PAM may have asked only a password)
 * → single factor.
 */
export function mfaOf(verdict: AuthLine, partial: AuthLine | null, module: MfaLine | null, isCert: boolean): MfaFacts {
  const success = verdict.verb === 'Accepted';
  if (module) return moduleMfa(module, success);
  if (partial) return { mfa_method: 'unknown', mfa_method_raw: `${partial.method},${verdict.method}`, mfa_verified: false, mfa_evidence: 'unknown' };
  if (isCert) return { mfa_method: 'certificate', mfa_method_raw: 'ssh-cert', mfa_verified: false, mfa_evidence: 'external_idp' };
  if (verdict.method.startsWith('gssapi')) return { mfa_method: 'unknown', mfa_method_raw: verdict.method, mfa_verified: false, mfa_evidence: 'external_idp' };
  if (verdict.method.startsWith('keyboard-interactive')) return { mfa_method: 'unknown', mfa_method_raw: verdict.method, mfa_verified: false, mfa_evidence: 'unknown' };
  return { mfa_method: 'none', mfa_method_raw: verdict.method, mfa_verified: false, mfa_evidence: 'not_performed' };
}

/**
 * google_authenticator is TOTP. Duo Unix does not log which factor it used (`Successful Duo login for 'u'`):
 * the method stays `unknown` (Duo's own auth log names it; join by user, host and time) but the line does
 * prove a second factor succeeded. `Skipped`/`Allowed` = Duo let the user in without a factor.
 */
export function moduleMfa(module: MfaLine, success: boolean): MfaFacts {
  const ok = success && module.result === 'success';
  if (module.result === 'skipped') return { mfa_method: 'none', mfa_method_raw: `${module.module}:skipped`, mfa_verified: false, mfa_evidence: 'not_performed' };
  const method: MfaMethod = module.module === 'pam_google_authenticator' ? 'totp' : 'unknown';
  return { mfa_method: method, mfa_method_raw: module.module, mfa_verified: ok, mfa_evidence: module.result === 'unknown' ? 'unknown' : 'performed' };
}

/** Failure reason of a Failed line. */
export function failureReason(verdict: AuthLine, module: MfaLine | null): string {
  if (verdict.invalid) return 'unknown_user';
  if (module && module.result === 'failure') return 'mfa_failed';
  if (verdict.method === 'password') return 'bad_password';
  if (verdict.method === 'publickey') return 'key_rejected';
  if (verdict.method.startsWith('keyboard-interactive')) return 'pam_auth_failed';
  if (verdict.method === 'none') return 'no_credentials';
  return 'auth_failed';
}
