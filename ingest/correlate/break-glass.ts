import { randomUUID } from 'node:crypto';
import type { Clock } from '../../core/clock.ts';
import { AppError } from '../../core/errors.ts';
import { BreakGlassReview } from '../../schema/break-glass-review.ts';
import type { Store } from '../../schema/store/store.ts';
import { chOf, isoOf } from './events.ts';
import type { Actor } from './exemptions.ts';

/** One break-glass use (a session of a break-glass identity) with its review state. */
export interface BreakGlassUse {
  readonly session_key: string;
  readonly identity: string;
  readonly resource: string;
  readonly surface: string;
  readonly started_at: string;
  readonly mfa_binding: string;
  readonly reviews: BreakGlassReview[];
  readonly reviewed: boolean;
  /** Unreviewed for longer than `break_glass_review_days`. */
  readonly overdue: boolean;
}

/** Break-glass uses that started in [from, to), oldest first, with their reviews. */
export async function listBreakGlass(store: Store, from: number, to: number, now: number, reviewDays: number): Promise<BreakGlassUse[]> {
  const sessions = await store.query<{ session_key: string; identity: string; resource: string; surface: string; started_s: string; mfa_binding: string }>(
    `SELECT session_key, identity, resource, surface, toString(started_at) AS started_s, mfa_binding FROM sessions FINAL
     WHERE break_glass AND started_at >= {a:DateTime64(3, 'UTC')} AND started_at < {b:DateTime64(3, 'UTC')}
     ORDER BY started_at, session_key`, { a: chOf(from), b: chOf(to) });
  const keys = sessions.map((s) => s.session_key);
  const reviews = keys.length === 0 ? [] : await store.query<Record<string, string>>(
    `SELECT review_id, session_key, reviewer, reviewer_token_id, notes, toString(reviewed_at) AS reviewed_s FROM break_glass_reviews
     WHERE session_key IN {keys:Array(String)} ORDER BY reviewed_at, review_id`, { keys });
  const byKey = new Map<string, BreakGlassReview[]>();
  for (const r of reviews) {
    const review = BreakGlassReview.parse({ ...r, reviewed_s: undefined, reviewed_at: isoOf(r.reviewed_s ?? '') });
    byKey.set(review.session_key, [...(byKey.get(review.session_key) ?? []), review]);
  }
  return sessions.map(({ started_s, ...s }) => {
    const started = isoOf(started_s);
    const list = byKey.get(s.session_key) ?? [];
    return {
      ...s, started_at: started, reviews: list, reviewed: list.length > 0,
      overdue: list.length === 0 && now - Date.parse(started) > reviewDays * 86_400_000,
    };
  });
}

/** Records a review of a break-glass session (reviewer = the caller). 404 when it is not a break-glass session. */
export async function reviewBreakGlass(store: Store, sessionKey: string, notes: string, actor: Actor, clock: Clock): Promise<BreakGlassReview> {
  const found = await store.query<{ n: string }>(
    'SELECT count() AS n FROM sessions FINAL WHERE session_key = {k:String} AND break_glass', { k: sessionKey });
  if (Number(found[0]?.n ?? 0) === 0) throw new AppError('not_found', `no break-glass session ${sessionKey}`, { status: 404 });
  const review = BreakGlassReview.parse({
    review_id: randomUUID(), session_key: sessionKey, reviewer: actor.name, reviewer_token_id: actor.token_id,
    notes, reviewed_at: clock.now().toISOString(),
  });
  await store.insertRows('break_glass_reviews', [review], ['reviewed_at']);
  return review;
}
