import type { BusMessage } from '../ingest/bus/bus.ts';
import { fromBusMessage, createPipeline, prepareWrite } from '../ingest/pipeline.ts';
import { DEFAULT_POLICY } from '../ingest/normalizers/common.ts';
import { validateEvents } from '../ingest/normalizers/normalize-record.ts';
import { clockReadCost, mapOne } from './normalise-split.ts';
import { releaseBatch, type Store } from '../schema/store/store.ts';
import type { NormalizePool } from '../ingest/normalize-pool/pool.ts';
import { systemClock } from '../core/clock.ts';
import { silentLogger } from '../core/logger.ts';
import { best, median, peakRssBytes, resetPeakRss, rssBytes, timed, type RunSample } from './measure.ts';

// The stage ladder: every stage runs over the same messages, in interleaved rounds with alternating order, so a
// noisy machine shifts all stages of a round alike and the per-round ratio to bare parse stays meaningful.

/**
 * Stage names, cheapest first. `normalise_pool` is `normalise` on the product's normalise workers (the pipeline's
 * default path for big batches), with one batch per worker plus one queued.
 */
export const STAGES = ['parse', 'validate', 'normalise', 'normalise_pool', 'end_to_end'] as const;
export type Stage = (typeof STAGES)[number];

/** Figures of one stage over all rounds. */
export interface StageResult {
  readonly events: number;
  readonly bytes: number;
  readonly eps_median: number;
  readonly eps_best: number;
  readonly mb_per_s: number;
  readonly us_per_event: number;
  /** Median over rounds of (this stage's rate ÷ bare parse's rate in the same round). */
  readonly ratio_to_parse: number;
  readonly cores_busy: number;
  readonly peak_rss: number;
  readonly rounds: readonly number[];
}

/** One group of messages to run the ladder on (a source, or all sources interleaved). */
export interface LadderGroup {
  readonly name: string;
  readonly messages: readonly BusMessage[];
  /** Whether to run the end-to-end stage (it needs the store; run on the mixed group). */
  readonly endToEnd: boolean;
}

/** What the end-to-end stage needs. */
export interface EndToEndDeps {
  readonly store: Store;
  /** Drops and re-creates the tables (a fresh store for each round: no dedup tokens, no parts left over). */
  reset(): Promise<void>;
  readonly batchSize: number;
  /** Called between stages to collect garbage when exposed. */
  readonly gc: () => void;
  /** The product's normalise workers (NORMALIZE_WORKERS), used by `normalise_pool` and the end-to-end pipeline. */
  readonly pool?: NormalizePool;
}

/** RSS of a backlogged ingest fed the corpus several times: memory must stay flat in input size. */
export interface IngestMemory {
  /** RSS before the run (corpus loaded, store open, nothing ingested yet). */
  readonly baseline: number;
  /** Events fed per pass. */
  readonly events_per_pass: number;
  /** Peak RSS above baseline during each pass (the kernel's high-water mark is reset when a pass starts). */
  readonly peak_over_baseline_by_pass: number[];
  /** JS heap in use after a full GC at the end of each pass (what the pipeline itself keeps). */
  readonly heap_used_by_pass: number[];
}

function bytesOf(messages: readonly BusMessage[]): number {
  let n = 0;
  for (const m of messages) n += m.value.length;
  return n;
}

function runParse(messages: readonly BusMessage[]): void {
  let keep = 0;
  for (const m of messages) {
    const v: unknown = JSON.parse(m.value.toString('utf8'));
    if (v !== null) keep++;
  }
  if (keep < 0) throw new Error('unreachable');
}

/**
 * Parse + validate as the pipeline pays for them, in milliseconds: a bare parse pass, plus the validation of each
 * record's events right after its mapper built them (prepareBatch's order; the mapping itself is not timed, and the
 * per-record clock reads are taken out). NOTE: not validating events mapped once before the rounds, as this stage
 * did before: those sat in the old generation, out of the CPU caches, and validating them cost about twice what
 * validation costs in the pipeline (the normalise split times it in place).
 */
function runValidate(messages: readonly BusMessage[], clockCostMs: number): number {
  let t = performance.now();
  let keep = 0;
  for (const m of messages) if (JSON.parse(m.value.toString('utf8')) !== null) keep++;
  const parseMs = performance.now() - t;
  const ingestedAt = new Date().toISOString();
  let validateMs = 0;
  for (const m of messages) {
    const record = fromBusMessage(m);
    const events = mapOne(record, JSON.parse(record.raw), ingestedAt);
    t = performance.now();
    const bad = validateEvents(events);
    validateMs += performance.now() - t;
    if (bad) throw new Error(`bench event failed validation: ${bad.kind}`);
  }
  if (keep < 0) throw new Error('unreachable');
  return parseMs + Math.max(0, validateMs - clockCostMs);
}

function runNormalise(messages: readonly BusMessage[], batchSize: number): void {
  for (let i = 0; i < messages.length; i += batchSize) {
    const records = messages.slice(i, i + batchSize).map(fromBusMessage);
    const { encoded } = prepareWrite(records, DEFAULT_POLICY, systemClock, 'bench');
    if (encoded.bytes <= 0) throw new Error('empty batch body');
    // As after the insert of a batch in production: its body memory goes back to the pool for the next one.
    releaseBatch(encoded);
  }
}

async function runNormalisePool(messages: readonly BusMessage[], batchSize: number, pool: NormalizePool): Promise<void> {
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < messages.length; i += batchSize) {
    const times = { ingestedAt: new Date().toISOString(), now: new Date().toISOString() };
    inFlight.push(pool.prepare(messages.slice(i, i + batchSize).map(fromBusMessage), times, 'bench').then((w) => {
      if (w.encoded.bytes <= 0) throw new Error('empty batch body');
      w.release();
    }));
    while (inFlight.length > pool.size) await inFlight.shift();
  }
  while (inFlight.length) await inFlight.shift();
}

function benchPipeline(deps: EndToEndDeps) {
  return createPipeline({ store: deps.store, policy: DEFAULT_POLICY, clock: systemClock, logger: silentLogger(), pool: deps.pool });
}

async function runEndToEnd(messages: readonly BusMessage[], deps: EndToEndDeps, pipeline = benchPipeline(deps)): Promise<void> {
  // Without workers, handle() normalises on this thread and queues the write, so two outstanding batches overlap
  // normalising one with storing the other. With workers, each worker normalises one while the engine stores one
  // (writes stay in call order), as `accessproof ingest` keeps them.
  const outstanding = deps.pool ? deps.pool.size + 1 : 2;
  const inFlight: Promise<unknown>[] = [];
  for (let i = 0; i < messages.length; i += deps.batchSize) {
    inFlight.push(pipeline.handle(messages.slice(i, i + deps.batchSize).map(fromBusMessage), 'bench'));
    // Yield once so the queued write starts on the engine's thread before the next batch is normalised here.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (inFlight.length >= outstanding) await inFlight.shift();
  }
  while (inFlight.length) await inFlight.shift();
}

/**
 * Feeds the corpus `passes` times through one pipeline (each pass with its own provenance headers, so nothing is
 * deduplicated) and records each pass's peak RSS and the JS heap after GC. Flat ingest: the later passes, which
 * have ingested several times more, peak no higher than the earlier ones (a leak would lift every later pass).
 */
export async function measureIngestMemory(messages: readonly BusMessage[], deps: EndToEndDeps, passes: number): Promise<IngestMemory> {
  await deps.reset();
  deps.gc();
  const baseline = rssBytes();
  const pipeline = benchPipeline(deps);
  const peaks: number[] = [];
  const heap: number[] = [];
  for (let pass = 1; pass <= passes; pass++) {
    const copy = messages.map((m) => ({ ...m, headers: { ...m.headers, input_ref: `${m.headers.input_ref ?? ''}#${pass}` } }));
    resetPeakRss();
    await runEndToEnd(copy, deps, pipeline);
    peaks.push(Math.max(0, peakRssBytes() - baseline));
    deps.gc();
    heap.push(process.memoryUsage().heapUsed);
  }
  await deps.reset();
  return { baseline, events_per_pass: messages.length, peak_over_baseline_by_pass: peaks, heap_used_by_pass: heap };
}

/** A sample of `passes` repeated passes, as the time of one. */
function perPass(sample: RunSample, passes: number): RunSample {
  return { ...sample, seconds: sample.seconds / passes };
}

/** Runs the ladder; returns per group and stage the figures. */
export async function runLadder(
  groups: readonly LadderGroup[], rounds: number, batchSize: number, e2e: EndToEndDeps | null,
  log: (line: string) => void,
): Promise<Record<string, Partial<Record<Stage, StageResult>>>> {
  const samples = new Map<string, RunSample[]>();
  const key = (g: string, s: Stage): string => `${g}/${s}`;
  for (const g of groups) {
    const clockCost = clockReadCost(g.messages.length);
    // Parse and validate of one source take ~50 ms, where one GC pause or preemption moves a ratio by 0.1: each of
    // their samples repeats the pass until it lasts ≥ 0.25 s (rates are per pass). Normalise takes ≥ 0.25 s anyway.
    const calibration = await timed(() => runParse(g.messages));
    const fastPasses = Math.max(1, Math.ceil(0.25 / Math.max(calibration.seconds, 1e-3)));
    const stages = STAGES.filter((s) => (s !== 'end_to_end' || (g.endToEnd && e2e)) && (s !== 'normalise_pool' || e2e?.pool));
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? stages : [...stages].reverse();
      for (const stage of order) {
        e2e?.gc();
        let sample: RunSample;
        if (stage === 'end_to_end' && e2e) {
          await e2e.reset();
          e2e.gc();
          sample = await timed(() => runEndToEnd(g.messages, e2e));
          await e2e.reset();
        } else if (stage === 'parse') {
          sample = perPass(await timed(() => { for (let i = 0; i < fastPasses; i++) runParse(g.messages); }), fastPasses);
        } else if (stage === 'validate') {
          let ms = 0;
          const run = await timed(() => { for (let i = 0; i < fastPasses; i++) ms += runValidate(g.messages, clockCost); });
          sample = perPass({ ...run, seconds: ms / 1000 }, fastPasses);
        } else if (stage === 'normalise_pool' && e2e?.pool) {
          const pool = e2e.pool;
          sample = await timed(() => runNormalisePool(g.messages, batchSize, pool));
        } else {
          sample = await timed(() => runNormalise(g.messages, batchSize));
        }
        const list = samples.get(key(g.name, stage)) ?? [];
        list.push(sample);
        samples.set(key(g.name, stage), list);
      }
    }
    log(`  ${g.name}: ${rounds} rounds done`);
  }
  const results: Record<string, Partial<Record<Stage, StageResult>>> = {};
  for (const g of groups) {
    const events = g.messages.length;
    const bytes = bytesOf(g.messages);
    const parse = samples.get(key(g.name, 'parse')) ?? [];
    results[g.name] = {};
    for (const stage of STAGES) {
      const runs = samples.get(key(g.name, stage));
      if (!runs) continue;
      const rates = runs.map((r) => events / r.seconds);
      const ratios = runs.map((r, i) => (parse[i] ? (parse[i] as RunSample).seconds / r.seconds : Number.NaN));
      const eps = median(rates);
      (results[g.name] as Record<Stage, StageResult>)[stage] = {
        events, bytes, eps_median: eps, eps_best: best(rates), mb_per_s: (eps * bytes) / events / 1e6, us_per_event: 1e6 / eps,
        ratio_to_parse: median(ratios), cores_busy: median(runs.map((r) => r.cores)), peak_rss: best(runs.map((r) => r.peak_rss)),
        rounds: rates,
      };
    }
  }
  return results;
}
