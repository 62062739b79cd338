import type { Action, ResourceType } from '../../../schema/auth-event.ts';
import { getPath, isObject, str } from '../common.ts';

/** Roles whose grant hands over control of the project/org or of other identities (format doc). */
export const PRIVILEGED_ROLES: ReadonlySet<string> = new Set([
  'roles/owner', 'roles/editor', 'roles/resourcemanager.organizationAdmin', 'roles/iam.securityAdmin',
  'roles/iam.serviceAccountTokenCreator', 'roles/iam.serviceAccountKeyAdmin', 'roles/container.admin',
  'roles/iam.serviceAccountUser', 'roles/resourcemanager.projectIamAdmin', 'roles/iam.organizationRoleAdmin',
]);

/** What one audit entry means for access; `iam_policy` entries expand per binding delta. */
export interface GcpKind {
  readonly kind: 'iam_policy' | 'fixed' | 'api';
  readonly action: Action;
  /** Privileged by the nature of the call (before role / resource / policy rules). */
  readonly privileged: boolean;
  /** Service account or member the call acts on ('' when none). */
  readonly target: string;
}

const SA_IN_NAME = /serviceAccounts\/([^/]+@[^/]+)/;
/** Services whose writes change identities or permissions. */
const IDENTITY_SERVICES = new Set(['iam.googleapis.com', 'iamcredentials.googleapis.com', 'cloudresourcemanager.googleapis.com', 'admin.googleapis.com']);

function lastSegment(method: string): string {
  const parts = method.split('.');
  return parts[parts.length - 1] ?? method;
}

/** Service-account email from the request, response, resource labels or resource name. */
function serviceAccountOf(entry: Record<string, unknown>): string {
  const candidates = [
    str(getPath(entry, ['protoPayload', 'request', 'name'])),
    str(getPath(entry, ['protoPayload', 'response', 'name'])),
    str(getPath(entry, ['protoPayload', 'resourceName'])),
  ];
  for (const c of candidates) {
    const m = SA_IN_NAME.exec(c);
    if (m) return m[1].toLowerCase();
  }
  return str(getPath(entry, ['resource', 'labels', 'email_id'])).toLowerCase();
}

/** Classifies an entry by service and method name. */
export function classify(entry: Record<string, unknown>): GcpKind {
  const p = isObject(entry.protoPayload) ? entry.protoPayload : {};
  const method = str(p.methodName);
  const service = str(p.serviceName);
  const last = lastSegment(method);
  const fixed = (action: Action, privileged: boolean, target = ''): GcpKind => ({ kind: 'fixed', action, privileged, target });
  if (/^set(iampolicy|iampermissions)$/i.test(last)) return { kind: 'iam_policy', action: 'privilege_change', privileged: true, target: '' };
  if (service === 'iap.googleapis.com' && last === 'AuthorizeUser') return fixed('session_start', false);
  if (/^(Create|Upload)ServiceAccountKey$/.test(last)) return fixed('credential_issue', true, serviceAccountOf(entry));
  if (/^(Delete|Disable)ServiceAccountKey$/.test(last)) return fixed('access_revoked', true, serviceAccountOf(entry));
  if (last === 'CreateServiceAccount') return fixed('account_change', true, serviceAccountOf(entry));
  if (/^(Delete|Disable)ServiceAccount$/.test(last)) return fixed('access_revoked', true, serviceAccountOf(entry));
  if (service === 'iamcredentials.googleapis.com' && /^(GenerateAccessToken|GenerateIdToken|SignBlob|SignJwt)$/.test(last)) {
    return fixed('credential_issue', true, serviceAccountOf(entry));
  }
  if (/ssh-serialport/.test(service) || /ssh-serialport/.test(method)) return fixed('session_start', true);
  if (/oslogin/i.test(method) && last === 'CheckPolicy') return fixed('login', false);
  if (/^io\.k8s\.core\.v1\.pods\.(exec|attach|portforward)\./.test(method)) return fixed('session_start', true);
  // Metadata writes can push SSH keys (shell access); the body is often not logged, so only flag them.
  if (/^(setMetadata|setCommonInstanceMetadata)$/.test(last)) return fixed('api_call', true);
  return { kind: 'api', action: 'api_call', privileged: IDENTITY_SERVICES.has(service), target: '' };
}

/** True for successful reads that carry no access decision (Get/List/… or *_READ permissions only). */
export function isReadOnly(entry: Record<string, unknown>): boolean {
  const method = str(getPath(entry, ['protoPayload', 'methodName']));
  if (/^(get|list|search|lookup|batchGet|query|testIamPermissions|aggregatedList)/i.test(lastSegment(method))) return true;
  const authz = getPath(entry, ['protoPayload', 'authorizationInfo']);
  if (!Array.isArray(authz) || authz.length === 0) return false;
  return authz.every((a) => /_READ$/.test(str(getPath(a, ['permissionType']))));
}

/** Resource type from the monitored resource and service. */
export function resourceTypeOf(entry: Record<string, unknown>): ResourceType {
  const type = str(getPath(entry, ['resource', 'type']));
  const service = str(getPath(entry, ['protoPayload', 'serviceName']));
  const name = str(getPath(entry, ['protoPayload', 'resourceName']));
  if (name.includes('/iap_tunnel/') || type === 'gce_instance') return 'server';
  if (type === 'gke_cluster' || type === 'k8s_cluster' || service === 'k8s.io' || service === 'container.googleapis.com') return 'kubernetes';
  if (type === 'cloudsql_database' || service === 'sqladmin.googleapis.com') return 'database';
  if (service === 'iap.googleapis.com') return 'application';
  return 'cloud_api';
}
