import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { CatalogControl } from './catalog.ts';
import type { ControlTest, TestId } from './control-tests.ts';
import { csvLine } from './csv.ts';
import { exceptionCells, type ExceptionRow, type SampleRow } from './results.ts';
import { createReservoir, sampleScore, type Reservoir } from './sampling.ts';

// The running state of one (control, test) pair while the population streams by: counts, a bounded sample
// reservoir, a part file of exceptions (concatenated into exceptions.csv in control order) and a short preview.

/** How many exceptions per control and test the PDF prints. */
export const PREVIEW_ROWS = 25;

/** A sampled candidate: the row to print if selected, plus its raw evidence ids. */
export interface Candidate {
  readonly row: Omit<SampleRow, 'control_id' | 'test_id' | 'sample_rank' | 'selection_score' | 'raw_file'>;
  readonly event_ids: readonly string[];
}

/** Tally of one (control, test). */
export interface Tally {
  readonly control: CatalogControl;
  readonly test: ControlTest;
  readonly partPath: string;
  population: number;
  covered: number;
  failed: number;
  extra: number;
  readonly preview: ExceptionRow[];
  readonly dispositions: Record<string, number>;
  readonly reservoir: Reservoir<Candidate>;
  /** Adds one population item (sampled by id; counted as covered or not). */
  item(itemId: string, passed: boolean, candidate: Candidate): void;
  /** Writes one exception (a failed item, or an extra exception when `extra`). */
  exception(e: ExceptionRow, extra?: boolean): Promise<void>;
  close(): Promise<void>;
}

/** Creates the tally of one pair; `capacity` bounds the reservoir (the largest sample size that may be drawn). */
export function createTally(control: CatalogControl, test: ControlTest, dir: string, seed: string, capacity: number): Tally {
  const partPath = join(dir, `exceptions-${control.id.replace(/[^A-Za-z0-9]+/g, '_')}-${test.id}.part`);
  const out: WriteStream = createWriteStream(partPath);
  let failed: Error | undefined;
  out.on('error', (e) => { failed = e; });
  const reservoir = createReservoir<Candidate>(capacity);
  const t: Tally = {
    control, test, partPath,
    population: 0, covered: 0, failed: 0, extra: 0,
    preview: [], dispositions: {}, reservoir,
    item(itemId, passed, candidate) {
      t.population++;
      if (passed) t.covered++;
      reservoir.offer(sampleScore(seed, control.id, test.id, itemId), candidate);
    },
    async exception(e, extra = false) {
      if (failed) throw failed;
      if (extra) t.extra++; else t.failed++;
      t.dispositions[e.disposition] = (t.dispositions[e.disposition] ?? 0) + 1;
      if (t.preview.length < PREVIEW_ROWS) t.preview.push(e);
      if (!out.write(csvLine(exceptionCells(e)))) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    },
    close: () => new Promise<void>((resolve, reject) => {
      if (failed) { reject(failed); return; }
      out.end((e?: Error | null) => (e ? reject(e) : resolve()));
    }),
  };
  return t;
}

/** Tallies for every (control, test) of the selected controls, in catalog then test order. */
export function createTallies(controls: readonly CatalogControl[], tests: Readonly<Record<TestId, ControlTest>>, dir: string, seed: string, capacity: number): Tally[] {
  return controls.flatMap((c) => c.tests.map((id) => createTally(c, tests[id], dir, seed, capacity)));
}
