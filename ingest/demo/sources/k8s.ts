/**
 * Kubernetes API server audit events (`audit.k8s.io/v1`, log backend; formats/kubernetes-audit.md) of the
 * demo EKS clusters. The log shipper adds a top-level `cluster_name` (the Event itself does not name its
 * cluster); everything else is the API server's own shape.
 */
import { INFRA, type Person } from '../org.ts';
import type { Rng } from '../prng.ts';
import { isoMicroZ } from '../time-format.ts';
import type { World } from '../world.ts';

/** The caller as the API server authenticated it. */
export interface K8sUser {
  readonly username: string;
  readonly uid?: string;
  readonly groups: readonly string[];
  readonly extra?: Record<string, string[]>;
}

/** Teleport's kube agent service account (impersonates the Teleport user). */
export function teleportAgentUser(w: World): K8sUser {
  return {
    username: 'system:serviceaccount:teleport-agent:teleport-kube-agent', uid: w.org.svc.teleport_kube_sa_uid,
    groups: ['system:serviceaccounts', 'system:serviceaccounts:teleport-agent', 'system:authenticated'],
    extra: {
      'authentication.kubernetes.io/credential-id': [`JTI=${w.org.svc.teleport_kube_jti}`],
      'authentication.kubernetes.io/node-name': ['ip-10-40-7-14.eu-central-1.compute.internal'],
      'authentication.kubernetes.io/pod-name': ['teleport-kube-agent-0'],
    },
  };
}

/** An EKS IAM identity (aws-iam-authenticator) for an assumed role session named after the person. */
export function eksRoleUser(p: Person, role: string, roleId: string, accessKeyId: string): K8sUser {
  const arn = `arn:aws:sts::${INFRA.aws_account}:assumed-role/${role}/${p.email}`;
  return {
    username: arn, uid: `aws-iam-authenticator:${INFRA.aws_account}:${roleId}`,
    groups: [role.includes('SRE') ? 'eks-sre-admins' : 'eks-readers', 'system:authenticated'],
    extra: { accessKeyId: [accessKeyId], arn: [arn], canonicalArn: [`arn:aws:iam::${INFRA.aws_account}:role/${role}`], principalId: [roleId], sessionName: [p.email], 'sigs.k8s.io/aws-iam-authenticator/principalId': [roleId] },
  };
}

/** One request, written as the stages the audit policy records. */
export interface K8sRequest {
  readonly cluster: string;
  readonly t: number;
  /** When the response completed (long-running exec/watch streams complete much later). */
  readonly end?: number;
  readonly user: K8sUser;
  readonly impersonated?: { username: string; groups: readonly string[] };
  readonly ip: string;
  readonly ua: string;
  readonly verb: string;
  readonly uri: string;
  readonly objectRef: Record<string, string>;
  readonly code: number;
  readonly reason?: string;
  readonly forbidMessage?: string;
  readonly level?: 'Metadata' | 'RequestResponse';
  readonly requestObject?: unknown;
  /** Write RequestReceived too (RBAC writes with level RequestResponse). */
  readonly withReceived?: boolean;
  /** Long-running streams (exec/attach/portforward) also log ResponseStarted. */
  readonly streaming?: boolean;
}

function status(code: number, message: string | undefined, kind: string): Record<string, unknown> {
  if (code < 400) return { metadata: {}, code };
  return { metadata: {}, status: 'Failure', message: message ?? 'forbidden', reason: code === 403 ? 'Forbidden' : code === 401 ? 'Unauthorized' : 'NotFound', details: { kind }, code };
}

/** Emits the stages of one API request. */
export function k8sRequest(w: World, rng: Rng, r: K8sRequest): void {
  const auditID = rng.uuid();
  const received = isoMicroZ(r.t, rng.int(0, 999_999));
  const end = r.end ?? r.t + rng.int(3, 60);
  const decision = r.code === 403 ? 'forbid' : 'allow';
  const common = (stage: string, stageT: number): Record<string, unknown> => ({
    kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: r.level ?? 'Metadata', auditID, stage, requestURI: r.uri, verb: r.verb,
    user: { username: r.user.username, ...(r.user.uid ? { uid: r.user.uid } : {}), groups: r.user.groups, ...(r.user.extra ? { extra: r.user.extra } : {}) },
    ...(r.impersonated ? { impersonatedUser: { username: r.impersonated.username, groups: r.impersonated.groups } } : {}),
    sourceIPs: [r.ip], userAgent: r.ua, objectRef: r.objectRef,
    ...(stage === 'RequestReceived' ? {} : { responseStatus: status(r.code, r.forbidMessage, r.objectRef.resource ?? '') }),
    ...(r.requestObject !== undefined && (r.level ?? 'Metadata') !== 'Metadata' ? { requestObject: r.requestObject } : {}),
    requestReceivedTimestamp: received, stageTimestamp: stage === 'RequestReceived' ? received : isoMicroZ(stageT, rng.int(0, 999_999)),
    ...(stage === 'RequestReceived' ? {} : { annotations: { 'authorization.k8s.io/decision': decision, 'authorization.k8s.io/reason': r.reason ?? '' } }),
    cluster_name: r.cluster,
  });
  if (r.withReceived) w.emit('k8s', r.t, common('RequestReceived', r.t));
  if (r.streaming) w.emit('k8s', r.t + 15, common('ResponseStarted', r.t + rng.int(10, 40)));
  w.emit('k8s', end, common('ResponseComplete', end));
}

/** Control-plane chatter (watches, leases) that the normalizer drops as noise. */
export function k8sControlPlaneNoise(w: World, rng: Rng, cluster: string, t: number): void {
  const who = rng.pick([
    { u: 'system:kube-controller-manager', ua: 'kube-controller-manager/v1.31.4 (linux/amd64) kubernetes/c0e6ee2/shared-informers', res: 'endpoints', ns: 'payments', verb: 'watch' },
    { u: 'system:kube-scheduler', ua: 'kube-scheduler/v1.31.4 (linux/amd64) kubernetes/c0e6ee2/leader-election', res: 'leases', ns: 'kube-system', verb: 'update' },
  ]);
  k8sRequest(w, rng, {
    cluster, t, end: t + rng.int(200, 480_000), user: { username: who.u, groups: ['system:authenticated'] }, ip: '10.40.7.2', ua: who.ua, verb: who.verb,
    uri: `/apis/coordination.k8s.io/v1/namespaces/${who.ns}/${who.res}${who.verb === 'watch' ? '?watch=true' : '/kube-scheduler'}`,
    objectRef: { resource: who.res, namespace: who.ns, apiVersion: 'v1' }, code: 200,
    reason: `RBAC: allowed by ClusterRoleBinding "${who.u}" of ClusterRole "${who.u}" to User "${who.u}"`,
  });
}
