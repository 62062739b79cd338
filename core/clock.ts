/** Source of "now" for every stage, so tests can pin time and evidence can record a fixed generation time. */
export interface Clock {
  now(): Date;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => new Date() };

/** A clock frozen at one instant (tests, deterministic evidence packs). */
export function fixedClock(iso: string): Clock {
  const t = new Date(iso);
  return { now: () => new Date(t.getTime()) };
}
