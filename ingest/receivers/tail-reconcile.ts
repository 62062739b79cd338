import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '../../core/logger.ts';
import type { AssembledRecord } from '../normalizers/normalizer.ts';
import type { TrackedAssembly } from './line-assembly.ts';
import { fingerprintOf, hashPrefix, type TailCursor } from './tail-cursor.ts';
import {
  candidateAt, directoryFilter, endOfLastLine, listCandidates, openCandidate, siblingFilter, sizeOf, wasReplaced,
  type Candidate, type TailedFile,
} from './tail-file.ts';

/** What reconciliation needs to know about one tail. */
export interface TailLayout {
  readonly mode: 'file' | 'dir';
  /** Absolute path of the tailed file or directory. */
  readonly path: string;
  readonly include?: string;
  readonly start_at: 'beginning' | 'end';
  readonly newAssembly: () => TrackedAssembly;
  readonly log: Logger;
}

/** The files a tail follows, oldest content first. */
export interface TailState {
  files: TailedFile[];
  /** No cursor was saved yet: `start_at` applies to the files found now. */
  firstRun: boolean;
  /** Paths already reported as unreadable (warned once, retried every poll). */
  readonly unreadable: Set<string>;
}

/** Receives what an assembler held when its file was truncated (those lines precede the truncation). */
export type Emit = (f: TailedFile, records: AssembledRecord[]) => void;

function primary(layout: TailLayout): Promise<Candidate[]> {
  if (layout.mode === 'dir') return listCandidates(layout.path, directoryFilter(layout.include));
  return candidateAt(layout.path).then((c) => (c ? [c] : []));
}

/** Where a followed file may be after a rotation: next to the tailed file, or in the tailed directory. */
function siblings(layout: TailLayout): Promise<Candidate[]> {
  if (layout.mode === 'dir') return primary(layout);
  return listCandidates(dirname(layout.path), siblingFilter(layout.path));
}

function track(layout: TailLayout, c: Candidate, handle: FileHandle, at: Pick<TailedFile, 'role' | 'offset' | 'line' | 'fp' | 'fp_len'>, nowMs: number): TailedFile {
  return {
    key: c.key, dev: c.dev, ino: c.ino, label: c.path.replace(/,/g, '%2C'), path: c.path, handle,
    ...at, skipping: false, last_growth_ms: nowMs, seen_size: c.size, assembly: layout.newAssembly(),
  };
}

/** A file among `pool` that starts with the fingerprinted bytes and holds at least `minSize` bytes. */
async function findCopy(pool: readonly Candidate[], fp: string, fpLen: number, minSize: number): Promise<{ c: Candidate; handle: FileHandle } | null> {
  if (fpLen === 0) return null;
  for (const c of pool) {
    if (c.size < Math.max(minSize, fpLen)) continue;
    const handle = await openCandidate(c);
    if (!handle) continue;
    if ((await hashPrefix(handle, fpLen)) === fp) return { c, handle };
    await handle.close();
  }
  return null;
}

/**
 * Finds the files of a saved cursor again: by dev/ino with the same first bytes, else (renamed across file
 * systems, or truncated with a copy kept by copytruncate) by fingerprint. A file found away from the tailed path
 * (file mode) is read to its end as `rotated`. Files that cannot be found are logged: their unread tail is lost.
 */
export async function resumeFiles(layout: TailLayout, cursor: TailCursor, nowMs: number): Promise<TailedFile[]> {
  const pool = new Map<string, Candidate>();
  for (const c of [...(await primary(layout)), ...(await siblings(layout))]) pool.set(c.key, c);
  const files: TailedFile[] = [];
  for (const e of cursor.files) {
    const key = `${e.dev}:${e.ino}`;
    if (files.some((f) => f.key === key)) continue;
    let c = pool.get(key);
    let handle = c ? await openCandidate(c) : null;
    if (handle && c && e.fp_len > 0 && (c.size < e.fp_len || (await hashPrefix(handle, e.fp_len)) !== e.fp)) {
      await handle.close();
      handle = null;
    }
    if (!handle) {
      const untracked = [...pool.values()].filter((p) => p.key !== key && !files.some((f) => f.key === p.key));
      const copy = await findCopy(untracked, e.fp, e.fp_len, e.offset);
      if (copy) ({ c, handle } = copy);
    }
    if (!handle || !c) {
      layout.log.warn({ path: e.path, offset: e.offset }, 'tailed file not found after restart; its unread rest is lost');
      continue;
    }
    const role = layout.mode === 'file' && c.path !== layout.path ? 'rotated' : 'live';
    files.push(track(layout, c, handle, { role, offset: e.offset, line: e.line, fp: e.fp, fp_len: e.fp_len }, nowMs));
  }
  files.sort((a, b) => (a.role === 'rotated' ? 0 : 1) - (b.role === 'rotated' ? 0 : 1));
  return files;
}

/**
 * One look at the disk: marks files renamed or deleted away as `rotated`; restarts truncated or replaced files
 * at 0 after adopting the copy copytruncate made (read from where the original was left); picks up new files
 * (in a directory, a new file that starts like a followed one is that file's copy and stays a `shadow`).
 */
export async function reconcile(layout: TailLayout, state: TailState, nowMs: number, emit: Emit): Promise<void> {
  const found = await primary(layout);
  const byKey = new Map(found.map((c) => [c.key, c]));
  const isTracked = (key: string): boolean => state.files.some((f) => f.key === key);
  for (const f of [...state.files]) {
    if (f.role !== 'live') continue;
    const c = byKey.get(f.key);
    if (c) f.path = c.path;
    if (!c) {
      f.role = 'rotated';
      f.last_growth_ms = nowMs;
      layout.log.info({ path: f.path }, 'tailed file rotated away');
      continue;
    }
    const size = await sizeOf(f);
    if (await wasReplaced(f, size)) await restartTruncated(layout, state, f, size, nowMs, emit, isTracked);
  }
  const warn = (path: string, e: Error): void => {
    if (state.unreadable.has(path)) return;
    state.unreadable.add(path);
    layout.log.warn({ path, err: { message: e.message } }, 'cannot open file to tail');
  };
  for (const c of found) {
    if (isTracked(c.key)) continue;
    const handle = await openCandidate(c, warn);
    if (!handle) continue;
    state.unreadable.delete(c.path);
    const original = layout.mode === 'dir' ? await copiedFrom(handle, c.size, state.files) : undefined;
    if (original) {
      state.files.push({ ...track(layout, c, handle, { role: 'shadow', offset: 0, line: 0, fp: original.fp, fp_len: original.fp_len }, nowMs), shadow_of: original.key });
      continue;
    }
    const at = state.firstRun && layout.start_at === 'end' ? await endOfLastLine(handle, c.size) : { offset: 0, line: 0 };
    const fp = await fingerprintOf(handle, c.size);
    state.files.push(track(layout, c, handle, { role: 'live', ...at, ...fp }, nowMs));
    layout.log.info({ path: c.path, offset: at.offset }, 'tailing file');
  }
  for (const s of [...state.files]) {
    if (s.role !== 'shadow' || (byKey.has(s.key) && state.files.some((f) => f.key === s.shadow_of && f.role === 'live'))) continue;
    await s.handle.close();
    state.files.splice(state.files.indexOf(s), 1);
  }
  state.firstRun = false;
}

async function copiedFrom(handle: FileHandle, size: number, files: readonly TailedFile[]): Promise<TailedFile | undefined> {
  for (const f of files) {
    if (f.role !== 'live' || f.fp_len === 0 || size < f.fp_len) continue;
    if ((await hashPrefix(handle, f.fp_len)) === f.fp) return f;
  }
  return undefined;
}

async function restartTruncated(
  layout: TailLayout, state: TailState, f: TailedFile, size: number, nowMs: number, emit: Emit, isTracked: (key: string) => boolean,
): Promise<void> {
  emit(f, f.assembly.flush());
  const copyRole = layout.mode === 'file' ? 'rotated' : 'live';
  let copy: TailedFile | undefined;
  const shadow = state.files.find((s) => s.role === 'shadow' && s.shadow_of === f.key);
  if (shadow && f.offset > 0 && (await sizeOf(shadow)) >= f.offset) {
    copy = shadow;
    state.files.splice(state.files.indexOf(shadow), 1);
    Object.assign(copy, { role: copyRole, offset: f.offset, line: f.line, last_growth_ms: nowMs, shadow_of: undefined });
  } else if (f.offset > 0) {
    const pool = (await siblings(layout)).filter((c) => c.key !== f.key && !isTracked(c.key));
    const found = await findCopy(pool, f.fp, f.fp_len, f.offset);
    if (found) copy = track(layout, found.c, found.handle, { role: copyRole, offset: f.offset, line: f.line, fp: f.fp, fp_len: f.fp_len }, nowMs);
  }
  if (copy) state.files.splice(state.files.indexOf(f), 0, copy);
  layout.log.info({ path: f.path, offset: f.offset, copy: copy?.path ?? null }, 'tailed file truncated; reading it again from the start');
  const fp = await fingerprintOf(f.handle, size);
  Object.assign(f, { offset: 0, line: 0, skipping: false, fp: fp.fp, fp_len: fp.fp_len, seen_size: size, last_growth_ms: nowMs });
}
