import { createHash } from 'node:crypto';
import type { IdentityKind } from '../../schema/session.ts';
import { globMatch } from '../normalizers/common.ts';
import type { CorrelationPolicy } from './policy.ts';

/** What identity resolution reads from an event. */
export interface IdentityInput {
  readonly user: string;
  readonly user_raw: string;
  readonly user_type: string;
  readonly details?: Readonly<Record<string, string>>;
}

/**
 * The answer for one event actor. `subject` is the key sessions and MFA proofs are matched on: the person's
 * email, or the canonical account name of a non-person identity. `rule` names the rule that decided (evidence).
 */
export interface ResolvedIdentity {
  readonly person: string;
  readonly kind: IdentityKind;
  readonly subject: string;
  /** The identity as seen in the event (user_raw, else user). */
  readonly identity: string;
  readonly rule: string;
}

/** Resolves actors and admin-action subjects to people or non-person identities. */
export interface IdentityResolver {
  resolve(e: IdentityInput): ResolvedIdentity;
  /** A bare name (target_user, HR CSV person): the person's email, or '' when it is not a person. */
  personOf(name: string): string;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const IAM_USER_ARN = /^arn:aws[a-z-]*:iam::\d{12}:user\/(?:.*\/)?([^/]+)$/;
const BARE_LOGIN = /^[a-z0-9][a-z0-9._-]*$/i;
/** OS/database/cloud logins that are shared by nature: never mapped to a person by their name. */
const SHARED_LOGINS = new Set([
  'root', 'admin', 'administrator', 'ubuntu', 'ec2-user', 'centos', 'debian', 'deploy', 'postgres', 'rdsadmin',
  'oracle', 'git', 'jenkins', 'ansible', 'azureuser', 'kubernetes-admin', 'guest', 'test', 'user', 'superuser',
]);

function isEmail(s: string): boolean {
  return EMAIL.test(s) && !s.endsWith('.gserviceaccount.com');
}

/** The login name inside an identity (IAM user ARN → user name), or '' when it has none. */
export function loginOf(name: string): string {
  const arn = IAM_USER_ARN.exec(name);
  if (arn) return (arn[1] as string).toLowerCase();
  return BARE_LOGIN.test(name) ? name.toLowerCase() : '';
}

function matchesAny(patterns: readonly string[], names: readonly string[]): string | undefined {
  for (const p of patterns) for (const n of names) if (n !== '' && globMatch(p, n)) return p.toLowerCase();
  return undefined;
}

/** Digest of the profile set (a change widens the next correlation to the sessions it may re-attribute). */
export function profilesDigest(profiles: readonly string[]): string {
  return createHash('sha256').update([...profiles].sort().join('\n')).digest('hex');
}

/**
 * Builds the resolver. `profiles` are the people seen in IdP events (emails). Rules, in order:
 * 1. config aliases (`identities[].aliases`, case-insensitive) map a name to its person;
 * 2. config `break_glass_accounts`, `service_accounts`, `shared_accounts` (globs) classify the account;
 * 3. an alias target is a person; the normalizer's `root` and `service` user types are kept;
 * 4. an email-shaped actor, SSH certificate key id or role session name is the person (SAML/SSO role session
 *    names, Teleport users and assumed-role ARNs ending in an email arrive here as emails);
 * 5. the normalizer's `shared` user type is kept;
 * 6. a bare login (or IAM user name) equal to the local part of exactly one IdP profile is that person,
 *    unless it is a shared login name (root, admin, ubuntu, deploy, postgres, ...);
 * 7. anything else is `unknown` (no person).
 */
export function createIdentityResolver(policy: CorrelationPolicy, profiles: readonly string[]): IdentityResolver {
  const aliases = new Map<string, string>();
  for (const id of policy.identities) {
    aliases.set(id.person.toLowerCase(), id.person.toLowerCase());
    for (const a of id.aliases) aliases.set(a.trim().toLowerCase(), id.person.toLowerCase());
  }
  const listed = [...policy.break_glass_accounts, ...policy.service_accounts, ...policy.shared_accounts];
  const byLocalPart = new Map<string, string | null>();
  for (const p of profiles) {
    const email = p.toLowerCase();
    if (!isEmail(email) || matchesAny(listed, [email])) continue;
    const local = email.slice(0, email.indexOf('@'));
    const prior = byLocalPart.get(local);
    byLocalPart.set(local, prior === undefined || prior === email ? email : null);
  }

  const resolve = (e: IdentityInput): ResolvedIdentity => {
    const identity = e.user_raw !== '' ? e.user_raw : e.user;
    const user = e.user.trim();
    const candidates = [user, e.user_raw.trim(), e.details?.cert_key_id ?? '', e.details?.role_session_name ?? '']
      .filter((s) => s !== '').map((s) => s.toLowerCase());
    const aliased = candidates.map((c) => aliases.get(c)).find((p) => p !== undefined);
    const names = aliased ? [aliased, ...candidates] : candidates;
    const canonical = aliased ?? candidates[0] ?? '';
    const nonPerson = (kind: IdentityKind, rule: string, subject = canonical): ResolvedIdentity => ({ person: '', kind, subject, identity, rule });

    const bg = matchesAny(policy.break_glass_accounts, names);
    if (bg) return nonPerson('break_glass', 'config_break_glass');
    if (matchesAny(policy.service_accounts, names)) return nonPerson('service', 'config_service');
    if (matchesAny(policy.shared_accounts, names)) return nonPerson('shared', 'config_shared');
    if (aliased) return { person: aliased, kind: 'person', subject: aliased, identity, rule: 'config_alias' };
    if (e.user_type === 'root') return nonPerson('root', 'root_account');
    if (e.user_type === 'service') return nonPerson('service', 'service_account');
    const email = candidates.find(isEmail);
    if (email) return { person: email, kind: 'person', subject: email, identity, rule: 'email' };
    if (e.user_type === 'shared') return nonPerson('shared', 'shared_account');
    for (const c of candidates) {
      const login = loginOf(c);
      if (login === '' || SHARED_LOGINS.has(login)) continue;
      const person = byLocalPart.get(login);
      if (person) return { person, kind: 'person', subject: person, identity, rule: 'idp_profile' };
    }
    return nonPerson('unknown', 'unresolved');
  };

  return {
    resolve,
    personOf(name: string): string {
      if (name.trim() === '') return '';
      const r = resolve({ user: name, user_raw: '', user_type: 'unknown' });
      return r.kind === 'person' ? r.person : '';
    },
  };
}
