import type { Clock } from '../../core/clock.ts';
import type { Sleep } from '../../core/retry.ts';

/** Shared virtual time for a poller and the fake vendor APIs it talks to. */
export interface FakeTime {
  readonly clock: Clock;
  /** Advances the virtual clock by `ms` instead of waiting (a few real ms at most, so loops stay gentle). */
  readonly sleep: Sleep;
  /** Every wait requested, in order. */
  readonly sleeps: number[];
  advance(ms: number): void;
  nowMs(): number;
}

/** Virtual time starting at `startIso`; `realMs` caps how long a sleep really waits (0 = only yield). */
export function createFakeTime(startIso: string, opts: { realMs?: number } = {}): FakeTime {
  let now = Date.parse(startIso);
  const sleeps: number[] = [];
  const realMs = opts.realMs ?? 0;
  return {
    clock: { now: () => new Date(now) },
    sleeps,
    advance(ms) {
      now += ms;
    },
    nowMs: () => now,
    sleep: (ms, signal) => new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason ?? new Error('aborted'));
        return;
      }
      sleeps.push(ms);
      now += Math.max(0, ms);
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, Math.min(realMs, Math.max(0, ms)));
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason ?? new Error('aborted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
  };
}
