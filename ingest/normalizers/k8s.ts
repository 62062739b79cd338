/**
 * Kubernetes API server audit events (`audit.k8s.io/v1` Event, webhook EventList; v1beta1 read on the
 * same path since its fields are a superset) → AuthEvents.
 *
 * Mapping decisions:
 * - Only `stage: ResponseComplete` is kept (every request has exactly one), so `auditID` alone is the
 *   event id; other stages → drop('non_final_stage'). Events without a stage are rejected.
 * - event_time = `requestReceivedTimestamp` (when access was requested; a watch or exec completes
 *   minutes later), falling back to v1beta1 `timestamp`, then `stageTimestamp`. The API server writes
 *   UTC only, so zone-less times from re-serialized exports are read as UTC.
 * - Actor = `impersonatedUser` when present (behind Teleport the caller is the kube agent's service
 *   account), with details.impersonated_by = the authenticating user and details.via = 'teleport' when
 *   that user is a Teleport agent. EKS assumed-role ARNs whose session name is an email become that
 *   email (user_raw keeps the ARN; details.role / role_session_name / account_id / access_key_id).
 * - user_type: system:serviceaccount:* and other system:* / eks:* components → service;
 *   system:anonymous → unknown; kubernetes-admin or non-email members of system:masters → shared
 *   (static client certificates); otherwise human. Control-plane components (controller-manager,
 *   scheduler, apiserver, kube-proxy, nodes) and health/version probes are dropped as noise.
 * - MFA never appears here: Teleport/EKS/OIDC identities → external_idp; static credentials (client
 *   certificates, service-account tokens, anonymous) → none/not_performed.
 * - Action: exec/attach/portforward → session_start (session_id = auditID) plus a session_end (#1) at
 *   `stageTimestamp` when the stream was granted; writes to (cluster)rolebindings → privilege_change,
 *   one event per subject (target_user = subject, details.role = roleRef); writes to (cluster)roles →
 *   privilege_change; serviceaccounts/token and CSR creation → credential_issue; all else → api_call.
 * - Outcome: 2xx/101/3xx success, 401 failure, 403 denied, other errors failure.
 * - Privileged: effective group system:masters, an authorization reason naming ClusterRole
 *   cluster-admin or EKS AmazonEKSClusterAdminPolicy, any RBAC write, exec/attach into a pod, or
 *   policy.privileged_resources.
 * - Cluster: the audit event does not name its cluster. details.cluster / resource come from
 *   annotation `accessproof.io/cluster` or a collector-added top-level `cluster_name`/`cluster`;
 *   otherwise details.cluster = '' and resource = 'kubernetes'.
 *
 * details keys added here: cluster, via, impersonated_by, groups, account_id, role, role_session_name,
 * access_key_id, role_arn, credential_id, verb, object, subresource, api_group, request_uri,
 * response_code, authz_decision, authz_reason, audit_level, stage_timestamp, role_kind, subject_kind.
 */
import type { AuthEvent } from '../../schema/auth-event.ts';
import { buildEvent, getPath, isObject, str, toIsoMs } from './common.ts';
import type { NormalizeContext, Normalizer } from './normalizer.ts';
import { drop, ok, reject, type StepResult } from './step-result.ts';
import { identityOf, isSystemComponent } from './k8s/identity.ts';
import { actionOf, outcomeOf, privilegedOf, rbacSubjects } from './k8s/request.ts';

const API_VERSIONS: ReadonlySet<string> = new Set(['audit.k8s.io/v1', 'audit.k8s.io/v1beta1']);
const NOISE_URI = /^\/(healthz|readyz|livez|metrics|version|openapi)(\/|\?|$)/;

function clusterOf(ev: Record<string, unknown>): string {
  return str(getPath(ev, ['annotations', 'accessproof.io/cluster'])) || str(ev.cluster_name) || str(ev.cluster);
}

function normalizeK8s(record: unknown, ctx: NormalizeContext): StepResult<AuthEvent[]> {
  if (!isObject(record)) return reject('unsupported_shape', 'expected an audit Event object');
  const kind = str(record.kind);
  if (kind !== '' && kind !== 'Event') return reject('unsupported_shape', `kind=${kind}`);
  const apiVersion = str(record.apiVersion);
  if (apiVersion !== '' && !API_VERSIONS.has(apiVersion)) return reject('unsupported_version', `apiVersion=${apiVersion}`);
  const stage = str(record.stage);
  if (stage === '') return reject('missing_field', 'stage');
  if (stage !== 'ResponseComplete') return drop('non_final_stage');
  const id = identityOf(record);
  if (!id) return reject('missing_field', 'user.username');
  if (isSystemComponent(id.user_raw) || NOISE_URI.test(str(record.requestURI))) return drop('system_component');
  const received = record.requestReceivedTimestamp ?? record.timestamp ?? record.stageTimestamp;
  const time = toIsoMs(received, { assumeUtcIfNoZone: true });
  if (time === null) return reject('invalid_time', `requestReceivedTimestamp=${JSON.stringify(received) ?? 'undefined'}`);
  const stageTime = toIsoMs(record.stageTimestamp, { assumeUtcIfNoZone: true });

  const ref = isObject(record.objectRef) ? record.objectRef : {};
  const verb = str(record.verb).toLowerCase();
  const subresource = str(ref.subresource);
  const cluster = clusterOf(record);
  const resource = cluster || 'kubernetes';
  const action = actionOf(verb, str(ref.resource), subresource);
  const outcome = outcomeOf(record);
  const code = str(getPath(record, ['responseStatus', 'code']));
  const details: Record<string, string> = { cluster, ...id.details, verb };
  const object = [str(ref.namespace), str(ref.resource), str(ref.name)].filter((p) => p !== '').join('/');
  if (object) details.object = object;
  if (subresource) details.subresource = subresource;
  if (str(ref.apiGroup)) details.api_group = str(ref.apiGroup);
  if (str(record.requestURI)) details.request_uri = str(record.requestURI);
  if (code) details.response_code = code;
  const decision = str(getPath(record, ['annotations', 'authorization.k8s.io/decision']));
  if (decision) details.authz_decision = decision;
  const authzReason = str(getPath(record, ['annotations', 'authorization.k8s.io/reason']));
  if (authzReason) details.authz_reason = authzReason;
  if (str(record.level)) details.audit_level = str(record.level);
  if (stageTime) details.stage_timestamp = stageTime;
  const sourceIps = record.sourceIPs;
  const reason = str(getPath(record, ['responseStatus', 'message']))
    || (id.impersonated_by ? `via ${id.impersonated_by}` : '');

  const auditId = str(record.auditID) || ctx.raw_sha256;
  const base = {
    event_type: `${verb} ${[str(ref.resource), subresource].filter((p) => p !== '').join('/') || str(record.requestURI).split('?')[0]}`,
    event_time: time,
    action,
    user: id.user,
    user_raw: id.user_raw,
    user_type: id.user_type,
    resource,
    resource_type: 'kubernetes' as const,
    privileged: privilegedOf(record, id.groups, action, verb, subresource, resource, ctx),
    auth_method: id.auth_method,
    mfa_method: id.mfa_method,
    mfa_evidence: id.mfa_evidence,
    outcome,
    reason,
    session_id: action === 'session_start' ? auditId : '',
    src_ip: Array.isArray(sourceIps) ? str(sourceIps[0]) : '',
    user_agent: str(record.userAgent),
    details,
  };

  if (action === 'privilege_change') {
    const subjects = rbacSubjects(record);
    if (subjects.length === 0) return ok([buildEvent('k8s', auditId, base, ctx)]);
    return ok(subjects.map((s, i) => buildEvent('k8s', i === 0 ? auditId : `${auditId}#${i}`, {
      ...base,
      target_user: s.name,
      details: { ...details, ...s.details },
    }, ctx)));
  }
  const events = [buildEvent('k8s', auditId, base, ctx)];
  if (action === 'session_start' && outcome === 'success' && stageTime) {
    events.push(buildEvent('k8s', `${auditId}#1`, { ...base, action: 'session_end', event_time: stageTime }, ctx));
  }
  return ok(events);
}

/** Kubernetes audit log normalizer (log backend JSON lines, webhook EventList batches). */
export const k8sNormalizer: Normalizer = {
  source: 'k8s',
  format: 'json',
  unwrap(doc: unknown): StepResult<unknown[]> {
    if (isObject(doc) && doc.kind === 'EventList') {
      return Array.isArray(doc.items) ? ok(doc.items) : reject('unsupported_shape', 'EventList without items[]');
    }
    return ok([doc]);
  },
  partitionKey(record: unknown): string {
    return isObject(record) ? identityOf(record)?.user ?? '' : '';
  },
  normalize: normalizeK8s,
};
