import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { z } from 'zod';

/** Bytes at the start of a file that identify it (a replaced or truncated file has other first bytes). */
export const FINGERPRINT_BYTES = 1024;

/** Resume point of one tailed file. `dev`/`ino` as decimal strings (64-bit on some file systems). */
export const TailFileCursor = z.object({
  dev: z.string().regex(/^\d+$/),
  ino: z.string().regex(/^\d+$/),
  /** Where the file was last seen (informational: files are found again by dev/ino, then fingerprint). */
  path: z.string(),
  /** Byte offset of the first line not yet stored, and the number of lines before it. */
  offset: z.number().int().min(0),
  line: z.number().int().min(0),
  /** SHA-256 (hex) of the first `fp_len` bytes. */
  fp: z.string().regex(/^[0-9a-f]{64}$/),
  fp_len: z.number().int().min(0).max(FINGERPRINT_BYTES),
}).strict();
export type TailFileCursor = z.infer<typeof TailFileCursor>;

/** The cursor row of one tail (`ingest_cursors.name` = `tail:<name>`): every file it follows. */
export const TailCursor = z.object({
  v: z.literal(1),
  files: z.array(TailFileCursor),
}).strict();
export type TailCursor = z.infer<typeof TailCursor>;

/** Parses a saved cursor; undefined when there is none, null when it is unreadable (then start fresh). */
export function parseTailCursor(text: string | undefined): TailCursor | undefined | null {
  if (text === undefined || text === '') return undefined;
  try {
    const r = TailCursor.safeParse(JSON.parse(text));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

/** A file's identity: its first bytes' hash. */
export interface Fingerprint {
  readonly fp: string;
  readonly fp_len: number;
}

/** Fingerprint over the first min(size, FINGERPRINT_BYTES) bytes. */
export async function fingerprintOf(handle: FileHandle, size: number): Promise<Fingerprint> {
  const len = Math.min(size, FINGERPRINT_BYTES);
  return { fp: await hashPrefix(handle, len), fp_len: len };
}

/** SHA-256 of the first `len` bytes, or '' when the file is shorter. */
export async function hashPrefix(handle: FileHandle, len: number): Promise<string> {
  const buf = Buffer.alloc(len);
  let got = 0;
  while (got < len) {
    const { bytesRead } = await handle.read(buf, got, len - got, got);
    if (bytesRead === 0) return '';
    got += bytesRead;
  }
  return createHash('sha256').update(buf).digest('hex');
}
