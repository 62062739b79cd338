import { z } from 'zod';
import { IsoInstant } from './session.ts';

/** What started a revocation episode. */
export const TriggerKind = z.enum(['idp_deactivation', 'privileged_group_removal', 'hr_offboarding']);
export type TriggerKind = z.infer<typeof TriggerKind>;

/**
 * RevocationRecord: one person's access removal, from the first trigger to the last downstream revocation
 * (`closed_at` = the trigger itself when nothing else had to be closed). `trigger_ref`/`closing_ref` are an
 * auth_events id or `offboarding:<row sha256>`.
 */
export const RevocationRecord = z.object({
  person: z.string().min(1),
  trigger_time: IsoInstant,
  trigger_kind: TriggerKind,
  trigger_ref: z.string(),
  closed_at: IsoInstant,
  closing_ref: z.string(),
  hours: z.number().nonnegative(),
  over_sla: z.boolean(),
  evidence_event_ids: z.array(z.string()),
});
export type RevocationRecord = z.infer<typeof RevocationRecord>;

/** Insert column order of `revocations`. */
export const REVOCATION_COLUMNS = [...Object.keys(RevocationRecord.shape), 'computed_at', 'is_deleted'] as const;
