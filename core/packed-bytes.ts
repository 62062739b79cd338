// Byte chunks packed back to back into one buffer that can be transferred to another thread (postMessage transfer
// list) instead of being copied chunk by chunk: the normalise workers' jobs and the Kafka consumer thread's batches.

/** Chunks back to back; chunk i is bytes[offsets[i], offsets[i + 1]). */
export interface PackedBytes {
  readonly bytes: Buffer;
  readonly offsets: Uint32Array;
}

/** Packs chunks into a buffer that owns its ArrayBuffer, so `bytes.buffer` can go in a transfer list. */
export function packBytes(chunks: readonly Uint8Array[]): PackedBytes {
  const n = chunks.length;
  let total = 0;
  for (let i = 0; i < n; i++) total += (chunks[i] as Uint8Array).length;
  // NOTE: allocUnsafeSlow never hands out a slice of Node's shared pool, whose ArrayBuffer cannot be transferred.
  const bytes = Buffer.allocUnsafeSlow(total);
  const offsets = new Uint32Array(n + 1);
  let pos = 0;
  for (let i = 0; i < n; i++) {
    const chunk = chunks[i] as Uint8Array;
    bytes.set(chunk, pos);
    pos += chunk.length;
    offsets[i + 1] = pos;
  }
  return { bytes, offsets };
}

/** A Buffer over packed bytes received from another thread (a Uint8Array after the transfer); no copy. */
export function packedBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
