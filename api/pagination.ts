import { z } from 'zod';
import { AppError } from '../core/errors.ts';

/** Opaque keyset cursor: the sort key of the last row of the previous page. */
export interface PageCursor { t: string; id: string }

/** Encodes a cursor as base64url JSON. */
export function encodeCursor(c: PageCursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

const CursorShape = z.object({ t: z.string().regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$/), id: z.string().max(200) });

/** Decodes a cursor; a tampered or foreign cursor is a 400. */
export function decodeCursor(s: string): PageCursor {
  try {
    return CursorShape.parse(JSON.parse(Buffer.from(s, 'base64url').toString('utf8')));
  } catch {
    throw new AppError('bad_request', 'cursor: not a cursor returned by this API', { status: 400 });
  }
}

/** Accepts a date (YYYY-MM-DD, start of day UTC) or an ISO instant; returns ClickHouse time text. */
export const TimeParam = z.string().transform((s, ctx) => {
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00.000Z` : s;
  const t = Date.parse(iso);
  if (!Number.isFinite(t) || !/^\d{4}-\d{2}-\d{2}/.test(s)) {
    ctx.addIssue({ code: 'custom', message: 'expected YYYY-MM-DD or an ISO-8601 instant' });
    return z.NEVER;
  }
  return new Date(t).toISOString().replace('T', ' ').replace('Z', '');
});

/** Page size: 1..1000, default 100. */
export const LimitParam = z.coerce.number().int().min(1).max(1000).default(100);
