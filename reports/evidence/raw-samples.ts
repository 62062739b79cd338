import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { Store } from '../../schema/store/store.ts';
import { SAMPLE_EVENTS_SQL, SAMPLE_RAW_SQL, type QueryLog } from './queries.ts';
import { unIso } from './rows.ts';

// samples/raw/<item>.jsonl: for each sampled item, the original upstream records (raw_events) behind its stored
// events, one JSON object per line: raw_sha256, source, event_time, input_ref, event_ids, raw. Anyone can check
// that SHA-256(raw) equals raw_sha256 and that the events in auth_events carry that digest.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CHUNK = 5000;

const EventRef = z.object({ id: z.string(), source: z.string(), event_time: z.string(), raw_sha256: z.string() });
const RawRow = z.object({ raw_sha256: z.string(), source: z.string(), event_time: z.string(), input_ref: z.string(), raw: z.string() });
type RawRow = z.infer<typeof RawRow>;

function chunks<T>(xs: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += CHUNK) out.push(xs.slice(i, i + CHUNK));
  return out;
}

/** Writes one JSONL file per distinct `file`; returns the written paths (relative, sorted). */
export async function writeRawSamples(store: Store, log: QueryLog, dir: string, wanted: readonly { file: string; event_ids: readonly string[] }[]): Promise<string[]> {
  const byFile = new Map<string, Set<string>>();
  for (const w of wanted) {
    const set = byFile.get(w.file) ?? new Set<string>();
    for (const id of w.event_ids) if (UUID.test(id)) set.add(id.toLowerCase());
    byFile.set(w.file, set);
  }
  const allIds = [...new Set([...byFile.values()].flatMap((s) => [...s]))].sort();
  const events = new Map<string, z.infer<typeof EventRef>>();
  for (const ids of chunks(allIds)) {
    const rows = await log.run<unknown>(store, 'sample_events', 'Stored events behind the sampled items (their raw record digests)', SAMPLE_EVENTS_SQL, { ids },
      { ids: '(the evidence event ids of the sampled items, see sample.csv)' });
    for (const r of rows) { const e = EventRef.parse(unIso(r)); events.set(e.id.toLowerCase(), e); }
  }
  const digests = [...new Set([...events.values()].map((e) => e.raw_sha256).filter(Boolean))].sort();
  const raws = new Map<string, RawRow>();
  for (const d of chunks(digests)) {
    const rows = await log.run<unknown>(store, 'sample_raw', 'Original raw records of the sampled events', SAMPLE_RAW_SQL, { digests: d },
      { digests: '(the raw_sha256 of the events above)' });
    for (const r of rows) { const x = RawRow.parse(unIso(r)); raws.set(`${x.source}\n${x.raw_sha256}`, x); }
  }
  const files = [...byFile.keys()].sort();
  for (const file of files) {
    const perRaw = new Map<string, { raw: RawRow | undefined; source: string; digest: string; ids: string[] }>();
    for (const id of byFile.get(file) ?? []) {
      const e = events.get(id);
      if (!e) continue;
      const key = `${e.source}\n${e.raw_sha256}`;
      const entry = perRaw.get(key) ?? { raw: raws.get(key), source: e.source, digest: e.raw_sha256, ids: [] };
      entry.ids.push(id);
      perRaw.set(key, entry);
    }
    const lines = [...perRaw.values()]
      .sort((a, b) => ((a.raw?.event_time ?? '') + a.digest < (b.raw?.event_time ?? '') + b.digest ? -1 : 1))
      .map((x) => JSON.stringify({
        raw_sha256: x.digest,
        source: x.source,
        event_time: x.raw?.event_time ?? null,
        input_ref: x.raw?.input_ref ?? null,
        event_ids: x.ids.sort(),
        raw: x.raw?.raw ?? null,
      }));
    const path = join(dir, file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, lines.length ? `${lines.join('\n')}\n` : '');
  }
  return files;
}
