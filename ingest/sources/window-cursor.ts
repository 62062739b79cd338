import { z } from 'zod';
import type { Logger } from '../../core/logger.ts';
import { SOURCE_ERRORS, SourceError } from './http.ts';

/**
 * Checkpoint of a windowed poller (Graph, Reports, Duo). `watermark`: every event up to it has been read once.
 * `window`: the window being paged, with the vendor's page token to continue from, so a restart mid-window
 * resumes at the next unread page instead of rereading the window.
 */
export const WindowCursor = z.object({
  v: z.literal(1),
  watermark: z.string().datetime(),
  window: z.object({ start: z.string().datetime(), end: z.string().datetime(), page: z.string().min(1) }).strict().optional(),
}).strict();
export type WindowCursor = z.infer<typeof WindowCursor>;

/** A time window [start, end] (ISO instants, both inclusive as the vendors treat them). */
export interface TimeWindow {
  readonly start: string;
  readonly end: string;
}

/** One fetched page of a window: its decoded body and the token of the next page (absent on the last page). */
export interface WindowPage<P> {
  readonly page: P;
  readonly next?: string;
}

/** How to plan the next window. */
export interface WindowPlan {
  readonly now: Date;
  readonly overlap_ms: number;
  /** Where the first window starts (config start_at, else 7 days back). */
  readonly first_start: Date;
  /** Vendors only serve events older than this (Duo: 2 minutes). */
  readonly end_lag_ms: number;
  /** Vendors reject windows starting before their retention (Duo 180 days, Graph 30, Reports 180). */
  readonly max_lookback_ms: number;
}

const DEFAULT_FIRST_LOOKBACK_MS = 7 * 86_400_000;

/** The window plan of a windowed poller at `now`: overlap and start from its config, lag and retention from the vendor. */
export function windowPlanFor(
  cfg: { readonly overlap_seconds: number; readonly start_at?: string },
  now: Date,
  vendor: { readonly end_lag_ms: number; readonly max_lookback_ms: number },
): WindowPlan {
  return {
    now,
    overlap_ms: cfg.overlap_seconds * 1000,
    first_start: new Date(cfg.start_at ? Date.parse(cfg.start_at) : now.getTime() - DEFAULT_FIRST_LOOKBACK_MS),
    end_lag_ms: vendor.end_lag_ms,
    max_lookback_ms: vendor.max_lookback_ms,
  };
}

/** Parses a saved cursor; an unreadable one is an error (never silently restart from scratch). */
export function decodeWindowCursor(text: string): WindowCursor {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new SourceError(SOURCE_ERRORS.request, 'saved cursor is not JSON', { retriable: false });
  }
  const r = WindowCursor.safeParse(doc);
  if (!r.success) throw new SourceError(SOURCE_ERRORS.request, 'saved cursor has an unknown shape', { retriable: false });
  return r.data;
}

/** Serializes a cursor (stable key order). */
export function encodeWindowCursor(c: WindowCursor): string {
  return JSON.stringify(c.window ? { v: 1, watermark: c.watermark, window: c.window } : { v: 1, watermark: c.watermark });
}

/** The next window to read after `watermark`, or undefined when nothing new can be asked for yet. */
export function planWindow(watermark: string, plan: WindowPlan): TimeWindow | undefined {
  const now = plan.now.getTime();
  const end = now - plan.end_lag_ms;
  const start = Math.max(Date.parse(watermark) - plan.overlap_ms, now - plan.max_lookback_ms);
  if (!(end > start)) return undefined;
  return { start: new Date(start).toISOString(), end: new Date(end).toISOString() };
}

/**
 * Pages through one window, yielding each page with the cursor valid once it is stored. A window that completes
 * advances the watermark to its end; the next window starts `overlap` before it.
 */
export async function* readWindow<P>(
  saved: string | undefined,
  plan: WindowPlan,
  fetchPage: (window: TimeWindow, page: string | undefined) => Promise<WindowPage<P>>,
  log: Logger,
): AsyncGenerator<{ page: P; cursor: string }, void, undefined> {
  const cursor = saved === undefined ? { v: 1 as const, watermark: plan.first_start.toISOString() } : decodeWindowCursor(saved);
  let window: TimeWindow | undefined = cursor.window ? { start: cursor.window.start, end: cursor.window.end } : undefined;
  let token = cursor.window?.page;
  // The first window starts exactly at first_start: there is nothing earlier to overlap with.
  window ??= planWindow(cursor.watermark, saved === undefined ? { ...plan, overlap_ms: 0 } : plan);
  if (!window) return;
  for (;;) {
    let result: WindowPage<P>;
    try {
      result = await fetchPage(window, token);
    } catch (e) {
      // A page token saved before a restart can expire (Graph skiptoken, Reports pageToken): reread the window.
      if (token !== undefined && token === cursor.window?.page && e instanceof SourceError && e.code === SOURCE_ERRORS.request) {
        log.warn({ window, err: { message: e.message } }, 'saved page token rejected; rereading the window');
        token = undefined;
        result = await fetchPage(window, undefined);
      } else {
        throw e;
      }
    }
    const next: WindowCursor = result.next
      ? { v: 1, watermark: cursor.watermark, window: { start: window.start, end: window.end, page: result.next } }
      : { v: 1, watermark: window.end };
    yield { page: result.page, cursor: encodeWindowCursor(next) };
    if (!result.next) return;
    token = result.next;
  }
}
