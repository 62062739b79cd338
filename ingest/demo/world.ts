/**
 * The generator's shared state: the demo window, the organisation, the story schedule and the record sink.
 * Source builders (ingest/demo/sources/*) call `emit`; stories (ingest/demo/stories/*) decide what happens.
 */
import type { SourceId } from '../../schema/auth-event.ts';
import { createOrg, type Org, type Person } from './org.ts';
import type { Rng } from './prng.ts';
import { MS, startOfUtcDay } from './time-format.ts';

/** One raw record with its event time (for ordering) and emission order (tie-break). */
export interface Emitted {
  readonly source: SourceId;
  readonly t: number;
  readonly seq: number;
  readonly text: string;
}

/** Special days of the window, decided once so every story agrees on them. */
export interface Schedule {
  /** Day index a person is offboarded (deactivated) on. */
  readonly leave_day: ReadonlyMap<string, number>;
  /** Day index Marta moves to sales. */
  readonly role_change_day: number;
  readonly push_fatigue: readonly { readonly day: number; readonly person: string; readonly approved: boolean }[];
  readonly breakglass_days: readonly number[];
  readonly grant_days: readonly number[];
  /** On-call SRE per ISO-ish week (index = floor(day / 7)). */
  readonly on_call: readonly string[];
}

/** Everything a story or builder needs. */
export interface World {
  readonly org: Org;
  readonly days: number;
  /** 00:00 UTC of day 0. */
  readonly start: number;
  /** Records at or after this instant are cut (the demo ends "now"). */
  readonly end: number;
  readonly schedule: Schedule;
  /** Records a raw record: objects are serialized as JSON, strings are kept verbatim. */
  emit(source: SourceId, t: number, record: unknown): void;
  /** 00:00 UTC of day i. */
  dayStart(day: number): number;
  /** Saturday or Sunday. */
  isWeekend(day: number): boolean;
  /** False once the person has left (from the offboarding day on, the routine stops). */
  isEmployed(p: Person, day: number): boolean;
}

function weekdayAtOrAfter(w: { isWeekend(d: number): boolean }, day: number, days: number): number {
  let d = day;
  while (d < days - 1 && w.isWeekend(d)) d++;
  while (d > 0 && w.isWeekend(d)) d--;
  return d;
}

function dayAt(frac: number, days: number): number {
  return Math.max(0, Math.min(days - 2, Math.round(frac * (days - 1))));
}

function buildSchedule(rng: Rng, days: number, isWeekend: (d: number) => boolean, org: Org): Schedule {
  const wd = (frac: number): number => Math.max(0, weekdayAtOrAfter({ isWeekend }, dayAt(frac, days), days));
  const sres = org.people.filter((p) => p.flags.on_call).map((p) => p.key);
  const weeks = Math.ceil(days / 7) + 1;
  const onCall: string[] = [];
  for (let i = 0; i < weeks; i++) onCall.push(sres[(i + rng.int(0, 1)) % sres.length] ?? 'amara.okoye');
  return {
    leave_day: new Map([['felix.wagner', wd(0.42)], ['tariq.aziz', wd(0.58)], ['rosa.delgado', wd(0.74)]]),
    role_change_day: wd(0.6),
    push_fatigue: [
      { day: dayAt(0.22, days), person: 'kenji.watanabe', approved: true },
      { day: dayAt(0.47, days), person: 'maya.cohen', approved: false },
      { day: dayAt(0.69, days), person: 'kenji.watanabe', approved: false },
      { day: dayAt(0.9, days), person: 'maya.cohen', approved: true },
    ],
    breakglass_days: [wd(0.3), wd(0.64), dayAt(0.87, days)],
    grant_days: [wd(0.12), wd(0.5), wd(0.8)],
    on_call: onCall,
  };
}

/** Creates the world for a window of `days` whole UTC days ending with the day of `endMs`. */
export function createWorld(rng: Rng, endMs: number, days: number, out: Emitted[]): World {
  const start = startOfUtcDay(endMs) - (days - 1) * MS.day;
  const org = createOrg(rng.fork('org'));
  const isWeekend = (day: number): boolean => {
    const dow = new Date(start + day * MS.day).getUTCDay();
    return dow === 0 || dow === 6;
  };
  const schedule = buildSchedule(rng.fork('schedule'), days, isWeekend, org);
  let seq = 0;
  return {
    org,
    days,
    start,
    end: endMs,
    schedule,
    emit(source, t, record) {
      const text = typeof record === 'string' ? record : JSON.stringify(record);
      out.push({ source, t: Math.floor(t), seq: seq++, text });
    },
    dayStart: (day) => start + day * MS.day,
    isWeekend,
    isEmployed(p, day) {
      const left = schedule.leave_day.get(p.key);
      return left === undefined || day < left;
    },
  };
}

/** Random instant inside [from, to). */
export function between(rng: Rng, from: number, to: number): number {
  return from + Math.floor(rng.next() * Math.max(1, to - from));
}

/** A short human-scale delay: `min`–`max` seconds, with milliseconds. */
export function secs(rng: Rng, min: number, max: number): number {
  return Math.floor((min + rng.next() * (max - min)) * 1000);
}
