/**
 * GCP Cloud Audit Logs `LogEntry` objects as a Log Router sink delivers them (formats/gcp-audit.md):
 * IAP tunnels, IAM policy changes, service-account impersonation and keys, system events.
 */
import { INFRA, type Person } from '../org.ts';
import { ALPHABET, type Rng } from '../prng.ts';
import { isoMicroZ } from '../time-format.ts';
import type { World } from '../world.ts';

const PROJECT = INFRA.gcp_project;
/** The CI service account. */
export const CI_SA = `ci-deployer@${PROJECT}.iam.gserviceaccount.com`;
const GCLOUD = (cmd: string): string => `google-cloud-sdk gcloud/508.0.0 command/gcloud.${cmd} invocation-id/`;

/** GCE instances reachable through IAP. */
export const GCP_INSTANCES = [
  { name: 'payments-worker-1', id: '7301948822019384756', zone: 'europe-west3-a' },
  { name: 'payments-worker-2', id: '7301948822019384757', zone: 'europe-west3-b' },
  { name: 'reporting-1', id: '7301948822019384790', zone: 'europe-west3-a' },
] as const;

/** One audit log entry. */
export interface GcpEntry {
  readonly principal: string;
  readonly subject?: string;
  readonly delegatedBy?: string;
  readonly saKey?: string;
  readonly ip: string;
  readonly ua: string;
  readonly service: string;
  readonly method: string;
  readonly resourceName: string;
  readonly authz: readonly { resource: string; permission: string; granted: boolean; permissionType?: string }[];
  readonly denied?: boolean;
  readonly request?: unknown;
  readonly response?: unknown;
  readonly serviceData?: unknown;
  readonly resource: { type: string; labels: Record<string, string> };
  readonly log: 'activity' | 'data_access' | 'system_event';
  readonly parent?: string;
}

/** Emits one LogEntry. */
export function gcpEmit(w: World, rng: Rng, t: number, e: GcpEntry): void {
  const ts = isoMicroZ(t, rng.int(0, 999) * 1000);
  const write = e.log === 'activity';
  w.emit('gcp', t, {
    protoPayload: {
      '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
      status: e.denied ? { code: 7, message: 'PERMISSION_DENIED' } : {},
      authenticationInfo: {
        principalEmail: e.principal,
        ...(e.delegatedBy ? { serviceAccountDelegationInfo: [{ firstPartyPrincipal: { principalEmail: e.delegatedBy } }] } : {}),
        ...(e.saKey ? { serviceAccountKeyName: `//iam.googleapis.com/projects/${PROJECT}/serviceAccounts/${e.principal}/keys/${e.saKey}` } : {}),
        ...(e.subject ? { principalSubject: e.subject } : {}),
      },
      requestMetadata: e.ip === '' ? { requestAttributes: {}, destinationAttributes: {} } : { callerIp: e.ip, callerSuppliedUserAgent: e.ua, requestAttributes: { time: ts, auth: {} }, destinationAttributes: {} },
      serviceName: e.service, methodName: e.method,
      authorizationInfo: e.authz.map((a) => ({ resource: a.resource, permission: a.permission, granted: a.granted, resourceAttributes: {}, ...(a.permissionType ? { permissionType: a.permissionType } : {}) })),
      resourceName: e.resourceName,
      ...(e.request !== undefined ? { request: e.request } : {}),
      ...(e.response !== undefined ? { response: e.response } : {}),
      ...(e.serviceData !== undefined ? { serviceData: e.serviceData } : {}),
    },
    insertId: rng.chars(12, ALPHABET.lowerDigits),
    resource: e.resource,
    timestamp: ts,
    severity: e.denied ? 'ERROR' : write ? 'NOTICE' : 'INFO',
    logName: `${e.parent ?? `projects/${PROJECT}`}/logs/cloudaudit.googleapis.com%2F${e.log}`,
    receiveTimestamp: isoMicroZ(t + rng.int(200, 2500), rng.int(0, 999_999)),
  });
}

/** IAP TCP forwarding (SSH) to an instance: allowed or denied. */
export function gcpIapTunnel(w: World, rng: Rng, p: Person, t: number, ip: string, inst: (typeof GCP_INSTANCES)[number], granted: boolean): void {
  const res = `projects/${PROJECT}/iap_tunnel/zones/${inst.zone}/instances/${inst.id}/ports/22`;
  gcpEmit(w, rng, t, {
    principal: p.email, subject: `user:${p.email}`, ip, ua: '(gzip),gzip(gfe)', service: 'iap.googleapis.com', method: 'AuthorizeUser', resourceName: res,
    authz: [{ resource: res, permission: 'iap.tunnelInstances.accessViaIAP', granted }], denied: !granted,
    request: { '@type': 'type.googleapis.com/cloud.security.gatekeeper.AuthorizeUserRequest', httpRequest: { url: '' } },
    response: { '@type': 'type.googleapis.com/cloud.security.gatekeeper.AuthorizeUserResponse' },
    resource: { type: 'gce_instance', labels: { project_id: PROJECT, zone: inst.zone, instance_id: inst.id } }, log: 'data_access',
  });
}

/** A project (or org) IAM binding change. */
export function gcpSetIamPolicy(w: World, rng: Rng, admin: Person, t: number, o: { role: string; member: string; action: 'ADD' | 'REMOVE'; org?: boolean; denied?: boolean }): void {
  const target = o.org ? `organizations/${INFRA.gcp_org}` : `projects/${PROJECT}`;
  const kind = o.org ? 'organizations' : 'projects';
  gcpEmit(w, rng, t, {
    principal: admin.email, subject: `user:${admin.email}`, ip: INFRA.office_ip,
    ua: `${GCLOUD(`${kind}.${o.action === 'ADD' ? 'add' : 'remove'}-iam-policy-binding`)}${rng.chars(12, ALPHABET.hex)}`,
    service: 'cloudresourcemanager.googleapis.com', method: 'SetIamPolicy', resourceName: target,
    authz: [{ resource: target, permission: `resourcemanager.${kind}.setIamPolicy`, granted: !o.denied, permissionType: 'ADMIN_WRITE' }], denied: o.denied,
    ...(o.denied ? {} : { serviceData: { '@type': 'type.googleapis.com/google.iam.v1.logging.AuditData', policyDelta: { bindingDeltas: [{ action: o.action, role: o.role, member: o.member }] } } }),
    resource: o.org ? { type: 'organization', labels: { organization_id: INFRA.gcp_org } } : { type: 'project', labels: { project_id: PROJECT } },
    log: 'activity', ...(o.org ? { parent: `organizations/${INFRA.gcp_org}` } : {}),
  });
}

/** A user impersonating the CI service account (`GenerateAccessToken`, Data Access). */
export function gcpImpersonate(w: World, rng: Rng, p: Person, t: number, ip: string): void {
  const res = `projects/-/serviceAccounts/${CI_SA}`;
  gcpEmit(w, rng, t, {
    principal: p.email, subject: `user:${p.email}`, ip, ua: `${GCLOUD('container.clusters.get-credentials')}${rng.chars(12, ALPHABET.hex)}`,
    service: 'iamcredentials.googleapis.com', method: 'GenerateAccessToken', resourceName: res,
    authz: [{ resource: res, permission: 'iam.serviceAccounts.getAccessToken', granted: true }],
    request: { '@type': 'type.googleapis.com/google.iam.credentials.v1.GenerateAccessTokenRequest', name: res },
    resource: { type: 'service_account', labels: { project_id: PROJECT, email_id: CI_SA, unique_id: '118273645509182736451' } }, log: 'data_access',
  });
}

/** The CI service account using its user-managed key (Terraform changing instance metadata). */
export function gcpCiKeyUse(w: World, rng: Rng, t: number, inst: (typeof GCP_INSTANCES)[number]): void {
  const res = `projects/${PROJECT}/zones/${inst.zone}/instances/${inst.name}`;
  gcpEmit(w, rng, t, {
    principal: CI_SA, subject: `serviceAccount:${CI_SA}`, saKey: w.org.svc.ci_gcp_key, ip: '35.198.64.21',
    ua: 'google-api-go-client/0.5 Terraform/1.10.3 (+https://www.terraform.io) Terraform-Plugin-SDK/2.33.0 terraform-provider-google/6.14.1',
    service: 'compute.googleapis.com', method: 'v1.compute.instances.setMetadata', resourceName: res,
    authz: [{ resource: res, permission: 'compute.instances.setMetadata', granted: true, permissionType: 'ADMIN_WRITE' }],
    resource: { type: 'gce_instance', labels: { project_id: PROJECT, zone: inst.zone, instance_id: inst.id } }, log: 'activity',
  });
}

/** Platform maintenance by Google itself (dropped as noise). */
export function gcpSystemEvent(w: World, rng: Rng, t: number, inst: (typeof GCP_INSTANCES)[number]): void {
  gcpEmit(w, rng, t, {
    principal: 'system@google.com', ip: '', ua: '', service: 'compute.googleapis.com', method: 'compute.instances.migrateOnHostMaintenance',
    resourceName: `projects/${PROJECT}/zones/${inst.zone}/instances/${inst.name}`, authz: [],
    resource: { type: 'gce_instance', labels: { project_id: PROJECT, zone: inst.zone, instance_id: inst.id } }, log: 'system_event',
  });
}
