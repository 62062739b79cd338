import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { systemClock, type Clock } from '../../core/clock.ts';
import { AppError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { backoffDelay, sleep as realSleep, type Sleep } from '../../core/retry.ts';
import type { DeadLetter } from '../../schema/dead-letter.ts';
import type { Store } from '../../schema/store/store.ts';
import type { RunningConnector } from '../connectors.ts';
import type { StatusRegistry } from '../sources/status-registry.ts';
import { frameDocument } from '../files/read-records.ts';
import { sha256Hex } from '../normalizers/common.ts';
import { normalizerFor } from '../normalizers/index.ts';
import type { AssembledRecord, Normalizer } from '../normalizers/normalizer.ts';
import { deadLetterOf, type InboundRecord, type Pipeline } from '../pipeline.ts';
import { createTrackedAssembly } from './line-assembly.ts';
import type { TailConfig } from './receivers-config.ts';
import { parseTailCursor, type TailCursor } from './tail-cursor.ts';
import { growFingerprint, readLines, sizeOf, type LineItem, type TailedFile } from './tail-file.ts';
import { reconcile, resumeFiles, type TailLayout, type TailState } from './tail-reconcile.ts';

/** What a tailer needs. */
export interface TailerDeps {
  readonly config: TailConfig;
  readonly store: Pick<Store, 'getCursor' | 'setCursor'>;
  readonly pipeline: Pipeline;
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly sleep?: Sleep;
  /** How long an sshd login awaiting its second factor survives a silence (default idle-policy HOLD_MAX_MS). */
  readonly hold_max_ms?: number;
  readonly status?: StatusRegistry;
}

/** A running tailer. */
export interface Tailer extends RunningConnector {
  /** Runs one poll cycle now (after the one in progress); resolves when its records and cursor are stored. */
  poll(): Promise<void>;
  /**
   * Stops polling. `flush` (default): emit what the assemblers hold, store it, save the final cursor.
   * Without it the cursor stays where the last stored batch left it (what a crash leaves behind).
   */
  stop(opts?: { flush?: boolean }): Promise<void>;
}

interface Batch {
  records: InboundRecord[];
  dead: DeadLetter[];
}

const CHUNK_BYTES = 1 << 20;

/** Cursor name of a tail in ingest_cursors. */
export function tailCursorName(name: string): string {
  return `tail:${name}`;
}

/**
 * Follows a log file (across rename and copytruncate rotations) or every file of a directory, feeding complete
 * lines to the source's normalizer path: the line assembler for text sources, JSON-lines framing for JSON ones.
 * NOTE: the cursor (per file: dev/ino, first-bytes fingerprint, offset) is saved only after the records before
 * that offset are stored, and never past a line an assembler still holds, so a restart neither loses nor
 * (after a clean stop) repeats a line; after a crash, lines after the oldest held one are read again and dedup
 * by event id.
 */
export async function startTailer(deps: TailerDeps): Promise<Tailer> {
  const cfg = deps.config;
  const normalizer = normalizerFor(cfg.source);
  if (!normalizer) throw new AppError('ERR_CONFIG_INVALID', `tail ${cfg.name}: accessproof cannot read source ${cfg.source}`);
  const clock = deps.clock ?? systemClock;
  const sleep = deps.sleep ?? realSleep;
  const log = deps.logger.child({ stage: 'receiving', source: cfg.source, connector: `tail:${cfg.name}` });
  const path = resolve(cfg.path);
  const isDir = await stat(path).then((s) => s.isDirectory(), () => path.endsWith('/'));
  const layout: TailLayout = {
    mode: isDir ? 'dir' : 'file', path, include: cfg.include, start_at: cfg.start_at, log,
    newAssembly: () => createTrackedAssembly(normalizer, { idle_ms: cfg.idle_flush_ms, hold_max_ms: deps.hold_max_ms }),
  };
  const cursorName = tailCursorName(cfg.name);
  const saved = parseTailCursor(await deps.store.getCursor(cursorName));
  if (saved === null) log.warn({ cursor: cursorName }, 'unreadable tail cursor; starting over');
  const state: TailState = {
    files: saved ? await resumeFiles(layout, saved, clock.now().getTime()) : [], firstRun: saved === undefined, unreadable: new Set(),
  };
  let lastCursor = saved ? JSON.stringify(saved) : '';
  const statusName = `tail:${cfg.name}`;
  const report = (r: Parameters<StatusRegistry['report']>[1]): void => deps.status?.report(statusName, { source: cfg.source, kind: 'receiver', ...r });
  let unstored: Batch | null = null;

  const nowMs = (): number => clock.now().getTime();
  const inbound = (raw: string, input_ref: string, payload: unknown): InboundRecord =>
    ({ source: cfg.source, raw, input_ref, received_at: clock.now().toISOString(), raw_sha256: sha256Hex(raw), payload });
  const emitInto = (batch: Batch) => (_f: TailedFile, recs: AssembledRecord[]): void => {
    for (const r of recs) batch.records.push(inbound(r.raw, r.input_ref, r.raw));
  };

  function take(f: TailedFile, item: LineItem, batch: Batch): void {
    const ref = `${f.label}:${item.no}`;
    const receivedAt = clock.now().toISOString();
    if (item.too_long) {
      batch.dead.push(deadLetterOf({ source: cfg.source, raw: item.text, input_ref: ref, received_at: receivedAt }, 'framing', 'line_too_long', `line over ${cfg.max_line_bytes} bytes`));
      return;
    }
    const text = item.no === 1 ? item.text.replace(/^\uFEFF/, '') : item.text;
    if (text.trim() === '') return;
    if (normalizer?.format === 'json') {
      takeJson(normalizer, text, ref, receivedAt, batch);
      return;
    }
    const recs = f.assembly.push(text, ref, nowMs(), { offset: item.start, line: item.no - 1 });
    for (const r of recs) batch.records.push(inbound(r.raw, r.input_ref, r.raw));
  }

  function takeJson(n: Normalizer, text: string, ref: string, receivedAt: string, batch: Batch): void {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      batch.dead.push(deadLetterOf({ source: cfg.source, raw: text, input_ref: ref, received_at: receivedAt }, 'framing', 'invalid_json', (e as Error).message));
      return;
    }
    for (const item of frameDocument(doc, text, ref, n)) {
      switch (item.kind) {
        case 'record': batch.records.push(inbound(item.raw, item.input_ref, item.payload)); break;
        case 'reject': batch.dead.push(deadLetterOf({ source: cfg.source, raw: item.raw, input_ref: item.input_ref, received_at: receivedAt }, 'unwrap', item.reason, item.detail)); break;
        case 'drop': break;
        default: { const never: never = item; throw new Error(`unhandled framing ${String(never)}`); }
      }
    }
  }

  /** Reads what one file has (within the line budget); true when it has more. */
  async function readFile(f: TailedFile, batch: Batch, lineBudget: number, final: boolean): Promise<boolean> {
    const size = await sizeOf(f);
    if (f.role === 'live') await growFingerprint(f, size);
    if (size !== f.seen_size) { f.seen_size = size; f.last_growth_ms = nowMs(); }
    let taken = 0;
    while (taken < lineBudget) {
      const before = f.offset;
      const items = await readLines(f, size, CHUNK_BYTES, cfg.max_line_bytes, final);
      for (const item of items) take(f, item, batch);
      taken += items.length;
      if (f.offset === before) return false;
      if (f.offset >= size) return false;
    }
    return true;
  }

  async function store(batch: Batch): Promise<void> {
    const dead = batch.dead.length;
    if (dead) await deps.pipeline.deadLetter(batch.dead);
    batch.dead = [];
    const records = batch.records.length;
    if (records) await deps.pipeline.handle(batch.records, `tail:${cfg.name}`);
    batch.records = [];
    report({ state: 'running', success: true, batch: { records }, add: { dead_letters_total: dead } });
  }

  async function saveCursor(): Promise<void> {
    const cursor: TailCursor = {
      v: 1,
      files: state.files.filter((f) => f.role !== 'shadow').map((f) => {
        const held = f.assembly.oldestPending();
        return { dev: f.dev, ino: f.ino, path: f.path, offset: held?.offset ?? f.offset, line: held?.line ?? f.line, fp: f.fp, fp_len: f.fp_len };
      }),
    };
    const text = JSON.stringify(cursor);
    if (text === lastCursor) return;
    // NOTE: cursor rows are versioned by a millisecond timestamp; two saves in one ms would tie.
    await sleep(2);
    await deps.store.setCursor(cursorName, cfg.source, text);
    lastCursor = text;
  }

  /** One cycle; true when a file still has unread lines (poll again at once). */
  async function tick(): Promise<boolean> {
    if (unstored) {
      await store(unstored);
      unstored = null;
    }
    // NOTE: registered before reading: if the cycle fails half-way, what was already read (offsets advanced) is
    // stored first on the next cycle instead of being lost.
    const batch: Batch = { records: [], dead: [] };
    unstored = batch;
    await reconcile(layout, state, nowMs(), emitInto(batch));
    let busy = false;
    let budget = cfg.batch_lines;
    for (const f of [...state.files]) {
      if (f.role === 'shadow') continue;
      const before = batch.records.length + batch.dead.length;
      const more = budget > 0 && (await readFile(f, batch, budget, false));
      busy ||= more;
      budget -= batch.records.length + batch.dead.length - before;
      if (f.role === 'rotated' && !more && nowMs() - f.last_growth_ms >= cfg.rotate_wait_ms) {
        await readFile(f, batch, Number.POSITIVE_INFINITY, true);
        emitInto(batch)(f, f.assembly.flush());
        await f.handle.close();
        state.files.splice(state.files.indexOf(f), 1);
        log.info({ path: f.path }, 'rotated file finished');
      }
    }
    for (const f of state.files) emitInto(batch)(f, f.assembly.idle(nowMs()));
    if (batch.records.length || batch.dead.length) await store(batch);
    unstored = null;
    await saveCursor();
    return busy || budget <= 0;
  }

  let lock: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = lock.then(fn, fn);
    lock = run.catch(() => undefined);
    return run;
  };

  const abort = new AbortController();
  const loop = (async () => {
    for (let failures = 0; !abort.signal.aborted;) {
      try {
        const busy = await exclusive(tick);
        failures = 0;
        report({ state: 'running', metrics: { files: state.files.filter((f) => f.role !== 'shadow').length } });
        if (!busy) await sleep(cfg.poll_ms, abort.signal);
      } catch (e) {
        if (abort.signal.aborted) break;
        const delay = backoffDelay({ retries: 0, base_ms: Math.max(cfg.poll_ms, 500), max_ms: 30_000, factor: 2, jitter: 0.2 }, failures++);
        log.warn({ err: { message: (e as Error).message }, delay_ms: delay }, 'tail cycle failed, retrying');
        report({ state: 'backoff', error: { code: 'ERR_TAIL_CYCLE', message: (e as Error).message } });
        await sleep(delay, abort.signal).catch(() => undefined);
      }
    }
  })();
  log.info({ path, mode: layout.mode, resumed_files: state.files.length }, 'tail started');

  let stopped = false;
  return {
    name: `tail:${cfg.name}`,
    poll: () => exclusive(tick).then(() => undefined),
    async stop(opts = {}) {
      if (stopped) return;
      stopped = true;
      abort.abort();
      await loop;
      await exclusive(async () => {
        if (opts.flush ?? true) {
          const batch: Batch = unstored ?? { records: [], dead: [] };
          for (const f of state.files) emitInto(batch)(f, f.assembly.flush());
          await store(batch);
          unstored = null;
          await saveCursor();
        }
        for (const f of state.files) await f.handle.close();
        state.files = [];
      });
      log.info({ path }, 'tail stopped');
      report({ state: 'stopped' });
    },
  };
}
