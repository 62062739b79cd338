/**
 * The invented demo organisation "Fjordlight Payments" (domain demo.example): who works there, what
 * they do and which second factor they carry. Everything here is made up; names and addresses are not
 * the samples' example.com people.
 */

/** Team decides the daily routine. */
export type Team = 'sre' | 'dba' | 'security' | 'dev' | 'contractor' | 'business' | 'breakglass';

/** The person's usual second factor (mapped to each vendor's spelling in org.ts). */
export type Factor =
  | 'security_key' | 'platform' | 'fastpass' | 'push' | 'push_number_match' | 'totp' | 'sms' | 'password';

/** Story hooks: habits and events that make a person part of a finding. */
export interface PersonFlags {
  /** SSHes straight to app hosts with a personal key from authorized_keys (bypasses the gateway). */
  readonly direct_ssh?: readonly string[];
  /** Uses the legacy build host (password, or password + TOTP via PAM). */
  readonly legacy_build?: 'password' | 'totp';
  /** Sometimes uses the static `kubernetes-admin` client certificate (system:masters). */
  readonly cluster_admin_cert?: boolean;
  /** Connects to PostgreSQL as `postgres` from the bastion instead of through Teleport. */
  readonly db_direct?: boolean;
  /** Also uses the shared IAM user `ops-legacy` (console password, static keys). */
  readonly ops_legacy?: boolean;
  /** Has a personal IAM user with a long-lived access key. */
  readonly iam_user?: boolean;
  /** Works from the US east coast (later UTC hours, home IP). */
  readonly us_remote?: boolean;
  /** Leaves the company during the demo window: `slow` keeps working credentials for hours. */
  readonly leaver?: 'slow' | 'fast';
  /** Moves from SRE to sales during the window (group removals, stale cloud sessions). */
  readonly role_change?: boolean;
  /** Target of MFA push-fatigue attacks. */
  readonly push_fatigue?: boolean;
  /** In the on-call rotation (works some weekend hours). */
  readonly on_call?: boolean;
  /** Uses Boundary for database/SSH targets. */
  readonly boundary?: boolean;
  /** Uses GCP (IAP SSH, gcloud). */
  readonly gcp?: boolean;
  /** Uses Azure (portal, run-command). */
  readonly azure?: boolean;
  /** Signs in to Google Workspace with a Google password + 2SV instead of SAML through Okta. */
  readonly google_password?: boolean;
}

/** One roster line. */
export interface RosterEntry {
  readonly given: string;
  readonly family: string;
  readonly team: Team;
  readonly title: string;
  readonly factor: Factor;
  readonly flags: PersonFlags;
}

/** The 40 people of the demo organisation (39 humans + the shared break-glass identity). */
export const ROSTER: readonly RosterEntry[] = [
  // Site reliability engineering: prod admins, mostly hardware security keys.
  { given: 'Amara', family: 'Okoye', team: 'sre', title: 'SRE lead', factor: 'security_key', flags: { on_call: true, gcp: true, azure: true } },
  { given: 'Lukas', family: 'Brandt', team: 'sre', title: 'Senior SRE', factor: 'security_key', flags: { on_call: true, direct_ssh: ['app-1', 'app-2'], cluster_admin_cert: true } },
  { given: 'Priya', family: 'Raman', team: 'sre', title: 'SRE', factor: 'platform', flags: { on_call: true, gcp: true } },
  { given: 'Tomasz', family: 'Nowak', team: 'sre', title: 'SRE', factor: 'totp', flags: { on_call: true, direct_ssh: ['app-1'], ops_legacy: true } },
  { given: 'Sofia', family: 'Marin', team: 'sre', title: 'SRE', factor: 'security_key', flags: { on_call: true, azure: true } },
  { given: 'Kenji', family: 'Watanabe', team: 'sre', title: 'SRE (on-call)', factor: 'push', flags: { on_call: true, push_fatigue: true, us_remote: true } },
  { given: 'Marta', family: 'Kowal', team: 'sre', title: 'SRE, moving to sales engineering', factor: 'push_number_match', flags: { role_change: true } },
  // Database administrators.
  { given: 'Carmen', family: 'Ruiz', team: 'dba', title: 'Lead DBA', factor: 'fastpass', flags: { boundary: true } },
  { given: 'Olu', family: 'Adeyemi', team: 'dba', title: 'DBA', factor: 'platform', flags: {} },
  { given: 'Henrik', family: 'Lund', team: 'dba', title: 'DBA', factor: 'totp', flags: { db_direct: true, ops_legacy: true } },
  // Security / IAM administrators.
  { given: 'Nadia', family: 'Haddad', team: 'security', title: 'Security engineer (IAM admin)', factor: 'security_key', flags: { gcp: true, azure: true } },
  { given: 'Viktor', family: 'Sorensen', team: 'security', title: 'Head of security', factor: 'security_key', flags: { gcp: true, azure: true, google_password: true } },
  // Product engineering.
  { given: 'Ben', family: 'Carter', team: 'dev', title: 'Backend developer', factor: 'push', flags: { legacy_build: 'password' } },
  { given: 'Chloe', family: 'Dubois', team: 'dev', title: 'Backend developer', factor: 'push_number_match', flags: { boundary: true } },
  { given: 'Daniel', family: 'Kim', team: 'dev', title: 'Build engineer', factor: 'totp', flags: { legacy_build: 'totp' } },
  { given: 'Elif', family: 'Yilmaz', team: 'dev', title: 'Frontend developer', factor: 'push', flags: {} },
  { given: 'Farid', family: 'Rahimi', team: 'dev', title: 'Backend developer', factor: 'push', flags: { gcp: true } },
  { given: 'Grace', family: 'Liu', team: 'dev', title: 'Data engineer', factor: 'platform', flags: { boundary: true, gcp: true } },
  { given: 'Hugo', family: 'Martin', team: 'dev', title: 'Backend developer', factor: 'push_number_match', flags: { us_remote: true } },
  { given: 'Isla', family: 'Murphy', team: 'dev', title: 'Mobile developer', factor: 'push', flags: {} },
  { given: 'Jonas', family: 'Weber', team: 'dev', title: 'Platform developer', factor: 'totp', flags: { legacy_build: 'password', azure: true } },
  { given: 'Kavya', family: 'Iyer', team: 'dev', title: 'Backend developer', factor: 'push_number_match', flags: { boundary: true } },
  { given: 'Leo', family: 'Rossi', team: 'dev', title: 'Frontend developer', factor: 'push', flags: {} },
  { given: 'Maya', family: 'Cohen', team: 'dev', title: 'Backend developer', factor: 'push', flags: { push_fatigue: true } },
  { given: 'Noah', family: 'Fischer', team: 'dev', title: 'QA engineer', factor: 'push', flags: {} },
  { given: 'Felix', family: 'Wagner', team: 'dev', title: 'Backend developer (leaving)', factor: 'push', flags: { leaver: 'slow', direct_ssh: ['app-2'], iam_user: true, boundary: true } },
  { given: 'Rosa', family: 'Delgado', team: 'dev', title: 'Backend developer (leaving)', factor: 'push_number_match', flags: { leaver: 'fast' } },
  // External contractors: SMS is all they enrolled.
  { given: 'Rafael', family: 'Costa', team: 'contractor', title: 'Contractor, payments integration', factor: 'sms', flags: { boundary: true, google_password: true } },
  { given: 'Svetlana', family: 'Ivanova', team: 'contractor', title: 'Contractor, QA', factor: 'sms', flags: { google_password: true } },
  { given: 'Tariq', family: 'Aziz', team: 'contractor', title: 'Contractor, data migration (contract ends)', factor: 'sms', flags: { boundary: true, leaver: 'slow', google_password: true, azure: true } },
  { given: 'Uma', family: 'Patel', team: 'contractor', title: 'Contractor, security testing', factor: 'totp', flags: { google_password: true } },
  // Business functions: no infrastructure access, weaker factors.
  { given: 'Wendy', family: 'Park', team: 'business', title: 'Finance controller', factor: 'password', flags: { google_password: true } },
  { given: 'Xavier', family: 'Dupont', team: 'business', title: 'Account executive', factor: 'push', flags: { google_password: true } },
  { given: 'Yara', family: 'Silva', team: 'business', title: 'People operations', factor: 'push', flags: { google_password: true } },
  { given: 'Zoe', family: 'Turner', team: 'business', title: 'Accountant', factor: 'password', flags: { google_password: true } },
  { given: 'Ahmed', family: 'Saleh', team: 'business', title: 'Support agent', factor: 'sms', flags: { google_password: true } },
  { given: 'Beatriz', family: 'Gomez', team: 'business', title: 'Marketing manager', factor: 'push_number_match', flags: { google_password: true } },
  { given: 'Carlos', family: 'Mendes', team: 'business', title: 'Support agent', factor: 'password', flags: { google_password: true } },
  { given: 'Ingrid', family: 'Berg', team: 'business', title: 'Legal counsel', factor: 'platform', flags: { google_password: true } },
  // The shared emergency identity (FIDO2 keys in the safe).
  { given: 'Break', family: 'Glass', team: 'breakglass', title: 'Emergency access account', factor: 'security_key', flags: {} },
];
