import type { AuthEvent } from '../../schema/auth-event.ts';
import { readRecords } from '../../ingest/files/read-records.ts';
import { DEFAULT_POLICY } from '../../ingest/normalizers/common.ts';
import { normalizerFor } from '../../ingest/normalizers/index.ts';
import type { NormalizerPolicy } from '../../ingest/normalizers/normalizer.ts';
import { normalizeRecord } from '../../ingest/normalizers/normalize-record.ts';

/** Result of running a file through framing + normalization, as the `normalize` CLI does. */
export interface NormalizedFile {
  events: (AuthEvent & { input_ref: string })[];
  rejects: { input_ref: string; reason: string; detail: string }[];
  drops: { input_ref: string; reason: string }[];
}

/** Frames and normalizes files for one source, collecting events, rejects and drops. */
export async function normalizeFiles(source: string, paths: string[], policy: NormalizerPolicy = DEFAULT_POLICY): Promise<NormalizedFile> {
  const normalizer = normalizerFor(source);
  if (!normalizer) throw new Error(`no normalizer for ${source}`);
  const out: NormalizedFile = { events: [], rejects: [], drops: [] };
  for await (const item of readRecords(paths, normalizer)) {
    if (item.kind === 'reject') {
      out.rejects.push({ input_ref: item.input_ref, reason: item.reason, detail: item.detail });
      continue;
    }
    if (item.kind === 'drop') {
      out.drops.push({ input_ref: item.input_ref, reason: item.reason });
      continue;
    }
    const r = normalizeRecord(normalizer, item.raw, item.payload, policy, '2025-03-12T00:00:00.000Z');
    if (r.kind === 'ok') for (const e of r.value) out.events.push({ ...e, input_ref: item.input_ref });
    else if (r.kind === 'drop') out.drops.push({ input_ref: item.input_ref, reason: r.reason });
    else out.rejects.push({ input_ref: item.input_ref, reason: r.reason, detail: r.detail });
  }
  return out;
}
