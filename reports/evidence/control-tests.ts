import type { PopulationRow, SessionFacts } from './rows.ts';

// The tests that evidence controls. A session test is a population (a filter on `sessions`) and a pass rule, each
// stated twice: as SQL (printed in queries.sql and run to reconcile the counts) and as code (applied while the
// population is streamed into the CSVs). The pack builder checks both give the same counts, or fails.
// NOTE: the SQL fragments are constants; no user input is ever interpolated into them.

/** Every test id, in report order. */
export const TEST_IDS = [
  'privileged_mfa', 'nonprivileged_mfa', 'all_access_mfa', 'remote_access_mfa', 'external_app_mfa',
  'phishing_resistant_mfa', 'separate_device_mfa', 'shared_accounts', 'bypass_findings', 'credential_findings',
  'privileged_activity_logged', 'break_glass_review', 'revocation_timeliness',
] as const;
export type TestId = (typeof TEST_IDS)[number];

/** Bindings that count as MFA-covered (README "MFA binding"). */
export const COVERED_BINDINGS = ['direct', 'idp_bound'] as const;
/** Surfaces reached over the network from outside the resource (remote access). */
export const REMOTE_SURFACES = ['ssh', 'rdp', 'kubernetes', 'database', 'cloud_console', 'cloud_api'] as const;
/** Surfaces that are applications exposed to the internet (apps, the IdP's admin console, cloud consoles). */
export const EXTERNAL_APP_SURFACES = ['app', 'idp_admin', 'cloud_console'] as const;
/** Factor methods whose authenticator lives on a device separate from the one gaining access. */
export const SEPARATE_DEVICE_METHODS = ['push', 'push_number_match', 'totp', 'sms', 'voice', 'security_key', 'smartcard'] as const;
/** Every bypass finding kind (schema/finding.ts). */
export const BYPASS_KINDS = ['direct_ssh_key', 'shared_account', 'local_cloud_user', 'root_account', 'direct_db_superuser', 'static_credential', 'post_revocation_access', 'no_mfa'] as const;
/** Findings about how a person authenticated (keys, local users, root, long-lived credentials). */
export const CREDENTIAL_KINDS = ['direct_ssh_key', 'local_cloud_user', 'root_account', 'static_credential'] as const;

/** Context a disposition needs beyond the session itself. */
export interface DispositionContext {
  readonly generated_at_ms: number;
  readonly break_glass_review_days: number;
}

/** How an exception is dispositioned (exceptions.csv `disposition`). */
export type Disposition = 'exemption' | 'open_finding' | 'noted' | 'review_pending' | 'review_overdue' | 'no_evidence' | 'over_sla' | 'unresolved';

/** A session test. */
export interface SessionTest {
  readonly kind: 'session';
  readonly id: TestId;
  readonly title: string;
  /** The population in words (printed in the report). */
  readonly population: string;
  /** The pass rule in words. */
  readonly pass: string;
  /** WHERE fragment over `sessions` selecting the population (in addition to the period). */
  readonly population_sql: string;
  /** Boolean SQL expression over `sessions`: the session passes. */
  readonly pass_sql: string;
  /** Finding kinds this test cites (findings without a session are listed as extra exceptions). */
  readonly finding_kinds: readonly string[];
  /** Whether sessionless findings of `finding_kinds` are exceptions of this test. */
  readonly sessionless_findings: boolean;
  inPopulation(s: PopulationRow): boolean;
  passes(s: PopulationRow, f: SessionFacts): boolean;
  disposition(s: PopulationRow, f: SessionFacts, ctx: DispositionContext): { disposition: Disposition; detail: string };
}

/** The revocation test (population: revocation episodes). */
export interface RevocationTest {
  readonly kind: 'revocation';
  readonly id: 'revocation_timeliness';
  readonly title: string;
  readonly population: string;
  readonly pass: string;
  readonly finding_kinds: readonly string[];
}

export type ControlTest = SessionTest | RevocationTest;

const q = (xs: readonly string[]): string => xs.map((x) => `'${x}'`).join(', ');
const COVERED_SQL = `mfa_binding IN (${q(COVERED_BINDINGS)})`;
const isCovered = (s: PopulationRow): boolean => (COVERED_BINDINGS as readonly string[]).includes(s.mfa_binding);
// NOTE: like the metrics engine, MFA populations are the sessions of people and shared accounts: service
// identities cannot present a second factor and are governed by other controls.
const HUMAN_SQL = "identity_kind != 'service'";
const human = (s: PopulationRow): boolean => s.identity_kind !== 'service';
const P = 'that started in the period';

/** Exempt → the exemption; otherwise the session's findings; otherwise unresolved (no finding recorded). */
function mfaDisposition(s: PopulationRow, f: SessionFacts): { disposition: Disposition; detail: string } {
  if (s.mfa_binding === 'exempt') {
    const x = f.exemption;
    return { disposition: 'exemption', detail: x ? `exemption ${x.exemption_id} approved by ${x.approver} until ${x.expires_at}` : `exemption ${s.exemption_id} (not found in exemptions)` };
  }
  if (f.findings.length) return { disposition: 'open_finding', detail: `binding ${s.mfa_binding}; finding ${f.findings.map((x) => x.kind).join(', ')}` };
  return { disposition: 'unresolved', detail: `binding ${s.mfa_binding}; no finding recorded` };
}

function findingDisposition(kinds: readonly string[]) {
  return (_s: PopulationRow, f: SessionFacts): { disposition: Disposition; detail: string } => {
    const hit = f.findings.filter((x) => kinds.includes(x.kind));
    return { disposition: 'open_finding', detail: `finding ${hit.map((x) => x.kind).join(', ')}` };
  };
}

function mfaTest(id: TestId, title: string, population: string, population_sql: string, inPopulation: (s: PopulationRow) => boolean): SessionTest {
  return {
    kind: 'session', id, title, population, population_sql, inPopulation,
    pass: 'the session is bound to a successful second factor of the same person (binding direct or idp_bound)',
    pass_sql: COVERED_SQL,
    finding_kinds: [],
    sessionless_findings: false,
    passes: isCovered,
    disposition: mfaDisposition,
  };
}

function findingTest(id: TestId, title: string, population: string, population_sql: string, inPopulation: (s: PopulationRow) => boolean, kinds: readonly string[], sessionless: boolean): SessionTest {
  return {
    kind: 'session', id, title, population, population_sql, inPopulation,
    pass: `no finding of kind ${kinds.join(', ')} is tied to the session`,
    pass_sql: `session_key NOT IN (SELECT session_key FROM findings FINAL WHERE kind IN (${q(kinds)}) AND session_key != '')`,
    finding_kinds: kinds,
    sessionless_findings: sessionless,
    passes: (_s, f) => !f.findings.some((x) => kinds.includes(x.kind)),
    disposition: findingDisposition(kinds),
  };
}

const inList = (xs: readonly string[]) => (v: string): boolean => xs.includes(v);
const remote = inList(REMOTE_SURFACES);
const external = inList(EXTERNAL_APP_SURFACES);
const separate = inList(SEPARATE_DEVICE_METHODS);

/** The tests by id. */
export const CONTROL_TESTS: Readonly<Record<TestId, ControlTest>> = {
  privileged_mfa: mfaTest('privileged_mfa', 'MFA on privileged sessions', `every privileged session of a person or shared account ${P}`, `privileged AND ${HUMAN_SQL}`, (s) => s.privileged && human(s)),
  nonprivileged_mfa: mfaTest('nonprivileged_mfa', 'MFA on non-privileged sessions', `every non-privileged session of a person or shared account ${P}`, `NOT privileged AND ${HUMAN_SQL}`, (s) => !s.privileged && human(s)),
  all_access_mfa: mfaTest('all_access_mfa', 'MFA on all sessions', `every session (privileged or not) of a person or shared account ${P}`, HUMAN_SQL, human),
  remote_access_mfa: mfaTest('remote_access_mfa', 'MFA on remote access', `every session of a person or shared account on a remote-access surface (${REMOTE_SURFACES.join(', ')}) ${P}`,
    `${HUMAN_SQL} AND surface IN (${q(REMOTE_SURFACES)})`, (s) => human(s) && remote(s.surface)),
  external_app_mfa: mfaTest('external_app_mfa', 'MFA on externally exposed applications', `every session of a person or shared account on ${EXTERNAL_APP_SURFACES.join(', ')} surfaces ${P}`,
    `${HUMAN_SQL} AND surface IN (${q(EXTERNAL_APP_SURFACES)})`, (s) => human(s) && external(s.surface)),
  phishing_resistant_mfa: {
    kind: 'session', id: 'phishing_resistant_mfa', title: 'Phishing-resistant factors on privileged sessions',
    population: `every MFA-covered privileged session of a person or shared account ${P}`,
    pass: 'the factor that proved the session is phishing-resistant (WebAuthn/FIDO2, security key, passkey, smart card, certificate)',
    population_sql: `privileged AND ${HUMAN_SQL} AND ${COVERED_SQL}`, pass_sql: 'phishing_resistant',
    finding_kinds: [], sessionless_findings: false,
    inPopulation: (s) => s.privileged && human(s) && isCovered(s),
    passes: (s) => s.phishing_resistant,
    disposition: (s) => ({ disposition: 'noted', detail: `factor ${s.mfa_method} is not phishing-resistant` }),
  },
  separate_device_mfa: {
    kind: 'session', id: 'separate_device_mfa', title: 'Factor on a separate device',
    population: `every MFA-covered privileged session of a person or shared account ${P}`,
    pass: `the factor method lives on a separate device (${SEPARATE_DEVICE_METHODS.join(', ')})`,
    population_sql: `privileged AND ${HUMAN_SQL} AND ${COVERED_SQL}`, pass_sql: `mfa_method IN (${q(SEPARATE_DEVICE_METHODS)})`,
    finding_kinds: [], sessionless_findings: false,
    inPopulation: (s) => s.privileged && human(s) && isCovered(s),
    passes: (s) => separate(s.mfa_method),
    disposition: (s) => ({ disposition: 'noted', detail: `factor ${s.mfa_method}: device not shown to be separate` }),
  },
  shared_accounts: findingTest('shared_accounts', 'Shared and break-glass accounts attributed to a person',
    `every session made with an account declared shared or break-glass ${P}`,
    "identity_kind IN ('shared', 'break_glass')", (s) => s.identity_kind === 'shared' || s.identity_kind === 'break_glass', ['shared_account'], false),
  bypass_findings: findingTest('bypass_findings', 'No MFA bypass on privileged sessions', `every privileged session of a person or shared account ${P}`,
    `privileged AND ${HUMAN_SQL}`, (s) => s.privileged && human(s), BYPASS_KINDS, true),
  credential_findings: findingTest('credential_findings', 'No unmanaged credentials on privileged sessions', `every privileged session of a person or shared account ${P}`,
    `privileged AND ${HUMAN_SQL}`, (s) => s.privileged && human(s), CREDENTIAL_KINDS, true),
  privileged_activity_logged: {
    kind: 'session', id: 'privileged_activity_logged', title: 'Privileged sessions traceable to logged events',
    population: `every privileged session (service identities included) ${P}`,
    pass: 'the session links to at least one stored authentication event (event_count > 0)',
    population_sql: 'privileged', pass_sql: 'event_count > 0',
    finding_kinds: [], sessionless_findings: false,
    inPopulation: (s) => s.privileged,
    passes: (s) => s.event_count > 0,
    disposition: () => ({ disposition: 'no_evidence', detail: 'session has no linked events' }),
  },
  break_glass_review: {
    kind: 'session', id: 'break_glass_review', title: 'Break-glass use reviewed',
    population: `every break-glass session ${P}`,
    pass: 'a review with a named reviewer is recorded for the session',
    population_sql: 'break_glass', pass_sql: 'session_key IN (SELECT session_key FROM break_glass_reviews)',
    finding_kinds: [], sessionless_findings: false,
    inPopulation: (s) => s.break_glass,
    passes: (_s, f) => f.reviewed,
    disposition: (s, _f, ctx) => {
      const due = Date.parse(s.started_at) + ctx.break_glass_review_days * 86_400_000;
      return due < ctx.generated_at_ms
        ? { disposition: 'review_overdue', detail: `no review ${ctx.break_glass_review_days} day(s) after use` }
        : { disposition: 'review_pending', detail: `review due by ${new Date(due).toISOString()}` };
    },
  },
  revocation_timeliness: {
    kind: 'revocation', id: 'revocation_timeliness', title: 'Access removed within the SLA',
    population: 'every revocation episode (deactivation, privileged-group removal, HR offboarding) whose trigger is in the period',
    pass: 'the last remaining access path closed within the revocation SLA; successful access after the trigger is an exception too',
    finding_kinds: ['post_revocation_access'],
  },
};
