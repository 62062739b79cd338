import { z } from 'zod';
import { IsoInstant } from './session.ts';

/** OffboardingRow: one row of an HR/offboarding CSV (`offboarding` table): the person lost access at that time. */
export const OffboardingRow = z.object({
  person: z.string().min(1),
  offboarded_at: IsoInstant,
  reason: z.string(),
  input_ref: z.string(),
  row_sha256: z.string().regex(/^[0-9a-f]{64}$/),
  imported_at: IsoInstant,
});
export type OffboardingRow = z.infer<typeof OffboardingRow>;
