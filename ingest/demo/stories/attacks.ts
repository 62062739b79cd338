/**
 * Hostile activity: MFA push fatigue against two engineers (one approves, one reports fraud), password
 * spraying, and the steady internet background (SSH scans, database and API probes, root guesses).
 */
import { INFRA, personOf, type Person } from '../org.ts';
import type { Rng } from '../prng.ts';
import { awsId, ctAssumeRoleWithSaml, ctConsoleLogin, ctEmit, AWS_UA } from '../sources/cloudtrail.ts';
import { duoAuth, DUO_APPS } from '../sources/duo.ts';
import { ENTRA_APPS, entraSignIn } from '../sources/entra-signin.ts';
import { entraSecurityInfo } from '../sources/entra-audit.ts';
import { googlePasswordLogin, googleSuspicious } from '../sources/google.ts';
import { k8sRequest } from '../sources/k8s.ts';
import { emitOkta, oktaAdminChange, oktaFactorActivate, oktaPushDenied, oktaSessionId, oktaSignIn, oktaSso, OKTA_APPS } from '../sources/okta.ts';
import { pgNoHbaEntry } from '../sources/postgres.ts';
import { sshScan } from '../sources/sshd.ts';
import { tpLock, tpMfaAdd } from '../sources/teleport.ts';
import { MS } from '../time-format.ts';
import { between, secs, type World } from '../world.ts';

const ATTACKER_UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

/** Repeated pushes from a phished password; `approved` = the tired victim finally taps approve. */
function pushFatigue(w: World, rng: Rng, victim: Person, day: number, approved: boolean): void {
  const ip = rng.pick(INFRA.attacker_ips);
  const nadia = personOf(w.org, 'nadia.haddad');
  let t = w.dayStart(day) + (19 + rng.next() * 3) * MS.hour;
  const t0 = t;
  for (let i = rng.int(3, 6); i > 0; i--) t = oktaPushDenied(w, rng, victim, t, ip, ATTACKER_UA) + secs(rng, 15, 50);
  entraSignIn(w, rng, victim, t, { app: ENTRA_APPS.office, ip, outcome: 'mfa_denied' });
  googlePasswordLogin(w, rng, victim, t + secs(rng, 40, 90), { ip, outcome: 'second_factor_failed' });
  duoAuth(w, rng, victim, t + secs(rng, 100, 160), { app: DUO_APPS.vpn, ip, result: 'denied', reason: 'no_response' });
  t += secs(rng, 180, 260);
  if (!approved) {
    duoAuth(w, rng, victim, t, { app: DUO_APPS.vpn, ip, result: 'fraud', reason: 'user_marked_fraud' });
    googleSuspicious(w, rng, victim, t + 2 * MS.hour, victim.home_ip, t0);
    return;
  }
  const s = oktaSignIn(w, rng, victim, t, { ip, risk: '{reasons=Anomalous Location, Anomalous Device, level=HIGH}' });
  t = s.t + secs(rng, 30, 90);
  oktaSso(w, rng, victim, t, OKTA_APPS.aws, s.sessionId, ip);
  const role = victim.aws_role || 'OktaDev-ReadOnly';
  const created = t + secs(rng, 1, 3);
  const akid = ctAssumeRoleWithSaml(w, rng, victim, role, created, ip);
  ctEmit(w, rng, created + secs(rng, 40, 120), { identity: awsId.assumedRole(role, victim.email, akid, created), source: 'iam.amazonaws.com', name: 'CreateAccessKey', ip, ua: AWS_UA.cli('iam.create-access-key', 'linux#6.1.0'), error: { code: 'AccessDenied', message: `User: arn:aws:sts::${INFRA.aws_account}:assumed-role/${role}/${victim.email} is not authorized to perform: iam:CreateAccessKey on resource: user ci-deployer because no identity-based policy allows the iam:CreateAccessKey action` } });
  ctEmit(w, rng, created + secs(rng, 150, 300), { identity: awsId.assumedRole(role, victim.email, akid, created), source: 'secretsmanager.amazonaws.com', name: 'GetSecretValue', ip, ua: AWS_UA.cli('secretsmanager.get-secret-value', 'linux#6.1.0'), readOnly: true, request: { secretId: 'prod/payments/db' } });
  // Security responds within the hour: factors reset, Teleport lock, re-enrolment the next morning.
  const respond = t + rng.int(25, 50) * MS.minute;
  const adminSession = oktaSessionId(rng);
  oktaAdminChange(w, rng, nadia, respond, victim, adminSession, { kind: 'reset_factors' });
  tpLock(w, rng, nadia, respond + secs(rng, 60, 180), victim.email, `suspected MFA fatigue compromise ${new Date(respond).toISOString().slice(0, 10)}`);
  googleSuspicious(w, rng, victim, respond + MS.hour, victim.home_ip, t0);
  const next = w.dayStart(Math.min(w.days - 1, day + 1)) + (victim.start_hour + 1) * MS.hour + rng.int(0, 1_800_000);
  oktaFactorActivate(w, rng, victim, next, oktaSessionId(rng), 'FIDO_WEBAUTHN');
  entraSecurityInfo(w, rng, next + 5 * MS.minute + rng.int(0, 59_999), victim, 'FIDO2 security key');
  tpMfaAdd(w, rng, victim, next + 9 * MS.minute + rng.int(0, 59_999), { name: `${victim.login}-yubikey`, uuid: rng.uuid(), type: 'WebAuthn' });
}

/** One password-spray wave: one try per user from one address (Okta and Entra failures). */
function passwordSpray(w: World, rng: Rng, t0: number): void {
  const ip = rng.pick(INFRA.attacker_ips);
  let t = t0;
  const targets = w.org.people.filter((p) => p.team !== 'breakglass' && rng.chance(0.3));
  for (const p of targets) {
    emitOkta(w, rng, t, p, { eventType: 'user.session.start', displayMessage: 'User login to Okta', legacyEventType: 'core.user_auth.login_failed', result: 'FAILURE', reason: 'INVALID_CREDENTIALS', severity: 'WARN', requestUri: '/api/v1/authn', ip, ua: ATTACKER_UA, target: null });
    if (rng.chance(0.6)) entraSignIn(w, rng, p, t + secs(rng, 1, 20), { app: ENTRA_APPS.office, ip, outcome: 'bad_password' });
    t += secs(rng, 20, 70);
  }
}

/** Background noise from the internet, every day. */
function background(w: World, rng: Rng, day: number): void {
  const base = w.dayStart(day);
  for (let i = rng.int(1, 4); i > 0; i--) sshScan(w, rng, 'bastion-1', rng.pick(INFRA.attacker_ips), between(rng, base, base + MS.day), rng.int(2, 7));
  if (rng.chance(0.3)) {
    const t = between(rng, base, base + MS.day);
    pgNoHbaEntry(w, rng, t, rng.int(20_000, 64_000), rng.pick(INFRA.attacker_ips), 'postgres', 'postgres');
  }
  if (rng.chance(0.25)) {
    k8sRequest(w, rng, { cluster: 'prod-eks', t: between(rng, base, base + MS.day), user: { username: 'system:anonymous', groups: ['system:unauthenticated'] }, ip: rng.pick(INFRA.attacker_ips), ua: 'curl/8.7.1', verb: 'list', uri: '/api/v1/namespaces/kube-system/secrets', objectRef: { resource: 'secrets', namespace: 'kube-system', apiVersion: 'v1' }, code: 403, forbidMessage: 'secrets is forbidden: User "system:anonymous" cannot list resource "secrets" in API group "" in the namespace "kube-system"', reason: '' });
  }
  if (rng.chance(0.15)) ctConsoleLogin(w, rng, between(rng, base, base + MS.day), { identity: awsId.root(), ip: rng.pick(INFRA.attacker_ips), ua: ATTACKER_UA, failed: true });
  if (rng.chance(0.15)) duoAuth(w, rng, { name: rng.pick(['admin', 'administrator', 'vpn', 'test']), duo_key: 'DUFJUNENROLLED000001' }, between(rng, base, base + MS.day), { app: DUO_APPS.vpn, ip: rng.pick(INFRA.attacker_ips), factor: 'not_available', result: 'denied', reason: 'deny_unenrolled_user' });
}

/** Push fatigue per the schedule, weekly spray waves and daily background. */
export function runAttacks(w: World, rng: Rng): void {
  w.schedule.push_fatigue.forEach((pf, i) => pushFatigue(w, rng.fork(`pf-${i}`), personOf(w.org, pf.person), pf.day, pf.approved));
  for (let day = 0; day < w.days; day++) {
    const r = rng.fork(`bg-${day}`);
    background(w, r, day);
    if (day % 7 === 3) passwordSpray(w, r, w.dayStart(day) + (1 + r.next() * 4) * MS.hour);
  }
}
