import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { globMatch } from '../normalizers/common.ts';
import type { TrackedAssembly } from './line-assembly.ts';
import { FINGERPRINT_BYTES, fingerprintOf, hashPrefix } from './tail-cursor.ts';

/**
 * One followed file. `live` = the file at the tailed path (or in the tailed directory); `rotated` = renamed or
 * deleted away, still read until it stops growing; `shadow` = a copy of a live file (copytruncate in progress),
 * never read unless its original is truncated.
 */
export interface TailedFile {
  readonly key: string;
  readonly dev: string;
  readonly ino: string;
  /** Ref prefix for input_ref (the path where the file was first seen; no commas). */
  readonly label: string;
  path: string;
  handle: FileHandle;
  role: 'live' | 'rotated' | 'shadow';
  /** Bytes consumed (lines handed to the assembler or framed), and lines before that offset. */
  offset: number;
  line: number;
  fp: string;
  fp_len: number;
  /** Inside an over-long line: discard up to the next LF. */
  skipping: boolean;
  /** Last time the file grew or was read (ms); rotated files finish `rotate_wait_ms` after it. */
  last_growth_ms: number;
  /** Size at the last look, to tell growth from a partial line that just sits there. */
  seen_size: number;
  /** shadow: the key of the live file it copies. */
  shadow_of?: string;
  assembly: TrackedAssembly;
}

/** A file found on disk. */
export interface Candidate {
  readonly key: string;
  readonly dev: string;
  readonly ino: string;
  readonly path: string;
  readonly size: number;
}

/** One line read from a file. `no` is its 1-based line number, `start` its byte offset. */
export interface LineItem {
  readonly text: string;
  readonly start: number;
  readonly no: number;
  /** Longer than max_line_bytes: `text` holds its first bytes only. */
  readonly too_long: boolean;
}

const COMPRESSED = /\.(gz|bz2|xz|zst|lz4|z|zip)$/i;
const KEPT_BYTES = 4096;

/** Stats a path; null unless it is a regular file. */
export async function candidateAt(path: string): Promise<Candidate | null> {
  try {
    const st = await stat(path, { bigint: true });
    if (!st.isFile()) return null;
    const dev = st.dev.toString();
    const ino = st.ino.toString();
    return { key: `${dev}:${ino}`, dev, ino, path, size: Number(st.size) };
  } catch {
    return null;
  }
}

/** Regular files of a directory (not hidden), optionally filtered by name. Missing directory → none. */
export async function listCandidates(dir: string, accept: (name: string) => boolean): Promise<Candidate[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch {
    return [];
  }
  const out: Candidate[] = [];
  for (const name of names) {
    if (name.startsWith('.') || !accept(name)) continue;
    const c = await candidateAt(join(dir, name));
    if (c) out.push(c);
  }
  return out;
}

/** Name filter of a directory tail: the include glob, else everything but compressed rotations. */
export function directoryFilter(include: string | undefined): (name: string) => boolean {
  return include ? (name) => globMatch(include, name) : (name) => !COMPRESSED.test(name);
}

/** Files next to a tailed file that may be it after a rotation (`auth.log.1`, `auth.log-20250311`, ...). */
export function siblingFilter(path: string): (name: string) => boolean {
  const base = basename(path);
  return (name) => name !== base && !COMPRESSED.test(name);
}

/**
 * Opens a candidate and checks it is still the same inode; null when it vanished or changed in between, or cannot
 * be opened (`onError` hears about anything but a vanished file, e.g. EACCES).
 */
export async function openCandidate(c: Candidate, onError?: (path: string, e: Error) => void): Promise<FileHandle | null> {
  let handle: FileHandle;
  try {
    handle = await open(c.path, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') onError?.(c.path, e as Error);
    return null;
  }
  const st = await handle.stat({ bigint: true });
  if (st.dev.toString() !== c.dev || st.ino.toString() !== c.ino) {
    await handle.close();
    return null;
  }
  return handle;
}

/** Current size of an open file. */
export async function sizeOf(f: TailedFile): Promise<number> {
  return Number((await f.handle.stat({ bigint: true })).size);
}

/** True when the file no longer starts with the bytes it was first seen with (truncated, or replaced in place). */
export async function wasReplaced(f: TailedFile, size: number): Promise<boolean> {
  if (size < f.offset) return true;
  if (f.fp_len === 0) return false;
  return (await hashPrefix(f.handle, f.fp_len)) !== f.fp;
}

/** Extends the fingerprint while the file is shorter than FINGERPRINT_BYTES (an append-only prefix is stable). */
export async function growFingerprint(f: TailedFile, size: number): Promise<void> {
  if (f.fp_len >= FINGERPRINT_BYTES || size <= f.fp_len) return;
  const fp = await fingerprintOf(f.handle, size);
  f.fp = fp.fp;
  f.fp_len = fp.fp_len;
}

/**
 * Where `start_at: end` begins: just after the last LF before `size` (so no half line is read), with the number of
 * lines before it (so line numbers in input_ref stay true). Reads the file once, in 1 MiB pieces.
 */
export async function endOfLastLine(handle: FileHandle, size: number): Promise<{ offset: number; line: number }> {
  const buf = Buffer.allocUnsafe(1 << 20);
  let offset = 0;
  let line = 0;
  for (let pos = 0; pos < size;) {
    const { bytesRead } = await handle.read(buf, 0, Math.min(buf.length, size - pos), pos);
    if (bytesRead === 0) break;
    for (let i = buf.indexOf(0x0a); i >= 0 && i < bytesRead; i = buf.indexOf(0x0a, i + 1)) {
      line++;
      offset = pos + i + 1;
    }
    pos += bytesRead;
  }
  return { offset, line };
}

/**
 * Reads complete lines from `f.offset` up to `size` (at most about `maxBytes` plus one line) and advances the
 * offset past them. A trailing partial line stays unread unless `final` (a rotated file that stopped growing).
 * A line longer than `maxLineBytes` comes back `too_long` and the rest of it is skipped.
 */
export async function readLines(f: TailedFile, size: number, maxBytes: number, maxLineBytes: number, final: boolean): Promise<LineItem[]> {
  const items: LineItem[] = [];
  const toRead = Math.min(size - f.offset, Math.max(maxBytes, maxLineBytes + 2));
  if (toRead <= 0) return items;
  const buf = Buffer.allocUnsafe(toRead);
  let n = 0;
  while (n < toRead) {
    const { bytesRead } = await f.handle.read(buf, n, toRead - n, f.offset + n);
    if (bytesRead === 0) break;
    n += bytesRead;
  }
  let start = 0;
  if (f.skipping) {
    const nl = buf.indexOf(0x0a);
    if (nl < 0 || nl >= n) {
      f.offset += n;
      return items;
    }
    f.skipping = false;
    start = nl + 1;
  }
  for (;;) {
    const nl = buf.indexOf(0x0a, start);
    if (nl < 0 || nl >= n) break;
    const end = nl > start && buf[nl - 1] === 0x0d ? nl - 1 : nl;
    const tooLong = end - start > maxLineBytes;
    items.push({ text: buf.toString('utf8', start, tooLong ? start + KEPT_BYTES : end), start: f.offset + start, no: ++f.line, too_long: tooLong });
    start = nl + 1;
  }
  const rest = n - start;
  if (rest >= maxLineBytes) {
    items.push({ text: buf.toString('utf8', start, start + KEPT_BYTES), start: f.offset + start, no: ++f.line, too_long: true });
    f.skipping = true;
    start = n;
  } else if (final && rest > 0 && f.offset + n >= size) {
    items.push({ text: buf.toString('utf8', start, n).replace(/\r$/, ''), start: f.offset + start, no: ++f.line, too_long: false });
    start = n;
  }
  f.offset += start;
  return items;
}
