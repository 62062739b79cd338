import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DEFAULT_POLICY, sha256Hex } from '../../ingest/normalizers/common.ts';
import { normalizerFor } from '../../ingest/normalizers/index.ts';
import { normalizeRecord } from '../../ingest/normalizers/normalize-record.ts';
import type { Store } from '../../schema/store/store.ts';
import { sharedPath } from '../helpers/shared.ts';

// Data served by the fake vendor APIs: the shared samples plus generated clones. A `variant` rewrites every vendor
// id so that several tests can share one store without sharing events.

type Json = Record<string, unknown>;

const SAMPLE_FILES = { okta: 'okta.jsonl', entra: 'entra-id.signins.jsonl', google: 'google-workspace.jsonl', duo: 'duo.jsonl' } as const;
export type VendorSource = keyof typeof SAMPLE_FILES;

/** A deterministic UUID-shaped id from any text. */
export function uuidFrom(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The sample records of a source, parsed. */
export function sampleRecords(source: VendorSource): Json[] {
  return readFileSync(sharedPath('samples', SAMPLE_FILES[source]), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Json);
}

const clone = (r: Json): Json => JSON.parse(JSON.stringify(r)) as Json;
const isoAt = (baseIso: string, offsetMs: number): string => new Date(Date.parse(baseIso) + offsetMs).toISOString();

/** Event time of a record as the vendor's API filters it. */
export function eventTimeOf(source: VendorSource, r: Json): string {
  switch (source) {
    case 'okta': return String(r.published);
    case 'entra': return new Date(String(r.createdDateTime)).toISOString();
    case 'google': return String((r.id as Json).time);
    case 'duo': return new Date(String(r.isotimestamp)).toISOString();
    default: throw new Error('unknown source');
  }
}

/** Gives a record a new vendor id (and, when given, a new time). */
export function rewrite(source: VendorSource, r: Json, key: string, time?: string): Json {
  const c = clone(r);
  switch (source) {
    case 'okta':
      c.uuid = uuidFrom(`okta:${key}`);
      if (time) c.published = time;
      break;
    case 'entra':
      c.id = uuidFrom(`entra:${key}`);
      if (time) c.createdDateTime = time.replace(/\.\d{3}Z$/, 'Z');
      break;
    case 'google': {
      const id = c.id as Json;
      id.uniqueQualifier = BigInt.asIntN(64, BigInt(`0x${createHash('sha256').update(`google:${key}`).digest('hex').slice(0, 16)}`)).toString();
      if (time) id.time = time;
      break;
    }
    case 'duo':
      c.txid = uuidFrom(`duo:${key}`);
      if (time) {
        c.isotimestamp = time.replace('Z', '000+00:00');
        c.timestamp = Math.floor(Date.parse(time) / 1000);
      }
      break;
    default:
      throw new Error('unknown source');
  }
  return c;
}

/**
 * Samples (ids rewritten unless variant is 0) plus `extra` generated records spread from 10:00 UTC on the sample day,
 * `spacingMs` apart. Returned in event-time order.
 */
export function vendorRecords(source: VendorSource, opts: { variant: number; extra: number; spacingMs?: number }): Json[] {
  const samples = sampleRecords(source);
  const out = opts.variant === 0 ? samples.map(clone) : samples.map((r, i) => rewrite(source, r, `v${opts.variant}:s${i}`));
  for (let i = 0; i < opts.extra; i++) {
    const base = samples[i % samples.length] as Json;
    out.push(rewrite(source, base, `v${opts.variant}:g${i}`, isoAt('2025-03-11T10:00:00.000Z', i * (opts.spacingMs ?? 1000) + 17)));
  }
  return out.sort((a, b) => eventTimeOf(source, a).localeCompare(eventTimeOf(source, b)));
}

/** The event ids accessproof derives from these records (what must end up stored exactly once). */
export function expectedEventIds(source: VendorSource, records: readonly Json[]): string[] {
  const normalizer = normalizerFor(source);
  if (!normalizer) throw new Error(`no normalizer for ${source}`);
  const ids = new Set<string>();
  for (const r of records) {
    const raw = JSON.stringify(r);
    const res = normalizeRecord(normalizer, raw, r, DEFAULT_POLICY, '2025-03-12T00:00:00.000Z', sha256Hex(raw));
    if (res.kind === 'ok') for (const e of res.value) ids.add(e.event_id);
  }
  return [...ids];
}

/** How many times each expected event is stored (after FINAL), plus stored events of the source not expected. */
export async function storedCounts(store: Store, ids: readonly string[]): Promise<{ missing: string[]; duplicated: string[]; found: number }> {
  const rows = await store.query<{ id: string; n: string }>(
    'SELECT toString(event_id) AS id, count() AS n FROM auth_events FINAL WHERE event_id IN {ids:Array(UUID)} GROUP BY id', { ids });
  const counts = new Map(rows.map((r) => [r.id, Number(r.n)]));
  return {
    missing: ids.filter((id) => !counts.has(id)),
    duplicated: [...counts].filter(([, n]) => n > 1).map(([id]) => id),
    found: counts.size,
  };
}
