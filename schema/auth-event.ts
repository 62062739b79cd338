import { z } from 'zod';

/** Every upstream system accessproof reads. The id is also the file name of its normalizer. */
export const SOURCE_IDS = [
  'okta', 'entra', 'google', 'duo',
  'teleport', 'boundary', 'sshd', 'k8s', 'postgres',
  'cloudtrail', 'gcp', 'azure', 'aws_credential_report',
  'hr',
] as const;
export const SourceId = z.enum(SOURCE_IDS);
export type SourceId = z.infer<typeof SourceId>;

export const SourceKind = z.enum(['idp', 'gateway', 'host', 'kubernetes', 'database', 'cloud', 'hr']);
export type SourceKind = z.infer<typeof SourceKind>;

export const Action = z.enum([
  'login', 'mfa_verify', 'mfa_enroll', 'session_start', 'session_end', 'credential_issue',
  'role_assumption', 'privilege_change', 'account_change', 'access_revoked', 'api_call',
]);
export type Action = z.infer<typeof Action>;

export const UserType = z.enum(['human', 'service', 'root', 'shared', 'unknown']);
export type UserType = z.infer<typeof UserType>;

export const ResourceType = z.enum([
  'idp_app', 'server', 'database', 'kubernetes', 'cloud_console', 'cloud_role', 'cloud_api', 'application',
]);
export type ResourceType = z.infer<typeof ResourceType>;

export const Environment = z.enum(['prod', 'staging', 'dev', 'unknown']);
export type Environment = z.infer<typeof Environment>;

export const AuthMethod = z.enum(['password', 'publickey', 'certificate', 'sso', 'token', 'access_key', 'unknown']);
export type AuthMethod = z.infer<typeof AuthMethod>;

/** Canonical second-factor method; `bypass` is an admin-issued bypass and never counts as MFA. */
export const MfaMethod = z.enum([
  'none', 'sms', 'voice', 'email', 'totp', 'push', 'push_number_match', 'webauthn', 'security_key',
  'smartcard', 'certificate', 'passkey', 'bypass', 'unknown',
]);
export type MfaMethod = z.infer<typeof MfaMethod>;

export const MfaEvidence = z.enum(['performed', 'previously_satisfied', 'external_idp', 'not_performed', 'unknown']);
export type MfaEvidence = z.infer<typeof MfaEvidence>;

export const Outcome = z.enum(['success', 'failure', 'denied']);
export type Outcome = z.infer<typeof Outcome>;

/** ISO-8601 UTC instant with milliseconds, e.g. 2025-03-11T09:00:05.123Z. */
const IsoInstant = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, 'expected ISO UTC instant with ms');

/**
 * AuthEvent: one normalized fact, one (or a few) per source event. The product's contract: keep these names.
 * `user` is the actor; `target_user` is the subject of admin actions (the person deactivated, granted, removed).
 * `details` carries source facts the correlator needs (cert key id, CA, role, policy, groups, access key id...).
 */
export const AuthEvent = z.object({
  event_id: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
  source: SourceId,
  source_kind: SourceKind,
  source_event_id: z.string(),
  event_type: z.string(),
  event_time: IsoInstant,
  ingested_at: IsoInstant,
  action: Action,
  user: z.string(),
  user_raw: z.string(),
  user_type: UserType,
  target_user: z.string(),
  resource: z.string(),
  resource_type: ResourceType,
  environment: Environment,
  privileged: z.boolean(),
  auth_method: AuthMethod,
  mfa_method: MfaMethod,
  mfa_method_raw: z.string(),
  mfa_verified: z.boolean(),
  mfa_evidence: MfaEvidence,
  phishing_resistant: z.boolean(),
  outcome: Outcome,
  reason: z.string(),
  session_id: z.string(),
  src_ip: z.string(),
  user_agent: z.string(),
  raw_sha256: z.string().regex(/^[0-9a-f]{64}$/),
  details: z.record(z.string(), z.string()),
});
export type AuthEvent = z.infer<typeof AuthEvent>;

/** Column order of auth_events inserts; the same order as the migration and the serializer. */
export const AUTH_EVENT_COLUMNS = Object.keys(AuthEvent.shape) as (keyof AuthEvent)[];

/** Which kind each source is; fixed per source. */
export const SOURCE_KIND: Record<SourceId, SourceKind> = {
  okta: 'idp', entra: 'idp', google: 'idp', duo: 'idp',
  teleport: 'gateway', boundary: 'gateway', sshd: 'host', k8s: 'kubernetes', postgres: 'database',
  cloudtrail: 'cloud', gcp: 'cloud', azure: 'cloud', aws_credential_report: 'cloud', hr: 'hr',
};
