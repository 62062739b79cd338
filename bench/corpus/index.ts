import { createHash } from 'node:crypto';
import { HEADER, type BusMessage } from '../../ingest/bus/bus.ts';
import { cloudtrailRecord } from './cloudtrail.ts';
import { entraSignIn } from './entra.ts';
import { oktaEvent } from './okta.ts';
import { teleportEvent } from './teleport.ts';
import { createWorld, type Person, type World } from './world.ts';

/** Sources the benchmark generates, in report order. */
export const BENCH_SOURCES = ['okta', 'entra', 'cloudtrail', 'teleport'] as const;
export type BenchSource = (typeof BENCH_SOURCES)[number];

const BUILDERS: Record<BenchSource, (w: World, p: Person, ms: number) => Record<string, unknown>> = {
  okta: oktaEvent, entra: entraSignIn, cloudtrail: cloudtrailRecord, teleport: teleportEvent,
};

/** Size facts of one source's messages. */
export interface CorpusStats {
  readonly count: number;
  readonly bytes: number;
  readonly mean_bytes: number;
  readonly min_bytes: number;
  readonly max_bytes: number;
}

/** Generated messages per source, as the bus delivers them (Buffer values, provenance headers). */
export interface Corpus {
  readonly seed: number;
  readonly start: string;
  readonly end: string;
  readonly messages: Readonly<Record<BenchSource, readonly BusMessage[]>>;
  readonly stats: Readonly<Record<BenchSource, CorpusStats>>;
}

/**
 * Monday 00:00 UTC of the week before `now`'s: the corpus is a backlog of last week's traffic. NOTE: anchored to the
 * run, not to a fixed date: events received more than the retention period ago are already expired when they are
 * inserted, and the engine then spends most of the insert on them (measured ~4× the cost of a live row), which no
 * production stream does.
 */
export function corpusStart(now: number): number {
  const day = Math.floor(now / 86_400_000);
  // 1970-01-01 was a Thursday: (day + 3) % 7 is the number of days since Monday.
  return (day - ((day + 3) % 7) - 7) * 86_400_000;
}

/**
 * Generates `perSource` events for every source over one week from `start` (epoch ms), deterministically from `seed`
 * (same seed and start, same bytes). The raw SHA-256 is computed here, as connectors do before publishing, so no
 * measured stage pays for it.
 */
export function generateCorpus(seed: number, perSource: number, start = corpusStart(Date.now())): Corpus {
  const world = createWorld(seed);
  const total = perSource * BENCH_SOURCES.length;
  const stepMs = (7 * 86_400_000) / Math.max(1, total);
  const messages = Object.fromEntries(BENCH_SOURCES.map((s) => [s, [] as BusMessage[]])) as Record<BenchSource, BusMessage[]>;
  let t = start;
  for (let i = 0; i < perSource; i++) {
    for (const source of BENCH_SOURCES) {
      t += stepMs * (0.5 + world.rng.next());
      const ms = Math.floor(t);
      const person = world.actor();
      const value = Buffer.from(JSON.stringify(BUILDERS[source](world, person, ms)), 'utf8');
      messages[source].push({
        key: `${source}:${person.email}`,
        value,
        headers: {
          [HEADER.source]: source,
          [HEADER.receivedAt]: new Date(ms + 1000 + Math.floor(world.rng.next() * 60_000)).toISOString(),
          [HEADER.rawSha256]: createHash('sha256').update(value).digest('hex'),
          [HEADER.inputRef]: `bench:${source}:${i}`,
        },
      });
    }
  }
  const stats = Object.fromEntries(BENCH_SOURCES.map((s) => {
    const sizes = messages[s].map((m) => m.value.length);
    const bytes = sizes.reduce((a, b) => a + b, 0);
    const min = sizes.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
    const max = sizes.reduce((a, b) => Math.max(a, b), 0);
    return [s, { count: sizes.length, bytes, mean_bytes: Math.round(bytes / Math.max(1, sizes.length)), min_bytes: min, max_bytes: max }];
  })) as Record<BenchSource, CorpusStats>;
  return { seed, start: new Date(start).toISOString(), end: new Date(t).toISOString(), messages, stats };
}
