import type { SourceId } from '../../schema/auth-event.ts';
import type { DeadLetter } from '../../schema/dead-letter.ts';
import { frameDocument } from '../files/read-records.ts';
import { sha256Hex } from '../normalizers/common.ts';
import { normalizerFor } from '../normalizers/index.ts';
import { deadLetterOf, type InboundRecord } from '../pipeline.ts';

/** Records and framing rejects of one API page. */
export interface FramedPage {
  readonly records: InboundRecord[];
  readonly rejects: DeadLetter[];
}

/**
 * Splits one decoded API page into records with the same framing files and webhooks use (the normalizer's
 * `unwrap` knows the vendor envelope: Graph `value`, Reports `items`, Duo `response.authlogs`).
 */
export function framePage(type: SourceId, name: string, doc: unknown, text: string, received_at: string): FramedPage {
  const normalizer = normalizerFor(type);
  if (!normalizer) throw new Error(`no normalizer for source ${type}`);
  const ref = `poll:${name}@${received_at}`;
  const records: InboundRecord[] = [];
  const rejects: DeadLetter[] = [];
  for (const item of frameDocument(doc, text, ref, normalizer)) {
    if (item.kind === 'record') {
      records.push({ source: type, raw: item.raw, input_ref: item.input_ref, received_at, raw_sha256: sha256Hex(item.raw), payload: item.payload });
    } else if (item.kind === 'reject') {
      rejects.push(deadLetterOf({ source: type, raw: item.raw, input_ref: item.input_ref, received_at }, 'receiver', item.reason, item.detail));
    }
    // 'drop': expected noise inside a page (e.g. an empty batch); nothing to store.
  }
  return { records, rejects };
}

/** Latest of some ISO instants (lexical order works for same-format UTC strings; Date parsing covers the rest). */
export function newestTime(times: Iterable<string | undefined>): string | undefined {
  let best: number | undefined;
  for (const t of times) {
    if (!t) continue;
    const ms = Date.parse(t);
    if (Number.isFinite(ms) && (best === undefined || ms > best)) best = ms;
  }
  return best === undefined ? undefined : new Date(best).toISOString();
}
