import { z } from 'zod';

/** CorrelationDirtyRow: a `dirty` mark (ingestion) or `done` mark (a correlation run) of one UTC day. */
export const CorrelationDirtyRow = z.object({
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  kind: z.enum(['dirty', 'done']),
  /** Version token (µs since the epoch, increasing): the latest mark of each kind wins. */
  token: z.number().int().positive(),
});
export type CorrelationDirtyRow = z.infer<typeof CorrelationDirtyRow>;

/** CorrelationStateRow: one key/value of correlator state (e.g. the IdP profiles identity resolution used). */
export const CorrelationStateRow = z.object({
  key: z.string().min(1),
  value: z.string(),
  token: z.number().int().positive(),
});
export type CorrelationStateRow = z.infer<typeof CorrelationStateRow>;
