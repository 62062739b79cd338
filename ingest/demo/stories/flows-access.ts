/**
 * Infrastructure access flows: Teleport (SSH with per-session MFA, Kubernetes, databases, apps), the
 * OpenSSH bastion behind Teleport's CA, federated AWS, EKS, Boundary. Each writes every system's view of
 * the same access (gateway event, host/cluster/database log).
 */
import { HOSTS, INFRA } from '../org.ts';
import { ALPHABET } from '../prng.ts';
import { AWS_UA, ctAssumeRoleWithSaml, ctEmit, ctFederatedConsoleLogin, awsId, ROLE_IDS } from '../sources/cloudtrail.ts';
import { EVERYDAY_CALLS } from '../sources/cloudtrail-calls.ts';
import { eksRoleUser, k8sRequest, teleportAgentUser } from '../sources/k8s.ts';
import { OKTA_APPS } from '../sources/okta.ts';
import { pgSession, type PgStatement } from '../sources/postgres.ts';
import { sshConn, sshLogin } from '../sources/sshd.ts';
import { tpAppSession, tpCert, tpDbSession, tpKubeRequest, tpSshSession, tpSsoLogin, tpUser } from '../sources/teleport.ts';
import { MS } from '../time-format.ts';
import { secs } from '../world.ts';
import { pause, sso, type Day } from './flows-idp.ts';

const KUBECTL = { mac: 'kubectl/v1.31.4 (darwin/arm64) kubernetes/c0e6ee2', linux: 'kubectl/v1.31.4 (linux/amd64) kubernetes/c0e6ee2', windows: 'kubectl/v1.31.4 (windows/amd64) kubernetes/c0e6ee2' } as const;

/** Teleport login through Okta SAML and a 12 h certificate (once per day). */
export function teleportLogin(d: Day): void {
  if (d.certUntil > d.t) return;
  sso(d, OKTA_APPS.teleport);
  tpSsoLogin(d.w, d.rng, d.p, d.t, d.ip, d.rng.chance(0.6) ? 'tsh/17.2.1 grpc-go/1.69.2' : d.p.user_agent);
  d.t += secs(d.rng, 0.3, 0.8);
  tpCert(d.w, d.rng, tpUser(d.p), d.t, d.ip, [d.p.login, 'ubuntu']);
  d.certUntil = d.t + 12 * MS.hour;
  d.t += secs(d.rng, 5, 40);
}

/** An SSH session through Teleport; prod nodes require per-session MFA (`with_mfa`). */
export function teleportSsh(d: Day, host: string, minutes: [number, number], extraRoles: readonly string[] = []): void {
  teleportLogin(d);
  const prod = HOSTS[host]?.env === 'prod';
  const end = d.t + Math.floor((minutes[0] + d.rng.next() * (minutes[1] - minutes[0])) * MS.minute);
  const login = d.rng.chance(0.6) ? 'ubuntu' : d.p.login;
  tpSshSession(d.w, d.rng, tpUser(d.p, extraRoles), host, login, d.t, end, d.ip, prod ? { mfaDevice: d.p.mfa_device_uuid } : {});
  d.t = end + secs(d.rng, 30, 300);
}

/** OpenSSH bastion (agentless node): Teleport records the session, sshd logs the Teleport-signed certificate. */
export function bastionCertSsh(d: Day, minutes: [number, number]): { start: number; end: number } {
  teleportLogin(d);
  const { w, rng, p } = d;
  const start = d.t;
  const end = d.t + Math.floor((minutes[0] + rng.next() * (minutes[1] - minutes[0])) * MS.minute);
  tpSshSession(w, rng, tpUser(p), 'bastion-1', p.login, start, end, d.ip, { mfaDevice: p.mfa_device_uuid });
  sshLogin(w, rng, sshConn(rng, 'bastion-1', d.ip), p.login, p.uid, { kind: 'cert', keyId: p.email, fp: `SHA256:${rng.chars(43, ALPHABET.base64)}`, caFp: w.org.svc.bastion_ca_fp, serial: rng.int(10_000, 99_999) }, start + rng.int(40, 400), end);
  d.t = end + secs(rng, 30, 240);
  return { start, end };
}

/** A kubectl request through Teleport: the Teleport `kube.request` and the API server's impersonated event. */
export function kubeCall(
  d: Day, cluster: string,
  k: { verb: string; resource: string; namespace?: string; name?: string; sub?: string; code?: number; groupOverride?: readonly string[] },
  sid: string,
): void {
  const { w, rng, p } = d;
  const code = k.code ?? (k.sub === 'exec' ? 101 : 200);
  const groups = k.groupOverride ?? p.kube_groups;
  const ns = k.namespace ? `/namespaces/${k.namespace}` : '';
  const apiBase = k.resource === 'deployments' ? '/apis/apps/v1' : '/api/v1';
  const path = `${apiBase}${ns}/${k.resource}${k.name ? `/${k.name}` : ''}${k.sub ? `/${k.sub}` : ''}`;
  const httpVerb = { get: 'GET', list: 'GET', create: 'POST', delete: 'DELETE', patch: 'PATCH', update: 'PUT' }[k.verb] ?? 'GET';
  tpKubeRequest(w, rng, tpUser(p), d.t, d.ip, { cluster, verb: httpVerb, path, kind: k.resource, namespace: k.namespace, name: k.name, code, groups, sid });
  const end = k.sub === 'exec' ? d.t + rng.int(2, 25) * MS.minute : undefined;
  const forbidden = code === 403 ? `${k.resource} "${k.name ?? ''}" is forbidden: User "${p.email}" cannot ${k.verb} resource "${k.resource}" in API group "" in the namespace "${k.namespace ?? ''}"` : undefined;
  k8sRequest(w, rng, {
    cluster, t: d.t + rng.int(3, 30), end, user: teleportAgentUser(w), impersonated: { username: p.email, groups: [...groups, 'system:authenticated'] },
    ip: INFRA.teleport_kube_agent_ip, ua: KUBECTL[p.os], verb: k.verb, uri: `${path}${k.sub === 'exec' ? '?command=%2Fbin%2Fsh&container=app&stdin=true&stdout=true&tty=true' : k.verb === 'list' ? '?limit=500' : ''}`,
    objectRef: { resource: k.resource, ...(k.namespace ? { namespace: k.namespace } : {}), ...(k.name ? { name: k.name } : {}), ...(k.resource === 'deployments' ? { apiGroup: 'apps' } : {}), apiVersion: 'v1', ...(k.sub ? { subresource: k.sub } : {}) },
    code, streaming: k.sub === 'exec', forbidMessage: forbidden,
    reason: code === 403 ? '' : `RBAC: allowed by ClusterRoleBinding "${groups[0] ?? 'view'}" of ClusterRole "${groups.includes('system:masters') ? 'cluster-admin' : groups[0] === 'sre-admins' ? 'cluster-admin' : 'view'}" to Group "${groups[0] ?? ''}"`,
  });
  d.t = (end ?? d.t) + secs(rng, 20, 180);
}

/** A burst of kubectl work through Teleport. */
export function kubeWork(d: Day, cluster: string, calls: number, execChance: number): void {
  teleportLogin(d);
  const sid = d.rng.uuid();
  const pods = ['payments-api-7f9c6d-x2kqp', 'payments-api-7f9c6d-m8wz4', 'ledger-worker-5c4b8-qq7tn', 'checkout-web-6d9f7-h2v9c'];
  for (let i = 0; i < calls; i++) {
    const r = d.rng.next();
    if (r < execChance) kubeCall(d, cluster, { verb: 'create', resource: 'pods', namespace: 'payments', name: d.rng.pick(pods), sub: 'exec' }, sid);
    else if (r < 0.55) kubeCall(d, cluster, { verb: 'list', resource: 'pods', namespace: d.rng.pick(['payments', 'checkout', 'ledger']) }, sid);
    else if (r < 0.8) kubeCall(d, cluster, { verb: 'get', resource: 'pods', namespace: 'payments', name: d.rng.pick(pods), sub: 'log' }, sid);
    else kubeCall(d, cluster, { verb: 'get', resource: 'deployments', namespace: 'payments', name: 'payments-api' }, sid);
  }
}

/** A database session through Teleport (cert auth from the db agent), mirrored in the PostgreSQL log. */
export function teleportDb(d: Day, minutes: [number, number], statements: (t: number) => PgStatement[]): void {
  teleportLogin(d);
  const { w, rng, p } = d;
  const dbUser = p.login;
  tpCert(w, rng, tpUser(p), d.t, d.ip, [p.login], { ttlHours: 1, db: { user: dbUser, name: 'payments' } });
  const start = d.t + rng.int(300, 900);
  const end = start + Math.floor((minutes[0] + rng.next() * (minutes[1] - minutes[0])) * MS.minute);
  const pid = rng.int(20_000, 64_000);
  const stmts = statements(start + rng.int(5, 60) * MS.second).filter((s) => s.t < end);
  tpDbSession(w, rng, tpUser(p), start, end, d.ip, { dbUser, dbName: 'payments', pid, queries: stmts.map((s) => ({ t: s.t - rng.int(3, 20), q: s.sql })) });
  pgSession(w, rng, { t: start - rng.int(10, 30), end: end + rng.int(1, 5), pid, host: INFRA.teleport_db_agent_ip, user: dbUser, db: 'payments', app: 'psql', auth: { method: 'cert', identity: `CN=${dbUser}`, hbaLine: 98 }, statements: stmts });
  d.t = end + secs(rng, 30, 300);
}

/** Federated AWS: Okta SSO → `AssumeRoleWithSAML` (session name = email) → console → a few calls. */
export function awsFederated(d: Day, role: string, calls: number, o: { console?: boolean; writes?: boolean } = {}): { akid: string; created: number } {
  const { w, rng, p } = d;
  sso(d, OKTA_APPS.aws);
  const created = d.t + rng.int(800, 2500);
  const akid = ctAssumeRoleWithSaml(w, rng, p, role, created, d.ip);
  d.t = created + secs(rng, 1, 4);
  if (o.console ?? true) {
    ctFederatedConsoleLogin(w, rng, p, role, akid, created, d.t, d.ip);
    d.t += secs(rng, 10, 60);
  }
  const identity = awsId.assumedRole(role, p.email, akid, created);
  for (let i = 0; i < calls; i++) {
    const pool = o.writes ? EVERYDAY_CALLS : EVERYDAY_CALLS.filter((c) => c[2]);
    const [source, name, readOnly, request] = rng.pick(pool);
    ctEmit(w, rng, d.t, { identity, source, name, ip: d.ip, ua: (o.console ?? true) ? AWS_UA.console : AWS_UA.cli(`${source.split('.')[0]}.${name.toLowerCase()}`), readOnly, request });
    d.t += secs(rng, 20, 400);
  }
  return { akid, created };
}

/** EKS straight with the federated role's credentials (`aws eks get-token`), bypassing Teleport. */
export function eksDirect(d: Day, role: string, akid: string, calls: number): void {
  const { w, rng, p } = d;
  const user = eksRoleUser(p, role, ROLE_IDS[role] ?? 'AROAUNKNOWN', akid);
  for (let i = 0; i < calls; i++) {
    const ns = rng.pick(['payments', 'checkout']);
    const get = rng.chance(0.5);
    k8sRequest(w, rng, {
      cluster: 'prod-eks', t: d.t, user, ip: d.ip, ua: KUBECTL[p.os], verb: get ? 'get' : 'list',
      uri: get ? `/apis/apps/v1/namespaces/${ns}/deployments/payments-api` : `/api/v1/namespaces/${ns}/pods?limit=500`,
      objectRef: get ? { resource: 'deployments', namespace: ns, name: 'payments-api', apiGroup: 'apps', apiVersion: 'v1' } : { resource: 'pods', namespace: ns, apiVersion: 'v1' },
      code: 200, reason: `EKS Access Policy: allowed by ClusterRoleBinding "arn:aws:iam::${INFRA.aws_account}:role/${role}+arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy" of ClusterRole "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"`,
    });
    d.t += secs(rng, 15, 240);
  }
}

/** Grafana (or another web app) through Teleport application access. */
export function grafana(d: Day): void {
  teleportLogin(d);
  tpAppSession(d.w, d.rng, tpUser(d.p), d.t, d.ip, 'grafana', 'http://grafana.monitoring.svc:3000');
  pause(d, 5, 40);
}
