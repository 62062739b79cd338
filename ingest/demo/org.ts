/**
 * The demo organisation as data: people (from org-roster.ts) with every vendor-side identifier derived
 * from the seeded PRNG, plus the fixed infrastructure (accounts, tenants, hosts, networks).
 */
import { ALPHABET, type Rng } from './prng.ts';
import { ROSTER, type Factor, type PersonFlags, type Team } from './org-roster.ts';

export type { Factor, Team } from './org-roster.ts';

/** Fixed infrastructure of the demo organisation (all invented; documentation IP ranges only). */
export const INFRA = {
  domain: 'demo.example',
  company: 'Fjordlight Payments',
  aws_account: '444455556666',
  saml_provider: 'Okta',
  okta_org: 'fjordlight.okta.example',
  entra_tenant: '6b0d7c1e-3f2a-4c8d-9e15-7a4b2c9d0e31',
  azure_subscription: 'c2f4a6b8-1d3e-4f50-8a9b-0c1d2e3f4a5c',
  gcp_project: 'fjordlight-prod-7731',
  gcp_org: '918273645501',
  google_customer: 'C04f7q2zx',
  teleport_cluster: 'teleport.demo.example',
  office_ip: '203.0.113.20',
  vpn_ip: '203.0.113.21',
  bastion_ip: '10.40.0.5',
  teleport_db_agent_ip: '10.40.3.8',
  teleport_kube_agent_ip: '10.40.7.14',
  ci_runner_ip: '10.40.5.17',
  backup_ip: '10.40.5.30',
  monitoring_ip: '10.40.6.12',
  /** Sources of hostile traffic (RFC 5737 TEST-NET-2). */
  attacker_ips: ['198.51.100.66', '198.51.100.71', '198.51.100.140', '198.51.100.203'],
} as const;

/** SSH hosts: address, environment and whether Teleport fronts them. */
export const HOSTS: Readonly<Record<string, { addr: string; env: 'prod' | 'staging'; role: string }>> = {
  'bastion-1': { addr: '10.40.0.5', env: 'prod', role: 'bastion' },
  'prod-db-1': { addr: '10.40.1.15', env: 'prod', role: 'db' },
  'prod-db-2': { addr: '10.40.1.16', env: 'prod', role: 'db' },
  'app-1': { addr: '10.40.2.21', env: 'prod', role: 'app' },
  'app-2': { addr: '10.40.2.22', env: 'prod', role: 'app' },
  'app-3': { addr: '10.40.2.23', env: 'prod', role: 'app' },
  'staging-app-1': { addr: '10.41.2.21', env: 'staging', role: 'app' },
  'legacy-build-1': { addr: '10.40.9.4', env: 'prod', role: 'build' },
};

/** One person with all derived vendor identifiers. */
export interface Person {
  readonly key: string;
  readonly email: string;
  readonly given: string;
  readonly family: string;
  readonly display: string;
  readonly team: Team;
  readonly title: string;
  readonly factor: Factor;
  readonly flags: PersonFlags;
  /** Linux login and uid on hosts. */
  readonly login: string;
  readonly uid: number;
  readonly home_ip: string;
  readonly user_agent: string;
  readonly os: 'mac' | 'windows' | 'linux';
  /** First UTC working hour (a Berlin office starts 07–08 UTC, US east coast 13–14 UTC). */
  readonly start_hour: number;
  readonly okta_id: string;
  readonly okta_factor_id: string;
  readonly entra_id: string;
  readonly google_profile_id: string;
  readonly duo_key: string;
  readonly duo_phone: string;
  readonly boundary_user_id: string;
  readonly boundary_account_id: string;
  readonly teleport_roles: readonly string[];
  readonly kube_groups: readonly string[];
  readonly aws_role: string;
  readonly mfa_device_uuid: string;
  readonly mfa_device_name: string;
  readonly mfa_device_type: 'WebAuthn' | 'TOTP';
  readonly ssh_key_fp: string;
  readonly ssh_key_type: 'ED25519' | 'RSA';
  readonly iam_access_key?: string;
  readonly iam_principal_id?: string;
}

const USER_AGENTS = {
  mac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/133.0.0.0 Safari/537.36',
  windows: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/133.0.0.0 Safari/537.36 Edg/133.0.0.0',
  linux: 'Mozilla/5.0 (X11; Linux x86_64; rv:135.0) Gecko/20100101 Firefox/135.0',
} as const;

const TELEPORT_ROLES: Record<Team, readonly string[]> = {
  sre: ['access', 'sre-prod'], dba: ['access', 'dba-prod'], security: ['access', 'auditor', 'security-admin'],
  dev: ['access', 'dev'], contractor: ['access', 'contractor'], business: [], breakglass: ['editor', 'access', 'breakglass-root'],
};
const KUBE_GROUPS: Record<Team, readonly string[]> = {
  sre: ['sre-admins'], dba: ['dba-readers'], security: ['security-admins'], dev: ['developers'],
  contractor: ['contractors'], business: [], breakglass: ['system:masters'],
};
const AWS_ROLES: Record<Team, string> = {
  sre: 'OktaSRE-Admin', dba: 'OktaDBA-PowerUser', security: 'OktaSecurity-Admin', dev: 'OktaDev-ReadOnly',
  contractor: 'OktaContractor-ReadOnly', business: '', breakglass: '',
};

function deriveOs(rng: Rng, team: Team): 'mac' | 'windows' | 'linux' {
  if (team === 'business') return rng.chance(0.7) ? 'windows' : 'mac';
  return rng.weighted([['mac', 6], ['linux', 3], ['windows', 1]] as const);
}

/** Home address: Germany for most, Boston (130–159) for US remote staff, Lisbon (160–189) for contractors. */
function homeIp(team: Team, flags: PersonFlags, idx: number): string {
  if (flags.us_remote) return `192.0.2.${130 + idx}`;
  if (team === 'contractor') return `192.0.2.${160 + (idx % 30)}`;
  return `192.0.2.${10 + idx * 3}`;
}

function derivePerson(rng: Rng, idx: number): Person {
  const r = ROSTER[idx];
  if (!r) throw new Error(`no roster entry ${idx}`);
  const isBreakglass = r.team === 'breakglass';
  const key = isBreakglass ? 'breakglass' : `${r.given}.${r.family}`.toLowerCase();
  const os = isBreakglass ? 'mac' : deriveOs(rng, r.team);
  const login = isBreakglass ? 'breakglass' : r.given.toLowerCase();
  const usesTotpDevice = r.factor === 'totp' || r.factor === 'push' || r.factor === 'sms';
  const start = r.flags.us_remote ? 13 + rng.int(0, 1) : 7 + rng.int(0, 1);
  return {
    key,
    email: `${key}@${INFRA.domain}`,
    given: r.given,
    family: r.family,
    display: isBreakglass ? 'Break Glass Admin' : `${r.given} ${r.family}`,
    team: r.team,
    title: r.title,
    factor: r.factor,
    flags: r.flags,
    login,
    uid: isBreakglass ? 1100 : 1001 + idx,
    home_ip: homeIp(r.team, r.flags, idx),
    user_agent: USER_AGENTS[os],
    os,
    start_hour: start,
    okta_id: `00u${rng.chars(13, ALPHABET.alnum)}4x7x`,
    okta_factor_id: `${r.factor === 'totp' ? 'ost' : r.factor === 'sms' ? 'sms' : 'opf'}${rng.chars(11, ALPHABET.lowerDigits)}`,
    entra_id: rng.uuid(),
    google_profile_id: `1000${rng.chars(17, ALPHABET.digits)}`,
    duo_key: `DU${rng.chars(18, ALPHABET.upperDigits)}`,
    duo_phone: `${r.flags.us_remote ? 'Pixel 8' : rng.pick(['iPhone 15', 'iPhone 14', 'Pixel 8', 'Galaxy S24'])} (+XX XXX XXX ${String(1000 + idx * 37).slice(-4)})`,
    boundary_user_id: `u_${rng.chars(10, ALPHABET.alnum)}`,
    boundary_account_id: `acctoidc_${rng.chars(10, ALPHABET.alnum)}`,
    teleport_roles: TELEPORT_ROLES[r.team],
    kube_groups: KUBE_GROUPS[r.team],
    aws_role: AWS_ROLES[r.team],
    mfa_device_uuid: rng.uuid(),
    mfa_device_name: usesTotpDevice ? `${login}-otp` : `${login}-${r.factor === 'security_key' ? 'yubikey' : 'touchid'}`,
    mfa_device_type: usesTotpDevice ? 'TOTP' : 'WebAuthn',
    ssh_key_fp: `SHA256:${rng.chars(43, ALPHABET.base64)}`,
    ssh_key_type: rng.chance(0.75) ? 'ED25519' : 'RSA',
    ...(r.flags.iam_user
      ? { iam_access_key: `AKIA${rng.chars(16, ALPHABET.base32)}`, iam_principal_id: `AIDA${rng.chars(17, ALPHABET.base32)}` }
      : {}),
  };
}

/** Service identities (CI, backup, monitoring, legacy IAM users) and their credentials. */
export interface ServiceIds {
  readonly ci_iam_key: string;
  readonly ci_iam_principal: string;
  readonly ops_legacy_key: string;
  readonly ops_legacy_principal: string;
  readonly reporting_key: string;
  readonly reporting_principal: string;
  readonly ci_sp_object_id: string;
  readonly ci_sp_app_id: string;
  readonly ci_gcp_key: string;
  readonly ci_boundary_user: string;
  readonly ci_boundary_account: string;
  readonly ci_boundary_auth_method: string;
  readonly ci_bot_instance: string;
  readonly deploy_key_fp: string;
  readonly backup_key_fp: string;
  readonly boundary_oidc_method: string;
  readonly bastion_ca_fp: string;
  readonly root_mfa_serial: string;
  readonly breakglass_root_u2f: string;
  readonly saml_name_qualifier: string;
  readonly okta_aws_app: string;
  readonly teleport_kube_sa_uid: string;
  readonly teleport_kube_jti: string;
}

/** The whole organisation. */
export interface Org {
  readonly people: readonly Person[];
  readonly byKey: ReadonlyMap<string, Person>;
  readonly svc: ServiceIds;
}

/** Builds the organisation; every identifier comes from the given generator. */
export function createOrg(rng: Rng): Org {
  const people = ROSTER.map((_, i) => derivePerson(rng, i));
  const svc: ServiceIds = {
    ci_iam_key: `AKIA${rng.chars(16, ALPHABET.base32)}`,
    ci_iam_principal: `AIDA${rng.chars(17, ALPHABET.base32)}`,
    ops_legacy_key: `AKIA${rng.chars(16, ALPHABET.base32)}`,
    ops_legacy_principal: `AIDA${rng.chars(17, ALPHABET.base32)}`,
    reporting_key: `AKIA${rng.chars(16, ALPHABET.base32)}`,
    reporting_principal: `AIDA${rng.chars(17, ALPHABET.base32)}`,
    ci_sp_object_id: rng.uuid(),
    ci_sp_app_id: rng.uuid(),
    ci_gcp_key: rng.chars(40, ALPHABET.hex),
    ci_boundary_user: `u_${rng.chars(10, ALPHABET.alnum)}`,
    ci_boundary_account: `acctpw_${rng.chars(10, ALPHABET.alnum)}`,
    ci_boundary_auth_method: `ampw_${rng.chars(10, ALPHABET.alnum)}`,
    ci_bot_instance: rng.uuid(),
    deploy_key_fp: `SHA256:${rng.chars(43, ALPHABET.base64)}`,
    backup_key_fp: `SHA256:${rng.chars(43, ALPHABET.base64)}`,
    boundary_oidc_method: `amoidc_${rng.chars(10, ALPHABET.alnum)}`,
    bastion_ca_fp: `SHA256:${rng.chars(43, ALPHABET.base64)}`,
    root_mfa_serial: `arn:aws:iam::${INFRA.aws_account}:mfa/root-account-mfa-device`,
    breakglass_root_u2f: `arn:aws:iam::${INFRA.aws_account}:u2f/root/breakglass-key-1-${rng.chars(26, ALPHABET.base32)}`,
    saml_name_qualifier: `${rng.chars(27, ALPHABET.alnum)}=`,
    okta_aws_app: `exk${rng.chars(17, ALPHABET.alnum)}`,
    teleport_kube_sa_uid: rng.uuid(),
    teleport_kube_jti: rng.uuid(),
  };
  return { people, byKey: new Map(people.map((p) => [p.key, p])), svc };
}

/** The person with a roster key (`first.last` or `breakglass`); throws on a typo in a story. */
export function personOf(org: Org, key: string): Person {
  const p = org.byKey.get(key);
  if (!p) throw new Error(`demo org has no person ${key}`);
  return p;
}
