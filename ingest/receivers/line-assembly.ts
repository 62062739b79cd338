import type { AssembledRecord, LineAssembler, Normalizer } from '../normalizers/normalizer.ts';
import { HOLD_MAX_MS, holdPolicyFor } from './idle-policy.ts';

/** Where a line starts in its file: byte offset, and how many lines come before it. */
export interface LinePosition {
  readonly offset: number;
  readonly line: number;
}

/**
 * A source's LineAssembler as a live receiver needs it: it knows which pushed lines are still held (so a tailer
 * never saves a cursor past them), and emits what is pending once the input has been quiet for `idle_ms`.
 */
export interface TrackedAssembly {
  /** Feeds one line; `ref` must be unique per line and end in `:<number>` (e.g. `<file label>:<line no>`). */
  push(line: string, ref: string, nowMs: number, pos?: LinePosition): AssembledRecord[];
  /** The records pending after `idle_ms` of silence (none while an sshd login awaits its verdict). */
  idle(nowMs: number): AssembledRecord[];
  /** Emits everything pending (end of a file, shutdown). */
  flush(): AssembledRecord[];
  /** Start of the oldest line still held, or undefined when nothing is held. */
  oldestPending(): LinePosition | undefined;
  /** Lines pushed and not yet emitted. */
  readonly pendingLines: number;
  /** When the last line was pushed (ms), -Infinity before any. */
  readonly lastPushMs: number;
}


/** Options of createTrackedAssembly. */
export interface TrackedAssemblyOptions {
  readonly idle_ms: number;
  /** How long a held line (an sshd login awaiting its second factor) survives a silence at most. */
  readonly hold_max_ms?: number;
}

/**
 * Splits an `input_ref` joined by an assembler (`file:3,4,9` or `a:1,b:2`) back into one ref per line.
 * NOTE: refs given to push() must not contain ',' for this to be exact.
 */
export function splitRefs(joined: string): string[] {
  const out: string[] = [];
  let prefix = '';
  for (const part of joined.split(',')) {
    const m = /^(.*):(\d+)$/.exec(part);
    if (/^\d+$/.test(part) && prefix !== '') out.push(`${prefix}:${part}`);
    else {
      if (m) prefix = m[1];
      out.push(part);
    }
  }
  return out;
}

/** Wraps the normalizer's assembler (one line = one record when it has none). */
export function createTrackedAssembly(normalizer: Normalizer, opt: TrackedAssemblyOptions): TrackedAssembly {
  const inner: LineAssembler | undefined = normalizer.createAssembler?.();
  const policy = holdPolicyFor(normalizer.source);
  const holdMax = opt.hold_max_ms ?? HOLD_MAX_MS;
  const pending = new Map<string, LinePosition | undefined>();
  /** Connections waiting for the person (key → since when, ms). */
  const awaiting = new Map<string, number>();
  let lastPushMs = -Infinity;

  const release = (records: AssembledRecord[]): AssembledRecord[] => {
    for (const r of records) {
      if (pending.size === 0) break;
      for (const ref of splitRefs(r.input_ref)) pending.delete(ref);
    }
    return records;
  };

  return {
    push(line, ref, nowMs, pos) {
      lastPushMs = nowMs;
      if (!inner) return [{ raw: line, input_ref: ref }];
      pending.set(ref, pos);
      const key = policy.key(line);
      if (key !== '') {
        if (policy.awaits(line)) awaiting.set(key, nowMs);
        else awaiting.delete(key);
      }
      return release(inner.push(line, ref));
    },
    idle(nowMs) {
      if (!inner || pending.size === 0 || nowMs - lastPushMs < opt.idle_ms) return [];
      for (const since of awaiting.values()) if (nowMs - since < holdMax) return [];
      return this.flush();
    },
    flush() {
      if (!inner) return [];
      const out = inner.flush();
      pending.clear();
      awaiting.clear();
      return out;
    },
    oldestPending() {
      // Map order is push order, so the first entry is the oldest line still held.
      for (const pos of pending.values()) return pos;
      return undefined;
    },
    get pendingLines() { return pending.size; },
    get lastPushMs() { return lastPushMs; },
  };
}
