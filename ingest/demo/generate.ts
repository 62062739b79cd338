/**
 * The demo dataset: an invented company ("Fjordlight Payments", demo.example, 40 identities plus service
 * accounts) over `days` UTC days ending at `endDate`, as raw upstream records in each vendor's wire shape.
 *
 * Deterministic: everything comes from a seeded PRNG (no clock, no Math.random), so the same seed and
 * endDate give byte-identical output. Records at or after `endDate` are cut, like real logs at "now".
 * Only sources with a registered normalizer are returned. Text sources (`sshd`, `postgres`) are framed the
 * way the file importer frames them: lines in time order through the normalizer's line assembler, if any.
 */
import type { SourceId } from '../../schema/auth-event.ts';
import { normalizerFor } from '../normalizers/index.ts';
import { createRng } from './prng.ts';
import { runAdmin } from './stories/admin.ts';
import { runAttacks } from './stories/attacks.ts';
import { runIncidents } from './stories/incidents.ts';
import { runOffboarding } from './stories/offboarding.ts';
import { runServices } from './stories/services.ts';
import { personDay } from './stories/workday.ts';
import { createWorld, type Emitted } from './world.ts';

/** Every source the demo organisation writes (returned only when a normalizer for it is registered). */
export const DEMO_SOURCES: readonly SourceId[] = [
  'okta', 'entra', 'google', 'duo', 'teleport', 'boundary', 'sshd', 'k8s', 'postgres', 'cloudtrail', 'gcp', 'azure',
];

/** Options of the generator. */
export interface DemoOptions {
  readonly seed: number;
  /** The demo window ends here (exclusive); its last day is this instant's UTC day. */
  readonly endDate: Date;
  /** Whole UTC days in the window (default 30). */
  readonly days?: number;
}

/** Raw records of one source, in upstream order. */
export interface DemoSourceRecords {
  source: SourceId;
  records: string[];
}

function frameText(source: SourceId, lines: readonly Emitted[]): string[] {
  const normalizer = normalizerFor(source);
  if (!normalizer?.createAssembler) return lines.map((l) => l.text);
  const assembler = normalizer.createAssembler();
  const out: string[] = [];
  lines.forEach((l, i) => {
    for (const r of assembler.push(l.text, `demo:${source}:${i + 1}`)) out.push(r.raw);
  });
  for (const r of assembler.flush()) out.push(r.raw);
  return out;
}

/** Generates the demo organisation's raw records, one entry per source that accessproof can read. */
export function generateDemoDataset(opts: DemoOptions): DemoSourceRecords[] {
  const days = Math.floor(opts.days ?? 30);
  const endMs = opts.endDate.getTime();
  if (!Number.isFinite(endMs)) throw new Error('generateDemoDataset: endDate is not a valid date');
  if (days < 1 || days > 366) throw new Error('generateDemoDataset: days must be between 1 and 366');
  const root = createRng(opts.seed, 'accessproof-demo');
  const emitted: Emitted[] = [];
  const w = createWorld(root, endMs, days, emitted);
  for (let day = 0; day < days; day++) {
    for (const p of w.org.people) personDay(w, root.fork(`day-${day}/${p.key}`), p, day);
  }
  runServices(w, root.fork('services'));
  runAdmin(w, root.fork('admin'));
  runOffboarding(w, root.fork('offboarding'));
  runIncidents(w, root.fork('incidents'));
  runAttacks(w, root.fork('attacks'));

  const bySource = new Map<SourceId, Emitted[]>();
  for (const e of emitted) {
    if (e.t < w.start || e.t >= w.end) continue;
    let list = bySource.get(e.source);
    if (!list) { list = []; bySource.set(e.source, list); }
    list.push(e);
  }
  const out: DemoSourceRecords[] = [];
  for (const source of DEMO_SOURCES) {
    const normalizer = normalizerFor(source);
    const list = bySource.get(source);
    if (!normalizer || !list) continue;
    list.sort((a, b) => a.t - b.t || a.seq - b.seq);
    out.push({ source, records: normalizer.format === 'text' ? frameText(source, list) : list.map((e) => e.text) });
  }
  return out;
}
