/**
 * Privilege administration: admin-role grants and (late or missing) revocations across Okta, Entra, GCP,
 * Azure, Kubernetes and AWS; a temporary vendor IAM user; Teleport just-in-time access requests; and
 * Marta's move from SRE to sales with a stale AWS session.
 */
import { INFRA, personOf, type Person } from '../org.ts';
import type { Rng } from '../prng.ts';
import { azRoleAssignment } from '../sources/azure.ts';
import { awsId, ctConsoleLogin, ctEmit, AWS_UA } from '../sources/cloudtrail.ts';
import { ctIamWrite } from '../sources/cloudtrail-calls.ts';
import { duoAuth, DUO_APPS } from '../sources/duo.ts';
import { entraGroupChange, entraRoleChange } from '../sources/entra-audit.ts';
import { gcpSetIamPolicy } from '../sources/gcp.ts';
import { k8sRequest, teleportAgentUser } from '../sources/k8s.ts';
import { oktaAdminChange, oktaAdminConsole, oktaSignIn } from '../sources/okta.ts';
import { tpAccessRequest, tpDenied, tpKubeRequest, tpUser, tpUserUpdate } from '../sources/teleport.ts';
import { ALPHABET } from '../prng.ts';
import { MS } from '../time-format.ts';
import { secs, type World } from '../world.ts';
import { awsFederated, eksDirect, teleportSsh } from './flows-access.ts';
import { startDay } from './flows-idp.ts';

/** An admin's Okta session for console work. */
function adminSession(w: World, rng: Rng, admin: Person, t: number): string {
  const s = oktaSignIn(w, rng, admin, t, { ip: INFRA.office_ip });
  oktaAdminConsole(w, rng, admin, s.t + secs(rng, 5, 20), s.sessionId, INFRA.office_ip);
  return s.sessionId;
}

/** A cluster-admin ClusterRoleBinding created or deleted by an admin through Teleport. */
function rbacBinding(w: World, rng: Rng, admin: Person, t: number, subject: Person, create: boolean): void {
  const name = `${subject.login}-cluster-admin`;
  const path = create ? '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings' : `/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/${name}`;
  tpKubeRequest(w, rng, tpUser(admin), t, INFRA.office_ip, { cluster: 'prod-eks', verb: create ? 'POST' : 'DELETE', path, kind: 'clusterrolebindings', name, code: create ? 201 : 200, groups: admin.kube_groups, sid: rng.uuid() });
  k8sRequest(w, rng, {
    cluster: 'prod-eks', t: t + rng.int(5, 30), user: teleportAgentUser(w), impersonated: { username: admin.email, groups: [...admin.kube_groups, 'system:authenticated'] },
    ip: INFRA.teleport_kube_agent_ip, ua: 'kubectl/v1.31.4 (darwin/arm64) kubernetes/c0e6ee2', verb: create ? 'create' : 'delete',
    uri: create ? `${path}?fieldManager=kubectl-create&fieldValidation=Strict` : path,
    objectRef: { resource: 'clusterrolebindings', name, apiGroup: 'rbac.authorization.k8s.io', apiVersion: 'v1' }, code: create ? 201 : 200,
    level: 'RequestResponse', withReceived: true,
    requestObject: create ? { kind: 'ClusterRoleBinding', apiVersion: 'rbac.authorization.k8s.io/v1', metadata: { name }, subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: subject.email }], roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' } } : { kind: 'DeleteOptions', apiVersion: 'meta.k8s.io/v1', propagationPolicy: 'Background' },
    reason: 'RBAC: allowed by ClusterRoleBinding "security-admins" of ClusterRole "cluster-admin" to Group "security-admins"',
  });
}

/** Grant wave 1: Sofia becomes admin everywhere; some grants are revoked late, Azure Owner never. */
function grantWave1(w: World, rng: Rng, day: number): void {
  const nadia = personOf(w.org, 'nadia.haddad');
  const sofia = personOf(w.org, 'sofia.marin');
  let t = w.dayStart(day) + 10 * MS.hour + rng.int(0, 1_800_000);
  const s = adminSession(w, rng, nadia, t);
  t += 3 * MS.minute;
  oktaAdminChange(w, rng, nadia, t, sofia, s, { kind: 'privilege_grant', role: 'Super administrator' });
  entraRoleChange(w, rng, t + 2 * MS.minute, nadia, sofia, 'global_admin', true);
  gcpSetIamPolicy(w, rng, nadia, t + 4 * MS.minute, { role: 'roles/owner', member: `user:${sofia.email}`, action: 'ADD' });
  azRoleAssignment(w, rng, nadia, t + 5 * MS.minute, sofia, 'Owner', true);
  rbacBinding(w, rng, nadia, t + 6 * MS.minute, sofia, true);
  // Revocations: Okta same afternoon, Entra next day, the binding two days later; GCP waits for wave 2.
  oktaAdminChange(w, rng, nadia, t + 6 * MS.hour, sofia, s, { kind: 'privilege_revoke', role: 'Super administrator' });
  if (day + 1 < w.days) entraRoleChange(w, rng, w.dayStart(day + 1) + 9.5 * MS.hour + rng.int(0, 3_600_000), nadia, sofia, 'global_admin', false);
  if (day + 2 < w.days) rbacBinding(w, rng, nadia, w.dayStart(day + 2) + 11 * MS.hour + rng.int(0, 3_600_000), sofia, false);
}

/** A temporary vendor IAM user with console password, admin policy and an access key (a local superuser). */
function vendorUser(w: World, rng: Rng, day: number, removeDay: number): void {
  const sofia = personOf(w.org, 'sofia.marin');
  const d = startDay(w, rng, sofia, day, 3);
  const aws = awsFederated(d, 'OktaSRE-Admin', 0, { console: true });
  const actor = awsId.assumedRole('OktaSRE-Admin', sofia.email, aws.akid, aws.created);
  const key = `AKIA${rng.chars(16, ALPHABET.base32)}`;
  const principal = `AIDA${rng.chars(17, ALPHABET.base32)}`;
  let t = d.t + MS.minute;
  ctIamWrite(w, rng, t, actor, d.ip, { name: 'CreateUser', user: 'tmp-vendor' });
  ctIamWrite(w, rng, t += 30_000, actor, d.ip, { name: 'CreateLoginProfile', user: 'tmp-vendor' });
  ctIamWrite(w, rng, t += 40_000, actor, d.ip, { name: 'AttachUserPolicy', user: 'tmp-vendor', policy: 'arn:aws:iam::aws:policy/AdministratorAccess' });
  ctIamWrite(w, rng, t += 35_000, actor, d.ip, { name: 'CreateAccessKey', user: 'tmp-vendor', akid: key });
  for (let v = day + 1; v < Math.min(removeDay, w.days); v++) {
    if (w.isWeekend(v)) continue;
    const tv = w.dayStart(v) + (9 + rng.next() * 6) * MS.hour;
    ctConsoleLogin(w, rng, tv, { identity: awsId.iamUser('tmp-vendor', principal), ip: '192.0.2.177', ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/133.0.0.0 Safari/537.36' });
    ctEmit(w, rng, tv + 20 * MS.minute, { identity: awsId.iamUser('tmp-vendor', principal, key), source: 'ec2.amazonaws.com', name: 'CreateSnapshot', ip: '192.0.2.177', ua: AWS_UA.cli('ec2.create-snapshot', 'windows#10'), request: { volumeId: 'vol-0a9b8c7d6e5f40312', description: 'VEND-212 migration' } });
  }
  if (removeDay >= w.days) return;
  const nadia = personOf(w.org, 'nadia.haddad');
  const rd = startDay(w, rng, nadia, removeDay, 2);
  const ra = awsFederated(rd, 'OktaSecurity-Admin', 0, { console: true });
  const ractor = awsId.assumedRole('OktaSecurity-Admin', nadia.email, ra.akid, ra.created);
  let tr = rd.t + MS.minute;
  ctIamWrite(w, rng, tr, ractor, rd.ip, { name: 'DeleteAccessKey', user: 'tmp-vendor', akid: key });
  ctIamWrite(w, rng, tr += 20_000, ractor, rd.ip, { name: 'DeleteLoginProfile', user: 'tmp-vendor' });
  ctIamWrite(w, rng, tr += 20_000, ractor, rd.ip, { name: 'DetachUserPolicy', user: 'tmp-vendor', policy: 'arn:aws:iam::aws:policy/AdministratorAccess' });
  ctIamWrite(w, rng, tr += 20_000, ractor, rd.ip, { name: 'DeleteUser', user: 'tmp-vendor' });
  gcpSetIamPolicy(w, rng, nadia, tr + 5 * MS.minute, { role: 'roles/owner', member: `user:${personOf(w.org, 'sofia.marin').email}`, action: 'REMOVE' });
}

/** Grant waves 2 and 3: Priya gets security admin roles for three days; Hugo gets GCP editor for two hours. */
function grantWaves23(w: World, rng: Rng, d2: number, d3: number): void {
  const viktor = personOf(w.org, 'viktor.sorensen');
  const priya = personOf(w.org, 'priya.raman');
  let t = w.dayStart(d2) + 14 * MS.hour + rng.int(0, 1_800_000);
  const s = adminSession(w, rng, viktor, t);
  oktaAdminChange(w, rng, viktor, t += 2 * MS.minute, priya, s, { kind: 'privilege_grant', role: 'Organization administrator' });
  entraRoleChange(w, rng, t + MS.minute, viktor, priya, 'privileged_role_admin', true);
  gcpSetIamPolicy(w, rng, viktor, t + 3 * MS.minute, { role: 'roles/iam.securityAdmin', member: `user:${priya.email}`, action: 'ADD' });
  if (d2 + 1 < w.days) gcpSetIamPolicy(w, rng, viktor, w.dayStart(d2 + 1) + 16 * MS.hour + rng.int(0, 3_600_000), { role: 'roles/iam.securityAdmin', member: `user:${priya.email}`, action: 'REMOVE' });
  if (d2 + 3 < w.days) {
    const t3 = w.dayStart(d2 + 3) + 9 * MS.hour + rng.int(0, 1_800_000);
    oktaAdminChange(w, rng, viktor, t3, priya, adminSession(w, rng, viktor, t3 - 5 * MS.minute), { kind: 'privilege_revoke', role: 'Organization administrator' });
    entraRoleChange(w, rng, t3 + MS.minute, viktor, priya, 'privileged_role_admin', false);
  }
  const nadia = personOf(w.org, 'nadia.haddad');
  const hugo = personOf(w.org, 'hugo.martin');
  const th = w.dayStart(d3) + 15 * MS.hour + rng.int(0, 1_800_000);
  gcpSetIamPolicy(w, rng, nadia, th, { role: 'roles/editor', member: `user:${hugo.email}`, action: 'ADD' });
  gcpSetIamPolicy(w, rng, nadia, th + 2 * MS.hour, { role: 'roles/editor', member: `user:${hugo.email}`, action: 'REMOVE' });
  gcpSetIamPolicy(w, rng, hugo, th + 3 * MS.hour, { role: 'roles/editor', member: `user:${hugo.email}`, action: 'ADD', denied: true });
}

/** Teleport just-in-time elevation: developers request `sre-prod`, an SRE approves, a prod session follows. */
function accessRequests(w: World, rng: Rng): void {
  const devs = w.org.people.filter((p) => p.team === 'dev' && !p.flags.leaver);
  const sres = w.org.people.filter((p) => p.team === 'sre' && !p.flags.role_change);
  const wanted = Math.max(2, Math.round(w.days / 5));
  for (let i = 0, tries = 0; i < wanted && tries < wanted * 10; tries++) {
    const day = rng.int(0, Math.max(0, w.days - 2));
    if (w.isWeekend(day)) continue;
    i++;
    const dev = rng.pick(devs);
    const d = startDay(w, rng, dev, day, 5);
    const approved = rng.chance(0.8);
    const reason = `INC-${4800 + i * 13} ${rng.pick(['payments latency', 'stuck settlements', 'failed payout batch', 'ledger lag'])}`;
    const review = d.t + rng.int(2, 15) * MS.minute;
    tpAccessRequest(w, rng, dev, d.t, review, rng.pick(sres), ['sre-prod'], reason, approved);
    d.t = review + secs(rng, 30, 120);
    if (approved) teleportSsh(d, rng.pick(['app-1', 'app-2', 'prod-db-1']), [5, 40], ['sre-prod']);
  }
}

/** Marta moves to sales: groups removed at 11:00, her morning AWS session keeps working, Teleport denies. */
function roleChange(w: World, rng: Rng, day: number): void {
  const marta = personOf(w.org, 'marta.kowal');
  const viktor = personOf(w.org, 'viktor.sorensen');
  const d = startDay(w, rng, marta, day);
  d.t = w.dayStart(day) + 9.5 * MS.hour + rng.int(0, 1_200_000);
  const aws = awsFederated(d, 'OktaSRE-Admin', 2, { console: false, writes: false });
  const t = w.dayStart(day) + 11 * MS.hour + rng.int(0, 600_000);
  const s = adminSession(w, rng, viktor, t - 10 * MS.minute);
  oktaAdminChange(w, rng, viktor, t, marta, s, { kind: 'group_remove', group: 'sre-prod-admins' });
  entraGroupChange(w, rng, t + 20_000, viktor, marta, 'sre', false);
  entraGroupChange(w, rng, t + 50_000, viktor, marta, 'sales', true);
  gcpSetIamPolicy(w, rng, viktor, t + 3 * MS.minute, { role: 'roles/editor', member: `user:${marta.email}`, action: 'REMOVE' });
  tpUserUpdate(w, rng, t + 38 * MS.minute, marta.email, ['access']);
  // Still-valid STS credentials from 09:30 keep working after the removal.
  d.t = t + 20 * MS.minute;
  ctEmit(w, rng, d.t, { identity: awsId.assumedRole('OktaSRE-Admin', marta.email, aws.akid, aws.created), source: 'ec2.amazonaws.com', name: 'RebootInstances', ip: d.ip, ua: AWS_UA.cli('ec2.reboot-instances'), request: { instancesSet: { items: [{ instanceId: 'i-0b2c3d4e5f6a70819' }] } } });
  d.t += 5 * MS.minute;
  eksDirect(d, 'OktaSRE-Admin', aws.akid, 1);
  tpDenied(w, rng, marta.email, 'prod-db-1', 'ubuntu', t + 41 * MS.minute, d.ip, `access denied to ${marta.email} connecting to prod-db-1`);
  duoAuth(w, rng, marta, t + 45 * MS.minute, { app: DUO_APPS.bastion, ip: d.ip, factor: 'not_available', result: 'denied', reason: 'user_not_in_permitted_group', hostname: 'bastion-1' });
}

/** All admin stories. */
export function runAdmin(w: World, rng: Rng): void {
  const [g1, g2, g3] = w.schedule.grant_days;
  if (g1 !== undefined) {
    grantWave1(w, rng.fork('grant1'), g1);
    vendorUser(w, rng.fork('vendor'), g1, g2 ?? w.days);
  }
  if (g2 !== undefined && g3 !== undefined) grantWaves23(w, rng.fork('grant23'), g2, g3);
  accessRequests(w, rng.fork('jit'));
  roleChange(w, rng.fork('role-change'), w.schedule.role_change_day);
}
