import { z } from 'zod';

/** Where in the pipeline a record was rejected. */
export const DeadLetterStage = z.enum(['framing', 'unwrap', 'normalize', 'store', 'receiver']);
export type DeadLetterStage = z.infer<typeof DeadLetterStage>;

/** DeadLetter: an input the pipeline could not turn into events, kept with the reason. */
export const DeadLetter = z.object({
  source: z.string(),
  stage: DeadLetterStage,
  received_at: z.string(),
  input_ref: z.string(),
  reason: z.string(),
  detail: z.string(),
  raw: z.string(),
  raw_sha256: z.string(),
});
export type DeadLetter = z.infer<typeof DeadLetter>;
