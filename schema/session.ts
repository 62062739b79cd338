import { z } from 'zod';
import { Environment, MfaMethod, ResourceType } from './auth-event.ts';

/** ISO-8601 UTC instant with milliseconds (the form every record of accessproof uses). */
export const IsoInstant = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, 'expected ISO UTC instant with ms');

/** How the access was made, as an auditor groups it. */
export const Surface = z.enum(['ssh', 'rdp', 'kubernetes', 'database', 'cloud_console', 'cloud_api', 'idp_admin', 'app']);
export type Surface = z.infer<typeof Surface>;

/** Through what the identity reached the resource. */
export const SessionPath = z.enum(['gateway', 'direct', 'federated', 'local']);
export type SessionPath = z.infer<typeof SessionPath>;

/** What ties the session to a second factor (README "MFA binding"). */
export const MfaBinding = z.enum(['direct', 'idp_bound', 'exempt', 'none']);
export type MfaBinding = z.infer<typeof MfaBinding>;

/** Who the identity is: a resolved person, or a non-person account class. */
export const IdentityKind = z.enum(['person', 'service', 'shared', 'break_glass', 'root', 'unknown']);
export type IdentityKind = z.infer<typeof IdentityKind>;

/**
 * SessionRecord: one access of an identity to a resource through one path, with its MFA binding.
 * Columns of the `sessions` table (migration 0003) minus the version/tombstone columns.
 * `event_ids` links the session to its evidence in auth_events (capped at 1000; `event_count` is exact).
 */
export const SessionRecord = z.object({
  session_key: z.string().regex(/^[0-9a-f]{32}$/),
  person: z.string(),
  identity: z.string(),
  resource: z.string(),
  resource_type: ResourceType,
  environment: Environment,
  surface: Surface,
  path: SessionPath,
  started_at: IsoInstant,
  ended_at: IsoInstant.nullable(),
  privileged: z.boolean(),
  outcome: z.literal('success'),
  mfa_binding: MfaBinding,
  mfa_method: MfaMethod,
  phishing_resistant: z.boolean(),
  mfa_event_id: z.string(),
  mfa_age_seconds: z.number().int().nullable(),
  exemption_id: z.string(),
  break_glass: z.boolean(),
  identity_kind: IdentityKind,
  source: z.string(),
  event_ids: z.array(z.string()),
  event_count: z.number().int().nonnegative(),
});
export type SessionRecord = z.infer<typeof SessionRecord>;

/** Insert column order of `sessions` (the record plus version and tombstone). */
export const SESSION_COLUMNS = [...Object.keys(SessionRecord.shape), 'computed_at', 'is_deleted'] as const;
/** Time columns converted to ClickHouse text on insert. */
export const SESSION_TIME_KEYS = ['started_at', 'ended_at'] as const;
