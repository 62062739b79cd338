import { z } from 'zod';
import { SourceId } from './auth-event.ts';

/**
 * RawEnvelope: one upstream record as it travels on the bus, before normalization.
 * `raw` is the exact text of the record (one JSON document, or the joined log lines of one
 * text record); `raw_sha256` is over those UTF-8 bytes and is what evidence packs cite.
 */
export const RawEnvelope = z.object({
  source: SourceId,
  received_at: z.string(),
  /** Where the record came from: `<file>:<line>`, `<file>#<index>`, `poll:<url>`, `webhook`, ... */
  input_ref: z.string(),
  raw: z.string(),
  raw_sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type RawEnvelope = z.infer<typeof RawEnvelope>;
