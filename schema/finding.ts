import { z } from 'zod';
import { IsoInstant, Surface } from './session.ts';

/** The bypass findings accessproof reports (README "Findings"); exactly these kinds. */
export const FINDING_KINDS = [
  'direct_ssh_key', 'shared_account', 'local_cloud_user', 'root_account',
  'direct_db_superuser', 'static_credential', 'post_revocation_access', 'no_mfa',
] as const;
export const FindingKind = z.enum(FINDING_KINDS);
export type FindingKind = z.infer<typeof FindingKind>;

/**
 * FindingRecord: one finding with the auth_events ids that prove it. `session_key` is empty for findings about
 * events that are not sessions (root or IAM-user API calls, long-lived key use), grouped per identity and hour.
 */
export const FindingRecord = z.object({
  finding_id: z.string().regex(/^[0-9a-f]{32}$/),
  kind: FindingKind,
  person: z.string(),
  identity: z.string(),
  resource: z.string(),
  surface: Surface,
  session_key: z.string(),
  event_time: IsoInstant,
  evidence_event_ids: z.array(z.string()),
  detail: z.string(),
  privileged: z.boolean(),
});
export type FindingRecord = z.infer<typeof FindingRecord>;

/** Insert column order of `findings`. */
export const FINDING_COLUMNS = [...Object.keys(FindingRecord.shape), 'computed_at', 'is_deleted'] as const;
