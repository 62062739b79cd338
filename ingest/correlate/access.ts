import { createHash } from 'node:crypto';
import type { SessionPath, Surface } from '../../schema/session.ts';
import { detail, type CorrEvent } from './events.ts';
import type { ResolvedIdentity } from './identity.ts';

/** A session under construction: its anchor event (or hour bucket) plus the events that join it. */
export interface Draft {
  /** What the session key derives from besides identity and resource: the first event id, or the bucket. */
  readonly anchor_ref: string;
  readonly source: string;
  readonly surface: Surface;
  path: SessionPath;
  resource: string;
  readonly resource_type: string;
  environment: string;
  readonly start: number;
  end: number | null;
  readonly who: ResolvedIdentity;
  /** The event that started the session (null for hour buckets). */
  readonly anchor: CorrEvent | null;
  readonly events: CorrEvent[];
  readonly ids: string[];
  count: number;
  /** Normalizer/SQL privileged flag or admin hints seen on a bucket. */
  privileged_hint: boolean;
  readonly hints: string[];
  /** Second-factor proofs carried by bucket rows (azure/gcp claims). */
  readonly bucket_proofs: { t: number; id: string; method: string; phishing_resistant: boolean }[];
  /** Set when another draft (the gateway session) absorbed this one. */
  absorbed_by?: Draft;
}

/** session_key: derived from the identity, the resource and the first event (or the hour bucket). */
export function sessionKeyOf(subject: string, resource: string, anchorRef: string): string {
  return createHash('sha256').update(`${subject}\u001f${resource}\u001f${anchorRef}`).digest('hex').slice(0, 32);
}

const DB_PORTS = new Set(['5432', '3306', '1433', '1521', '27017', '6379', '9042', '5439']);

function surfaceOfPort(port: string): Surface | undefined {
  if (port === '22') return 'ssh';
  if (port === '3389') return 'rdp';
  if (DB_PORTS.has(port)) return 'database';
  return undefined;
}

/** Which surface an access event opens. */
export function surfaceOf(e: CorrEvent): Surface {
  if (e.source === 'sshd') return 'ssh';
  if (e.source_kind === 'idp') return 'idp_admin';
  if (e.source === 'cloudtrail') return e.event_type === 'signin:ConsoleLogin' ? 'cloud_console' : 'cloud_api';
  if (/windows|desktop|rdp/i.test(e.event_type) || detail(e, 'target_type') === 'rdp') return 'rdp';
  if (detail(e, 'target_type') === 'ssh') return 'ssh';
  const port = /:(\d+)\/?$/.exec(detail(e, 'endpoint'))?.[1] ?? /\/ports\/(\d+)$/.exec(e.resource)?.[1] ?? '';
  const byPort = surfaceOfPort(port);
  if (byPort) return byPort;
  switch (e.resource_type) {
    case 'server': return 'ssh';
    case 'database': return 'database';
    case 'kubernetes': return 'kubernetes';
    case 'cloud_console': return 'cloud_console';
    case 'cloud_api': case 'cloud_role': return 'cloud_api';
    case 'idp_app': return 'idp_admin';
    default: return 'app';
  }
}

/**
 * The path of a session from its anchor event (before gateway follow-on matching, which can turn a direct
 * sshd/PostgreSQL/Kubernetes login into the gateway path).
 */
export function pathOf(e: CorrEvent, who: ResolvedIdentity, gatewayCas: readonly string[]): SessionPath {
  if (e.source_kind === 'gateway') return 'gateway';
  switch (e.source) {
    case 'sshd':
      return detail(e, 'cert_ca') !== '' && gatewayCas.includes(detail(e, 'cert_ca')) ? 'gateway' : 'direct';
    case 'postgres':
      return detail(e, 'src_host') === '[local]' ? 'local' : 'direct';
    case 'k8s':
      if (detail(e, 'via') !== '' || /teleport/i.test(detail(e, 'impersonated_by'))) return 'gateway';
      return detail(e, 'role_arn') !== '' || e.auth_method === 'sso' ? 'federated' : 'direct';
    case 'cloudtrail': {
      const kind = detail(e, 'identity_kind');
      return kind === 'iam_user' || kind === 'root' || kind === 'service' ? 'local' : 'federated';
    }
    case 'gcp': case 'azure':
      return who.kind === 'person' ? 'federated' : 'local';
    default:
      return 'direct';
  }
}

/** True for events that start a session (the access query also returns events that only join one). */
export function isSessionStart(e: CorrEvent): boolean {
  if (e.source === 'sshd') return e.action === 'login';
  if (e.source === 'postgres') return e.action === 'session_start';
  if (e.source === 'teleport' && e.action === 'api_call') return true;
  return e.action !== 'api_call' && e.action !== 'privilege_change' && e.action !== 'account_change';
}

/** A new draft for one session-starting event. */
export function draftOfEvent(e: CorrEvent, who: ResolvedIdentity, gatewayCas: readonly string[]): Draft {
  return {
    anchor_ref: e.event_id,
    source: e.source,
    surface: surfaceOf(e),
    path: pathOf(e, who, gatewayCas),
    resource: e.resource,
    resource_type: e.resource_type,
    environment: e.environment,
    start: e.t,
    end: null,
    who,
    anchor: e,
    events: [e],
    ids: [e.event_id],
    count: 1,
    privileged_hint: e.privileged,
    hints: [],
    bucket_proofs: [],
  };
}

/** Adds `from`'s events into `into` (a gateway session absorbing the login it produced). */
export function absorb(into: Draft, from: Draft): void {
  into.events.push(...from.events);
  into.ids.push(...from.ids);
  into.count += from.count;
  into.privileged_hint ||= from.privileged_hint;
  into.hints.push(...from.hints);
  into.bucket_proofs.push(...from.bucket_proofs);
  if (into.environment === 'unknown') into.environment = from.environment;
  from.absorbed_by = into;
}

/** First label of a host name, lower-cased (prod-db-1.internal.example.com → prod-db-1). */
export function hostKey(host: string): string {
  return host.toLowerCase().split('.')[0] ?? '';
}
