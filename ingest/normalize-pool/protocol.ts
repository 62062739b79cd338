import { packBytes } from '../../core/packed-bytes.ts';
import type { InsertPart } from '../../schema/store/client.ts';
import type { NormalizerPolicy } from '../normalizers/normalizer.ts';
import type { BatchCounts, InboundRecord, SourceStats, StoredEventRef } from '../pipeline.ts';

// Messages between the pipeline and its normalise workers. Records travel as one byte buffer plus offsets and
// the insert bodies come back as transferred ArrayBuffers: cloning 10k objects either way would cost the main
// thread about as much as normalising them.

/** workerData of a normalise worker. */
export interface WorkerInit {
  readonly policy: NormalizerPolicy;
  /** The main thread's dedup-token nonce: a batch retried by this process must carry the same tokens. */
  readonly nonce: string;
}

/** One batch to normalise and encode. */
export interface JobMessage {
  readonly type: 'job';
  readonly id: number;
  readonly ingestedAt: string;
  readonly now: string;
  readonly connector: string;
  readonly sources: readonly string[];
  readonly inputRefs: readonly string[];
  readonly receivedAts: readonly string[];
  readonly sha256s: readonly string[];
  /** Every record's UTF-8 bytes, back to back; record i is bytes[offsets[i], offsets[i + 1]). */
  readonly bytes: Uint8Array;
  readonly offsets: Uint32Array;
}

/** Body memory handed back to the worker that encoded it, once the insert is done. */
export interface RecycleMessage {
  readonly type: 'recycle';
  readonly buffers: readonly ArrayBuffer[];
}

/** An encoded insert body as it crosses threads. */
export interface WirePart {
  readonly table: string;
  readonly columns: readonly string[];
  readonly format: InsertPart['format'];
  readonly token: string;
  readonly body: Uint8Array;
}

/** A finished job. Events are projected to the fields the storing stage reads, as parallel columns. */
export interface ResultMessage {
  readonly type: 'result';
  readonly id: number;
  readonly parts: readonly WirePart[];
  readonly bytes: number;
  readonly counts: BatchCounts;
  readonly sources: readonly [string, SourceStats][];
  readonly eventIds: readonly string[];
  readonly eventSources: readonly string[];
  readonly eventTimes: readonly string[];
  readonly eventActions: readonly StoredEventRef['action'][];
}

/** A job that failed in the worker (a bug: normalisation never throws on data). */
export interface FailureMessage {
  readonly type: 'failure';
  readonly id: number;
  readonly message: string;
}

/** Packs records for a job: their bytes back to back (bus records keep theirs; others are encoded once). */
export function packRecords(records: readonly InboundRecord[]): Pick<JobMessage, 'sources' | 'inputRefs' | 'receivedAts' | 'sha256s' | 'bytes' | 'offsets'> {
  const { bytes, offsets } = packBytes(records.map((r) => r.raw_bytes ?? Buffer.from(r.raw, 'utf8')));
  return {
    sources: records.map((r) => r.source),
    inputRefs: records.map((r) => r.input_ref),
    receivedAts: records.map((r) => r.received_at),
    sha256s: records.map((r) => r.raw_sha256),
    bytes,
    offsets,
  };
}

/** Bodies of at least this size own their ArrayBuffer and are transferred; smaller ones are copied. */
export const TRANSFER_MIN_BYTES = 1 << 16;

/**
 * A body ready to post: a large body that owns its ArrayBuffer is transferred (its buffer joins `transfer`, once);
 * anything else is copied into an ArrayBuffer of its own.
 */
export function wireBody(body: Buffer, transfer: ArrayBuffer[]): Uint8Array {
  const ab = body.buffer;
  if (ab instanceof ArrayBuffer && body.byteLength >= TRANSFER_MIN_BYTES && body.byteOffset === 0 && !transfer.includes(ab)) {
    transfer.push(ab);
    return new Uint8Array(ab, 0, body.byteLength);
  }
  return new Uint8Array(body);
}
