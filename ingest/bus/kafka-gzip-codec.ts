import { gzip, unzip } from 'node:zlib';
import { promisify } from 'node:util';
import kafkajs from 'kafkajs';

// GZIP codec for kafkajs, replacing its built-in one (research/performance.md P-11).
// kafkajs inflates each record batch with zlib.unzip at zlib's default 16 KiB output chunk. The inflate itself
// runs on the libuv threadpool, but every 16 KiB of output is a round trip to the JS thread (callback, new
// chunk, next write) and a final Buffer.concat: a ~500 KB record batch costs ~30 hops. Measured on the bench
// corpus (2.4 KB JSON records, ratio ~6): 2.5–3× the CPU of the inflate and 150–250 ms of JS-thread time per
// 100 MB, while the consumer's fetch loop waits. Sizing the output buffer from the gzip trailer (ISIZE, RFC 1952)
// makes each record batch one threadpool job and one callback, and the read-ahead below overlaps the inflates of
// a fetch with kafkajs's record decoding. The bytes produced are identical; only buffer sizing and timing differ.
// Compression is unchanged (zlib.gzip, default level, as kafkajs does it).

const unzipAsync = promisify(unzip);
const gzipAsync = promisify(gzip);

const MIN_CHUNK = 64 * 1024;
/** Upper bound for one output buffer: the trailer is untrusted input; larger outputs just take several chunks. */
const MAX_CHUNK = 16 * 1024 * 1024;

/** The output chunk size for one compressed record batch: its decompressed size (+1, see below), bounded. */
export function inflateChunkSize(compressed: Buffer): number {
  let hint: number;
  // A gzip member ends with ISIZE, the uncompressed length mod 2^32 (little-endian).
  if (compressed.length >= 18 && compressed[0] === 0x1f && compressed[1] === 0x8b) hint = compressed.readUInt32LE(compressed.length - 4);
  else hint = compressed.length * 8;
  // +1: zlib treats a completely filled output buffer as "maybe more" and makes one more pass with a new buffer.
  return Math.min(MAX_CHUNK, Math.max(MIN_CHUNK, hint + 1));
}

/** Decompresses one record batch's records (gzip; unzip also accepts zlib-wrapped data, like kafkajs's codec). */
export function inflateRecords(compressed: Buffer): Promise<Buffer> {
  stats.inflates += 1;
  return unzipAsync(compressed, { chunkSize: inflateChunkSize(compressed) });
}

// Read-ahead. kafkajs decodes a fetch response's record batches one after the other: inflate batch 1, decode its
// records on the JS thread, inflate batch 2, ... so the JS thread idles during every inflate and the threadpool
// idles during every decode. The compressed records kafkajs hands to the codec are views into the response
// buffer, and the record batches of a partition follow each other in it. So on a miss the codec also starts
// inflating the batches that follow in the same buffer, and kafkajs's later calls find them done or in flight.
// A later call is served from the read-ahead only for exactly the same bytes (same ArrayBuffer, offset, length),
// and received bytes are never rewritten, so the result is always the inflate of what kafkajs asked for; a
// parse that goes wrong (end of the partition's data, a truncated batch) only wastes an inflate.

const stats = { inflates: 0, readAheadHits: 0 };

/**
 * Counters since process start (tests and the bench check that the read-ahead is actually used): this thread's, plus
 * those of the consumer threads whose subscriptions have stopped.
 */
export function kafkaGzipCodecStats(): { readonly inflates: number; readonly readAheadHits: number } {
  return { ...stats };
}

/** Adds a consumer thread's counters (reported when its subscription stops) to this thread's. */
export function mergeKafkaGzipCodecStats(other: { readonly inflates: number; readonly readAheadHits: number }): void {
  stats.inflates += other.inflates;
  stats.readAheadHits += other.readAheadHits;
}

const readAhead = new WeakMap<ArrayBufferLike, Map<number, { readonly length: number; readonly output: Promise<Buffer> }>>();

// RecordBatch v2: baseOffset int64, batchLength int32 (counts from the next field), partitionLeaderEpoch int32,
// magic int8, crc int32, attributes int16, lastOffsetDelta int32, 3 × int64 (timestamps, producerId),
// producerEpoch int16, baseSequence int32, record count int32, then the (compressed) records.
const LENGTH_AT = 8;
const MAGIC_AT = 16;
const ATTRIBUTES_AT = 21;
const RECORDS_AT = 61;
const LENGTH_TO_RECORDS = RECORDS_AT - LENGTH_AT - 4;
const GZIP_ATTRIBUTE = 1;
const CODEC_MASK = 0x07;
const MAX_READ_AHEAD = 64;

function startReadAhead(after: Buffer): void {
  const memory = after.buffer;
  const view = Buffer.from(memory, 0, memory.byteLength);
  let pending = readAhead.get(memory);
  let at = after.byteOffset + after.length;
  for (let n = 0; n < MAX_READ_AHEAD && at + RECORDS_AT + 18 <= view.length; n++) {
    const length = view.readInt32BE(at + LENGTH_AT);
    const end = at + LENGTH_AT + 4 + length;
    if (length <= LENGTH_TO_RECORDS || end > view.length || view[at + MAGIC_AT] !== 2) return;
    if ((view.readInt16BE(at + ATTRIBUTES_AT) & CODEC_MASK) !== GZIP_ATTRIBUTE) return;
    const start = at + RECORDS_AT;
    if (view[start] !== 0x1f || view[start + 1] !== 0x8b) return;
    if (pending === undefined) {
      pending = new Map();
      readAhead.set(memory, pending);
    }
    if (!pending.has(start)) {
      const output = inflateRecords(view.subarray(start, end));
      // Unclaimed read-aheads (a mis-parse) must not surface as unhandled rejections; a claimed one rejects for
      // kafkajs exactly as a direct inflate would.
      output.catch(() => undefined);
      pending.set(start, { length: end - start, output });
    }
    at = end;
  }
}

/** The GZIP `decompress` of the codec: a read-ahead result for these exact bytes, else inflate and read ahead. */
export function decompressGzip(compressed: Buffer): Promise<Buffer> {
  const pending = readAhead.get(compressed.buffer);
  const hit = pending?.get(compressed.byteOffset);
  if (hit !== undefined && hit.length === compressed.length) {
    pending?.delete(compressed.byteOffset);
    stats.readAheadHits += 1;
    return hit.output;
  }
  const output = inflateRecords(compressed);
  startReadAhead(compressed);
  return output;
}

interface KafkajsEncoder {
  readonly buffer: Buffer;
}

const GZIP_CODEC = {
  compress: (encoder: KafkajsEncoder): Promise<Buffer> => gzipAsync(encoder.buffer),
  decompress: decompressGzip,
};

/**
 * Registers the codec in kafkajs's (process-wide) codec table. Idempotent; createKafkaBus calls it, so every
 * producer and consumer of the product uses it.
 */
export function installKafkaGzipCodec(): void {
  kafkajs.CompressionCodecs[kafkajs.CompressionTypes.GZIP] = () => GZIP_CODEC;
}
