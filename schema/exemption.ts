import { z } from 'zod';
import { IsoInstant } from './session.ts';

/** Longest an exemption may run. */
export const MAX_EXEMPTION_DAYS = 90;

/**
 * ExemptionRow: one append-only row of `exemptions`. A `create` row carries the scope and validity; a `revoke`
 * row (same id) carries revoked_at/revoked_by. Exemptions are never edited: revoke and create a new one.
 * Patterns are case-insensitive globs (`*`); an empty pattern matches anything (at least one is set).
 */
export const ExemptionRow = z.object({
  exemption_id: z.string().min(1),
  row_kind: z.enum(['create', 'revoke']),
  person_pattern: z.string(),
  resource_pattern: z.string(),
  reason: z.string(),
  approver: z.string(),
  starts_at: IsoInstant,
  expires_at: IsoInstant,
  created_by: z.string(),
  created_at: IsoInstant,
  revoked_at: IsoInstant.nullable(),
  revoked_by: z.string(),
});
export type ExemptionRow = z.infer<typeof ExemptionRow>;

/** The state of one exemption, folded from its rows (the create row, with the revoke folded in). */
export const Exemption = ExemptionRow.omit({ row_kind: true });
export type Exemption = z.infer<typeof Exemption>;

/** ExemptionChange: the trail row of every create/revoke, with who did it. */
export const ExemptionChange = z.object({
  change_id: z.string().min(1),
  exemption_id: z.string().min(1),
  action: z.enum(['create', 'revoke']),
  actor: z.string().min(1),
  actor_token_id: z.string(),
  changed_at: IsoInstant,
  detail: z.string(),
});
export type ExemptionChange = z.infer<typeof ExemptionChange>;
