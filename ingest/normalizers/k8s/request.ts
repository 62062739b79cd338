import type { Action, Outcome } from '../../../schema/auth-event.ts';
import { canonicalUser, getPath, isObject, isPrivilegedResource, str } from '../common.ts';
import type { NormalizeContext } from '../normalizer.ts';

const INTERACTIVE: ReadonlySet<string> = new Set(['exec', 'attach', 'portforward']);
const WRITE_VERBS: ReadonlySet<string> = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);
const BINDINGS: ReadonlySet<string> = new Set(['clusterrolebindings', 'rolebindings']);
const ROLES: ReadonlySet<string> = new Set(['clusterroles', 'roles']);
/** Authorization reasons naming a cluster-wide admin grant (RBAC or EKS access policy). */
const ADMIN_REASON = /ClusterRole "cluster-admin"|AmazonEKSClusterAdminPolicy/;

/** What the request did, from verb + resource + subresource (kubectl exec is `create` over SPDY, `get` over WebSocket). */
export function actionOf(verb: string, resource: string, subresource: string): Action {
  if (INTERACTIVE.has(subresource)) return 'session_start';
  if (WRITE_VERBS.has(verb) && (BINDINGS.has(resource) || ROLES.has(resource))) return 'privilege_change';
  if (verb === 'create' && ((resource === 'serviceaccounts' && subresource === 'token') || resource === 'certificatesigningrequests')) {
    return 'credential_issue';
  }
  if (resource === 'certificatesigningrequests' && subresource === 'approval') return 'credential_issue';
  return 'api_call';
}

/** HTTP status → outcome; without a status the authorization decision decides. */
export function outcomeOf(ev: Record<string, unknown>): Outcome {
  const raw = getPath(ev, ['responseStatus', 'code']);
  const code = typeof raw === 'number' ? raw : Number(str(raw) || '0');
  if (code === 403) return 'denied';
  if (code >= 400) return 'failure';
  if (code > 0) return 'success';
  return str(getPath(ev, ['annotations', 'authorization.k8s.io/decision'])) === 'forbid' ? 'denied' : 'success';
}

/** Privileged rule (see module header of k8s.ts). */
export function privilegedOf(
  ev: Record<string, unknown>, groups: readonly string[], action: Action, verb: string, subresource: string,
  resource: string, ctx: NormalizeContext,
): boolean {
  if (groups.includes('system:masters')) return true;
  if (ADMIN_REASON.test(str(getPath(ev, ['annotations', 'authorization.k8s.io/reason'])))) return true;
  if (action === 'privilege_change' && WRITE_VERBS.has(verb)) return true;
  if (subresource === 'exec' || subresource === 'attach') return true;
  return isPrivilegedResource(resource, ctx.policy);
}

/** One RBAC binding subject as a target user. */
export interface RbacSubject {
  readonly name: string;
  readonly details: Record<string, string>;
}

/**
 * Subjects and role of a binding write, from requestObject (Request level) or responseObject. At
 * Metadata level neither exists and the caller keeps a single event without a target.
 */
export function rbacSubjects(ev: Record<string, unknown>): RbacSubject[] {
  const body = [ev.requestObject, ev.responseObject].find((b) => isObject(b) && Array.isArray(b.subjects));
  if (!isObject(body) || !Array.isArray(body.subjects)) return [];
  const roleRef = isObject(body.roleRef) ? body.roleRef : {};
  const role: Record<string, string> = {};
  if (str(roleRef.name)) role.role = str(roleRef.name);
  if (str(roleRef.kind)) role.role_kind = str(roleRef.kind);
  const out: RbacSubject[] = [];
  for (const s of body.subjects) {
    if (!isObject(s) || str(s.name) === '') continue;
    const kind = str(s.kind);
    // Service account subjects are written as the username the API server will authenticate them as.
    const name = kind === 'ServiceAccount'
      ? `system:serviceaccount:${str(s.namespace) || str(getPath(ev, ['objectRef', 'namespace']))}:${str(s.name)}`
      : canonicalUser(str(s.name));
    out.push({ name, details: { ...role, subject_kind: kind || 'User' } });
  }
  return out;
}
