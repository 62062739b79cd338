import type { Store } from '../../schema/store/store.ts';
import { correlateHoldingLock, withCorrelationLock, type CorrelateDeps, type CorrelateSummary } from './correlate.ts';
import { allDirtyDays, dayOf, dayRuns, dayStart, dirtyDaysIn } from './dirty.ts';

const DAY = 86_400_000;

/**
 * Correlates the days `dirty` lists, in rounds (a run can mark further days: new IdP profiles re-attributing earlier
 * sessions; three rounds always settle in practice). NOTE: each round reads the dirty days under the correlation
 * lock. Read before it, they can be days a run holding the lock is recomputing: a report requested during the
 * startup round waited 13 s for it, then recomputed the same 33 days for another 12 s.
 */
async function correlateRounds(store: Store, deps: CorrelateDeps, dirty: () => Promise<string[]>): Promise<CorrelateSummary[]> {
  const out: CorrelateSummary[] = [];
  for (let round = 0; round < 3; round++) {
    const summaries = await withCorrelationLock(store, async () => {
      const runs: CorrelateSummary[] = [];
      for (const [first, last] of dayRuns(await dirty())) {
        runs.push(await correlateHoldingLock(store, deps, { from: `${first}T00:00:00.000Z`, to: new Date(dayStart(last) + DAY).toISOString() }));
      }
      return runs;
    });
    if (summaries.length === 0) break;
    out.push(...summaries);
  }
  return out;
}

/**
 * Makes reads of [from, to) reflect every stored event: correlates the dirty days the period depends on (the
 * day before it, and the revocation lookahead after it).
 */
export async function ensureCorrelated(store: Store, deps: CorrelateDeps, p: { from: number; to: number }): Promise<CorrelateSummary[]> {
  const lookahead = deps.config.file.policy.revocation_lookahead_days * DAY;
  return correlateRounds(store, deps, () => dirtyDaysIn(store, dayOf(p.from - DAY), dayOf(p.to + lookahead)));
}

/** Correlates every dirty day (the `correlate` command without a range). */
export async function correlateDirty(store: Store, deps: CorrelateDeps): Promise<CorrelateSummary[]> {
  return correlateRounds(store, deps, () => allDirtyDays(store));
}

/**
 * Background correlation for long-running processes: every `intervalMs`, correlates the days ingestion marked
 * stale, so API reads rarely have to wait for it. Returns a stop function that waits for a running round.
 */
export function startCorrelationLoop(store: Store, deps: CorrelateDeps, intervalMs: number): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const timer = setInterval(() => {
    running = running.then(async () => {
      if (stopped) return;
      try {
        await correlateDirty(store, deps);
      } catch (e) {
        deps.logger.warn({ err: { message: (e as Error).message } }, 'background correlation failed');
      }
    });
  }, intervalMs);
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}
