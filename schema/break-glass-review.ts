import { z } from 'zod';
import { IsoInstant } from './session.ts';

/** BreakGlassReview: one review of a break-glass session (`break_glass_reviews` table). */
export const BreakGlassReview = z.object({
  review_id: z.string().min(1),
  session_key: z.string().regex(/^[0-9a-f]{32}$/),
  reviewer: z.string().min(1),
  reviewer_token_id: z.string(),
  notes: z.string(),
  reviewed_at: IsoInstant,
});
export type BreakGlassReview = z.infer<typeof BreakGlassReview>;
