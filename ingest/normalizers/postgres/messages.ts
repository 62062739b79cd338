import type { AuthMethod, MfaEvidence, MfaMethod, Outcome, UserType } from '../../../schema/auth-event.ts';
import type { NormalizerPolicy } from '../normalizer.ts';

/** `connection received: host=10.20.3.8 port=44718` (`host=[local]` for the Unix socket). */
export function parseReceived(msg: string): { host: string; port: string } | null {
  const m = /^connection received: host=(\S+?)(?: port=(\d+))?$/.exec(msg);
  return m ? { host: m[1], port: m[2] ?? '' } : null;
}

/** `connection authenticated: identity="CN=carol" method=cert (/etc/postgresql/16/main/pg_hba.conf:98)`. */
export function parseAuthenticated(msg: string): { identity: string; method: string; hba: string } | null {
  const m = /^connection authenticated: identity="(.*)" method=(\S+)(?: \((.*)\))?$/.exec(msg);
  return m ? { identity: m[1], method: m[2], hba: m[3] ?? '' } : null;
}

/** `[replication ]connection authorized: user=carol database=payments application_name=psql SSL enabled (...)`. */
export function parseAuthorized(msg: string): Record<string, string> | null {
  const m = /^(replication )?connection authorized: (.*)$/.exec(msg);
  if (!m) return null;
  const f: Record<string, string> = { replication: m[1] ? 'true' : 'false' };
  for (const key of ['user', 'database', 'application_name', 'identity']) {
    const v = new RegExp(`(?:^| )${key}=(\\S*)`).exec(m[2]);
    if (v) f[key] = v[1];
  }
  const ssl = /SSL enabled \(protocol=([^,)]+)/.exec(m[2]);
  if (ssl) f.ssl_protocol = ssl[1];
  return f;
}

/** `disconnection: session time: 0:27:31.597 user=carol database=payments host=10.20.3.8 port=44718`. */
export function parseDisconnection(msg: string): { duration: string; user: string; database: string; host: string; port: string } | null {
  const m = /^disconnection: session time: (\S+) user=(\S*) database=(\S*) host=(\S+?)(?: port=(\d+))?$/.exec(msg);
  return m ? { duration: m[1], user: m[2], database: m[3], host: m[4], port: m[5] ?? '' } : null;
}

/** A FATAL that ends a connection attempt for authentication or authorization reasons. */
export interface AuthFailure {
  readonly outcome: Outcome;
  readonly reason: string;
  readonly user: string;
  readonly database: string;
  readonly host: string;
  readonly method: string;
}

/**
 * Classifies authentication FATALs. pg_hba denials (no entry, explicit reject), `NOLOGIN` roles and missing
 * CONNECT privilege are `denied`; wrong credentials and unknown roles/databases are `failure`.
 */
export function parseAuthFailure(msg: string): AuthFailure | null {
  let m = /^no pg_hba\.conf entry for (?:replication connection from )?host "(.*?)", user "(.*?)"(?:, database "(.*?)")?/.exec(msg);
  if (m) return { outcome: 'denied', reason: 'no_hba_entry', host: m[1], user: m[2], database: m[3] ?? '', method: '' };
  m = /^pg_hba\.conf rejects (?:replication )?connection for host "(.*?)", user "(.*?)"(?:, database "(.*?)")?/.exec(msg);
  if (m) return { outcome: 'denied', reason: 'hba_reject', host: m[1], user: m[2], database: m[3] ?? '', method: '' };
  m = /^(\S+(?: \S+)?) authentication failed for user "(.*)"$/.exec(msg);
  if (m) {
    const method = m[1].toLowerCase();
    const reason = method === 'password' ? 'bad_password' : `${method.replace(/[^a-z0-9]+/g, '_')}_auth_failed`;
    return { outcome: 'failure', reason, host: '', user: m[2], database: '', method };
  }
  m = /^role "(.*)" does not exist$/.exec(msg);
  if (m) return { outcome: 'failure', reason: 'unknown_role', host: '', user: m[1], database: '', method: '' };
  m = /^database "(.*)" does not exist$/.exec(msg);
  if (m) return { outcome: 'failure', reason: 'unknown_database', host: '', user: '', database: m[1], method: '' };
  m = /^role "(.*)" is not permitted to log in$/.exec(msg);
  if (m) return { outcome: 'denied', reason: 'login_not_permitted', host: '', user: m[1], database: '', method: '' };
  m = /^permission denied for database "(.*)"$/.exec(msg);
  if (m) return { outcome: 'denied', reason: 'no_connect_privilege', host: '', user: '', database: m[1], method: '' };
  return null;
}

/** `DETAIL:  Connection matched file "<path>" line 102: "<hba line>"` (older: `pg_hba.conf line 102`). */
export function parseHbaDetail(msg: string): string {
  const m = /^Connection matched (?:file "(.*?)" line (\d+)|(pg_hba\.conf) line (\d+)):/.exec(msg);
  return m ? `${m[1] ?? m[3]}:${m[2] ?? m[4]}` : '';
}

/** AuthMethod of a pg_hba method. */
export function authMethodOf(method: string): AuthMethod {
  const m = method.toLowerCase();
  if (m === 'cert' || m === 'certificate') return 'certificate';
  if (['scram-sha-256', 'md5', 'password', 'ldap', 'radius', 'pam', 'bsd'].includes(m)) return 'password';
  if (m === 'gss' || m === 'sspi') return 'sso';
  // peer, ident, trust: the OS user or the network decided; no credential was presented to PostgreSQL.
  return 'unknown';
}

/**
 * MFA facts of a connection: PostgreSQL has no second factor of its own. A client certificate is usually
 * short-lived and issued by an access proxy after its own login (Teleport DB access) → `external_idp`
 * (join to the proxy's db session). Kerberos → `external_idp` (the KDC login). Passwords, peer and trust
 * → `none`. ldap/radius/pam may front an OTP server → `unknown`.
 */
export function mfaOf(method: string): { mfa_method: MfaMethod; mfa_evidence: MfaEvidence } {
  const m = method.toLowerCase();
  if (m === 'cert' || m === 'gss' || m === 'sspi') return { mfa_method: 'unknown', mfa_evidence: 'external_idp' };
  if (['ldap', 'radius', 'pam', 'bsd'].includes(m) || m === '') return { mfa_method: 'unknown', mfa_evidence: 'unknown' };
  return { mfa_method: 'none', mfa_evidence: 'not_performed' };
}

/** The actor of an identity: the CN of a certificate DN, else the identity itself. */
export function actorOfIdentity(identity: string): string {
  const cn = /(?:^|[,/]\s*)CN=([^,/]+)/i.exec(identity);
  return (cn ? cn[1] : identity).trim();
}

const SERVICE = /(^|[_-])(ci|cd|deploy|deployer|svc|service|app|bot|etl|migrat\w*|replicat\w*|backup|monitor\w*)([_-]|$)/i;

/**
 * user_type of a database role: superusers (ctx.policy.db_superusers) are `shared` local accounts; CI/app
 * role names are `service`; a person's certificate identity or email is `human`; otherwise `unknown`.
 */
export function pgUserType(role: string, actor: string, certIdentity: boolean, policy: NormalizerPolicy): UserType {
  if (isSuperuser(role, policy)) return 'shared';
  if (SERVICE.test(role) || SERVICE.test(actor)) return 'service';
  if (certIdentity || actor.includes('@')) return 'human';
  return 'unknown';
}

/** True when the role is a configured superuser. */
export function isSuperuser(role: string, policy: NormalizerPolicy): boolean {
  const r = role.toLowerCase();
  return r !== '' && policy.db_superusers.some((s) => s.toLowerCase() === r);
}
