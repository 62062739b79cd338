import { HEX, type Person, type World } from './world.ts';

// Teleport audit events (event handler / SearchEvents JSON, shared/formats/teleport.md), 0.8–1.8 KB each: the
// UserMetadata block (roles, traits, cluster, kind) every event carries, plus SSH, Kubernetes, database and app
// session events, logins and certificate issuance.

const CLUSTER = 'teleport.example.com';
const HOSTS = ['prod-db-1', 'prod-app-1', 'prod-app-2', 'bastion-1', 'staging-app-1', 'dev-box-3', 'build-7'] as const;
const KINDS = [
  ['session.start', 18], ['session.end', 14], ['kube.request', 16], ['user.login', 14], ['exec', 10],
  ['db.session.start', 10], ['cert.create', 10], ['app.session.start', 8],
] as const;

function rolesOf(p: Person): string[] {
  return p.team === 'sre' ? ['access', 'sre-prod', 'auditor'] : p.team === 'dba' ? ['access', 'dba-prod'] : ['access', 'dev'];
}

function userMeta(p: Person): Record<string, unknown> {
  const logins = p.team === 'sre' ? ['ubuntu', 'root', p.login.split('.')[0]] : ['ubuntu', p.login.split('.')[0]];
  return {
    user: p.email,
    user_kind: 1,
    user_roles: rolesOf(p),
    user_traits: {
      aws_role_arns: null, db_names: p.team === 'dba' ? ['payments', 'ledger'] : null, db_roles: null, db_users: p.team === 'dba' ? ['dba'] : null,
      github_teams: [`example/${p.team}`], kubernetes_groups: p.team === 'sre' ? ['sre-admins'] : ['developers'], kubernetes_users: null,
      logins, windows_logins: null,
    },
    user_cluster_name: CLUSTER,
    private_key_policy: 'none',
  };
}

function server(w: World, host: string): Record<string, unknown> {
  const n = HOSTS.indexOf(host as (typeof HOSTS)[number]) + 1;
  return {
    namespace: 'default',
    server_id: `7f12d754-4014-e053-39ae-${String(n).padStart(12, '0')}`,
    server_hostname: host,
    server_addr: `10.20.${n}.15:3022`,
    server_labels: { hostname: host, env: host.split('-')[0] ?? 'prod', role: host.includes('db') ? 'db' : 'app', 'teleport.internal/resource-id': w.rng.uuid() },
    server_version: '17.2.1',
    server_sub_kind: 'teleport',
  };
}

/** One Teleport audit event for `p` at `ms`. */
export function teleportEvent(w: World, p: Person, ms: number): Record<string, unknown> {
  const { rng } = w;
  const event = rng.weighted(KINDS);
  const addr = `${rng.pick(p.ips)}:${rng.int(40000, 65000)}`;
  const head = { ei: 0, event, uid: rng.uuid(), time: new Date(ms).toISOString(), cluster_name: CLUSTER };
  const sid = w.session(p, 'teleport', () => rng.uuid());
  const host = rng.pick(HOSTS);
  const login = p.team === 'sre' && rng.next() < 0.2 ? 'root' : 'ubuntu';
  const mfa = p.team === 'sre' ? { with_mfa: `${rng.chars(8, HEX)}-4db4-c7ca-0ebc-${rng.chars(12, HEX)}` } : {};
  switch (event) {
    case 'user.login':
      return {
        ...head, code: 'T1000I', user: p.email, required_private_key_policy: 'none', success: rng.next() < 0.97, method: 'saml', connector_id: 'okta',
        user_agent: rng.pick(['tsh/17.2.1 grpc-go/1.69.2', p.agent]), 'addr.remote': addr,
        attributes: {
          firstName: [p.display.split(' ')[0]], lastName: [p.display.split(' ')[1]], email: [p.email], username: [p.email],
          groups: ['Everyone', `team-${p.team}`, 'engineering', 'vpn-users', 'github-users', 'teleport-users', `${p.city.cc.toLowerCase()}-office`],
        },
      };
    case 'cert.create':
      return {
        ...head, code: 'TC000I', cert_type: 'user',
        identity: {
          user: p.email, roles: rolesOf(p), logins: ['ubuntu', p.login.split('.')[0], '-teleport-internal-join'], expires: new Date(ms + 12 * 3600_000).toISOString(),
          route_to_cluster: CLUSTER, traits: userMeta(p).user_traits, teleport_cluster: CLUSTER, client_ip: addr.split(':')[0], prev_identity_expires: '0001-01-01T00:00:00Z',
          private_key_policy: 'none',
        },
      };
    case 'session.start':
    case 'session.end':
    case 'exec': {
      const common = { ...head, ...userMeta(p), login, sid, ...mfa, ...server(w, host), 'addr.local': `10.20.1.15:3022`, 'addr.remote': addr, proto: 'ssh' };
      if (event === 'session.start') return { ...common, code: 'T2000I', size: '120:40', initial_command: [''], session_recording: 'node' };
      if (event === 'exec') return { ...common, code: 'T3002I', command: rng.pick(['systemctl status nginx', 'journalctl -u app --since today', 'df -h']), exitCode: '0', exitError: '' };
      return {
        ...common, code: 'T2004I', ei: rng.int(10, 400), enhanced_recording: false, interactive: true, participants: [p.email],
        session_start: new Date(ms - rng.int(60, 3600) * 1000).toISOString(), session_stop: new Date(ms).toISOString(), session_recording: 'node',
      };
    }
    case 'kube.request':
      return {
        ...head, code: 'T3009I', ...userMeta(p), 'addr.remote': addr, proto: 'kube', server_id: '3d944f88-e0e2-8c77-4e3b-4a021ece84a8', server_hostname: 'teleport-kube-agent-0',
        request_path: `/api/v1/namespaces/${rng.pick(['payments', 'web', 'monitoring'])}/pods`, verb: rng.pick(['GET', 'GET', 'GET', 'POST']),
        resource_api_group: 'core/v1', resource_namespace: 'payments', resource_kind: 'pods', response_code: 200, kubernetes_cluster: 'prod-eks',
        kubernetes_users: [p.email], kubernetes_groups: [p.team === 'sre' ? 'sre-admins' : 'developers', 'system:authenticated'], kubernetes_labels: { env: 'prod' }, sid,
      };
    case 'db.session.start':
      return {
        ...head, code: 'TDB00I', ...userMeta(p), sid, namespace: 'default', server_id: '8c85f924-fbb9-dbd9-6f86-7cd50c205f49', 'addr.remote': addr, success: true,
        db_service: 'prod-postgres', db_protocol: 'postgres', db_uri: 'prod-db-1.internal.example.com:5432', db_name: 'payments', db_user: p.team === 'dba' ? 'dba' : 'readonly',
        db_type: 'self-hosted', db_origin: 'config-file', db_labels: { env: 'prod', engine: 'postgres' }, postgres_pid: rng.int(1000, 60000),
      };
    default:
      return {
        ...head, code: 'T2007I', ...userMeta(p), sid, server_id: '0f670f4f-9a52-d5e4-254a-65d700d93980', 'addr.remote': addr,
        public_addr: 'grafana.teleport.example.com', app_uri: 'http://grafana.monitoring.svc:3000', app_public_addr: 'grafana.teleport.example.com', app_name: 'grafana', app_labels: { env: 'prod' },
      };
  }
}
