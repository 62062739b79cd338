/**
 * Teleport audit events as emitted by the event handler / `SearchEvents` (formats/teleport.md): logins,
 * certificates, SSH/Kubernetes/database/app sessions, access requests, locks, bots.
 */
import { HOSTS, INFRA, type Person } from '../org.ts';
import { ephemeralPort } from '../net.ts';
import type { Rng } from '../prng.ts';
import { isoMicroZ, isoMs, isoNanoZ, MS } from '../time-format.ts';
import type { World } from '../world.ts';

/** The identity a Teleport event is about. */
export interface TeleportIdentity {
  readonly user: string;
  readonly roles: readonly string[];
  readonly kind: 1 | 2 | 3;
  readonly bot?: string;
}

/** Teleport identity of a person (SSO users are their email; the break-glass account is local). */
export function tpUser(p: Person, extraRoles: readonly string[] = []): TeleportIdentity {
  return { user: p.team === 'breakglass' ? 'breakglass' : p.email, roles: [...p.teleport_roles, ...extraRoles], kind: 1 };
}

/** Node ids are stable per host. */
const SERVER_IDS: Readonly<Record<string, string>> = {
  'bastion-1': '0b6f1e2d-3c4a-4b5c-8d6e-7f8091a2b3c4', 'prod-db-1': '1c7a2f3e-4d5b-4c6d-9e7f-8091a2b3c4d5',
  'prod-db-2': '2d8b3a4f-5e6c-4d7e-8f80-91a2b3c4d5e6', 'app-1': '3e9c4b5a-6f7d-4e8f-9091-a2b3c4d5e6f7',
  'app-2': '4fad5c6b-7a8e-4f90-81a2-b3c4d5e6f708', 'app-3': '50be6d7c-8b9f-4a01-92b3-c4d5e6f70819',
  'staging-app-1': '61cf7e8d-9ca0-4b12-83c4-d5e6f708192a', 'legacy-build-1': '72d08f9e-adb1-4c23-94d5-e6f708192a3b',
};
const KUBE_AGENT_ID = '83e1a0af-bec2-4d34-85e6-f708192a3b4c';
const DB_AGENT_ID = '94f2b1b0-cfd3-4e45-96f7-08192a3b4c5d';
const APP_AGENT_ID = 'a503c2c1-d0e4-4f56-8708-192a3b4c5d6e';

function base(rng: Rng, t: number, event: string, code: string, ei = 0): Record<string, unknown> {
  return { ei, event, uid: rng.uuid(), code, time: isoMs(t), cluster_name: INFRA.teleport_cluster };
}

function who(id: TeleportIdentity): Record<string, unknown> {
  const out: Record<string, unknown> = { user: id.user, user_kind: id.kind };
  if (id.bot) { out.bot_name = id.bot; }
  else { out.user_roles = id.roles; out.user_cluster_name = INFRA.teleport_cluster; }
  return out;
}

/** Hosts registered as agentless OpenSSH nodes (Teleport dials their sshd on port 22). */
const OPENSSH_NODES = new Set(['bastion-1']);

function node(host: string): Record<string, unknown> {
  const h = HOSTS[host];
  const openssh = OPENSSH_NODES.has(host);
  return {
    namespace: 'default', server_id: SERVER_IDS[host] ?? '00000000-0000-4000-8000-000000000000', server_hostname: host,
    server_addr: `${h?.addr ?? '10.40.0.1'}:${openssh ? 22 : 3022}`, server_labels: { hostname: host, env: h?.env ?? 'prod', role: h?.role ?? 'app' },
    ...(openssh ? { server_sub_kind: 'openssh' } : {}),
  };
}

function remote(rng: Rng, ip: string): string {
  return `${ip}:${ephemeralPort(rng.int(0, 15999))}`;
}

/** `user.login` through the Okta SAML connector (MFA happened at Okta). */
export function tpSsoLogin(w: World, rng: Rng, p: Person, t: number, ip: string, ua: string): void {
  w.emit('teleport', t, { ...base(rng, t, 'user.login', 'T1000I'), user: p.email, required_private_key_policy: 'none', success: true, method: 'saml', connector_id: 'okta', user_agent: ua, 'addr.remote': remote(rng, ip) });
}

/** Local login (break-glass) with an MFA device, or a failed local login. */
export function tpLocalLogin(w: World, rng: Rng, user: string, t: number, ip: string, ua: string, device: { name: string; uuid: string; type: string } | null): void {
  if (!device) {
    w.emit('teleport', t, { ...base(rng, t, 'user.login', 'T1000W'), user, success: false, method: 'local', error: 'invalid username, password or second factor', user_agent: ua, 'addr.remote': remote(rng, ip) });
    return;
  }
  w.emit('teleport', t, { ...base(rng, t, 'user.login', 'T1000I'), user, required_private_key_policy: 'none', success: true, method: 'local', mfa_device: { mfa_device_name: device.name, mfa_device_uuid: device.uuid, mfa_device_type: device.type }, user_agent: ua, 'addr.remote': remote(rng, ip) });
}

/** `cert.create` for a user certificate (12 h TTL unless given); db routing when `db` is set. */
export function tpCert(w: World, rng: Rng, id: TeleportIdentity, t: number, ip: string, logins: string[], o: { ttlHours?: number; db?: { user: string; name: string } } = {}): void {
  const expires = isoMicroZ(t + (o.ttlHours ?? 12) * MS.hour, rng.int(0, 999) * 1000);
  const identity: Record<string, unknown> = {
    user: id.user, roles: id.roles, logins: [...logins, '-teleport-internal-join'], expires, route_to_cluster: INFRA.teleport_cluster,
    traits: { aws_role_arns: null, db_names: null, db_roles: null, db_users: null, kubernetes_groups: null, kubernetes_users: null, logins, windows_logins: null },
    teleport_cluster: INFRA.teleport_cluster, client_ip: ip, prev_identity_expires: '0001-01-01T00:00:00Z', private_key_policy: 'none',
  };
  if (o.db) { identity.usage = ['usage:db']; identity.route_to_database = { service_name: 'prod-postgres', protocol: 'postgres', username: o.db.user, database: o.db.name }; }
  w.emit('teleport', t, { ...base(rng, t, 'cert.create', 'TC000I'), cert_type: 'user', identity, ...(o.db ? { user_agent: 'tsh/17.2.1 grpc-go/1.69.2' } : {}) });
}

/** An interactive SSH session through Teleport: `session.start` … `session.end`. Returns the sid. */
export function tpSshSession(
  w: World, rng: Rng, id: TeleportIdentity, host: string, login: string, t: number, end: number, ip: string,
  o: { mfaDevice?: string; reason?: string } = {},
): string {
  const sid = rng.uuid();
  const r = remote(rng, ip);
  const common = { ...who(id), login, sid, ...(o.mfaDevice ? { with_mfa: o.mfaDevice } : {}), private_key_policy: 'none', ...node(host), 'addr.remote': r, proto: 'ssh' };
  w.emit('teleport', t, { ...base(rng, t, 'session.start', 'T2000I'), ...common, 'addr.local': `${HOSTS[host]?.addr ?? '10.40.0.1'}:${OPENSSH_NODES.has(host) ? 22 : 3022}`, size: `${rng.pick([80, 120, 160, 200])}:${rng.pick([24, 40, 50])}`, initial_command: [''], session_recording: 'node', ...(o.reason ? { reason: o.reason } : {}) });
  w.emit('teleport', end, {
    ...base(rng, end, 'session.end', 'T2004I', rng.int(20, 400)), ...common, enhanced_recording: false, interactive: true, participants: [id.user],
    session_start: isoNanoZ(t, rng.int(0, 999_999)), session_stop: isoNanoZ(end, rng.int(0, 999_999)), session_recording: 'node',
  });
  return sid;
}

/** A node denial (`auth` T3007W): RBAC, expired certificate or a lock in force. */
export function tpDenied(w: World, rng: Rng, user: string, host: string, login: string, t: number, ip: string, error: string): void {
  w.emit('teleport', t, { ...base(rng, t, 'auth', 'T3007W'), user, login, user_kind: 1, success: false, error, server_id: SERVER_IDS[host] ?? '', server_hostname: host, 'addr.remote': remote(rng, ip) });
}

/** One Kubernetes API call proxied by Teleport. */
export function tpKubeRequest(
  w: World, rng: Rng, id: TeleportIdentity, t: number, ip: string,
  k: { cluster: string; verb: string; path: string; kind: string; namespace?: string; name?: string; code: number; groups: readonly string[]; sid: string },
): void {
  w.emit('teleport', t, {
    ...base(rng, t, 'kube.request', 'T3009I'), ...who(id), 'addr.remote': remote(rng, ip), proto: 'kube', server_id: KUBE_AGENT_ID, server_hostname: 'teleport-kube-agent-0',
    request_path: k.path, verb: k.verb, resource_api_group: k.kind === 'deployments' ? 'apps/v1' : 'core/v1', ...(k.namespace ? { resource_namespace: k.namespace } : {}),
    resource_kind: k.kind, ...(k.name ? { resource_name: k.name } : {}), response_code: k.code, kubernetes_cluster: k.cluster,
    kubernetes_users: [id.user], kubernetes_groups: [...k.groups, 'system:authenticated'], kubernetes_labels: { env: k.cluster.startsWith('prod') ? 'prod' : 'staging' },
    sid: k.sid, private_key_policy: 'none',
  });
}

/** A database session through Teleport's db agent, with queries. Returns the sid. */
export function tpDbSession(
  w: World, rng: Rng, id: TeleportIdentity, t: number, end: number, ip: string,
  d: { dbUser: string; dbName: string; pid: number; queries: readonly { t: number; q: string }[] },
): string {
  const sid = rng.uuid();
  const db = { db_service: 'prod-postgres', db_protocol: 'postgres', db_uri: 'prod-db-1.internal.demo.example:5432', db_name: d.dbName, db_user: d.dbUser, db_type: 'self-hosted', db_origin: 'config-file', db_labels: { env: 'prod', engine: 'postgres' } };
  w.emit('teleport', t, { ...base(rng, t, 'db.session.start', 'TDB00I'), ...who(id), sid, private_key_policy: 'none', namespace: 'default', server_id: DB_AGENT_ID, 'addr.remote': remote(rng, ip), success: true, ...db, postgres_pid: d.pid });
  d.queries.forEach((q, i) => w.emit('teleport', q.t, { ...base(rng, q.t, 'db.session.query', 'TDB02I', i + 1), ...who(id), sid, ...db, db_query: q.q, success: true }));
  w.emit('teleport', end, { ...base(rng, end, 'db.session.end', 'TDB01I', d.queries.length + 2), ...who(id), sid, ...db });
  return sid;
}

/** Web app access (Grafana, internal admin tools). */
export function tpAppSession(w: World, rng: Rng, id: TeleportIdentity, t: number, ip: string, app: string, uri: string): void {
  const pub = `${app}.${INFRA.teleport_cluster}`;
  w.emit('teleport', t, { ...base(rng, t, 'app.session.start', 'T2007I'), ...who(id), sid: rng.uuid(), private_key_policy: 'none', server_id: APP_AGENT_ID, 'addr.remote': remote(rng, ip), public_addr: pub, app_uri: uri, app_public_addr: pub, app_name: app, app_labels: { env: 'prod' } });
}

/** Just-in-time elevation: request, then approval (or denial) by a reviewer. */
export function tpAccessRequest(w: World, rng: Rng, p: Person, t: number, approvedAt: number, reviewer: Person, roles: string[], reason: string, approved: boolean): void {
  const id = rng.uuid();
  w.emit('teleport', t, { ...base(rng, t, 'access_request.create', 'T5000I'), id, user: p.email, user_kind: 1, state: 'PENDING', roles, reason, max_duration: isoSec4h(t) });
  w.emit('teleport', approvedAt, { ...base(rng, approvedAt, 'access_request.update', 'T5001I'), id, state: approved ? 'APPROVED' : 'DENIED', updated_by: reviewer.email, reason: approved ? `approved: ${reason}` : 'not justified' });
}

function isoSec4h(t: number): string {
  return `${new Date(t + 4 * MS.hour).toISOString().slice(0, 19)}Z`;
}

/** A lock on a user (revocation). */
export function tpLock(w: World, rng: Rng, admin: Person, t: number, target: string, message: string): void {
  w.emit('teleport', t, { ...base(rng, t, 'lock.created', 'TLK00I'), name: rng.uuid(), expires: '0001-01-01T00:00:00Z', updated_by: admin.email, user: admin.email, user_kind: 1, target: { user: target }, message });
}

/** A new MFA device registered in Teleport. */
export function tpMfaAdd(w: World, rng: Rng, p: Person, t: number, device: { name: string; uuid: string; type: string }): void {
  w.emit('teleport', t, { ...base(rng, t, 'mfa.add', 'T1006I'), user: p.email, user_kind: 1, mfa_device_name: device.name, mfa_device_uuid: device.uuid, mfa_device_type: device.type });
}

/** Teleport's Okta sync updating a user's roles (e.g. after a group removal). */
export function tpUserUpdate(w: World, rng: Rng, t: number, user: string, roles: string[]): void {
  w.emit('teleport', t, { ...base(rng, t, 'user.update', 'T1003I'), user: 'okta-sync', user_kind: 3, name: user, expires: '0001-01-01T00:00:00Z', roles, connector: 'saml' });
}

/** Machine ID bot joining via GitHub Actions OIDC. */
export function tpBotJoin(w: World, rng: Rng, t: number, runId: string, actor: string): void {
  w.emit('teleport', t, {
    ...base(rng, t, 'bot.join', 'TJ001I'), bot_name: 'ci-deployer', method: 'github', token_name: 'ci-deployer-github', success: true,
    attributes: { repository: 'fjordlight/payments-api', repository_owner: 'fjordlight', workflow: 'deploy', environment: 'production', ref: 'refs/heads/main', ref_type: 'branch', event_name: 'push', actor, run_id: runId, sub: 'repo:fjordlight/payments-api:environment:production' },
  });
}

/** A non-interactive command by the CI bot on a node. */
export function tpBotExec(w: World, rng: Rng, t: number, host: string, instance: string, command: string): void {
  w.emit('teleport', t, {
    ...base(rng, t, 'exec', 'T3002I'), user: 'bot-ci-deployer', user_kind: 2, bot_name: 'ci-deployer', bot_instance_id: instance, login: 'deploy', sid: rng.uuid(),
    private_key_policy: 'none', ...node(host), 'addr.local': `${HOSTS[host]?.addr ?? '10.40.0.1'}:3022`, 'addr.remote': remote(rng, INFRA.ci_runner_ip), proto: 'ssh', command, exitCode: '0',
  });
}
