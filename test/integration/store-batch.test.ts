import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromBusMessage, prepareBatch, toBusMessage } from '../../ingest/pipeline.ts';
import { DEFAULT_POLICY, eventIdFor, sha256Hex } from '../../ingest/normalizers/common.ts';
import type { AuthEvent } from '../../schema/auth-event.ts';
import { encodeBatch, releaseBatch, type Store } from '../../schema/store/store.ts';
import { sharedPath } from '../helpers/shared.ts';
import { openTempStore } from '../helpers/temp-store.ts';

// The Native batch path: every AuthEvent field survives the trip (event_id as the derived alias), raw records are
// stored byte for byte, and a retried batch adds nothing.

const ISO = (c: string): string => `concat(replaceOne(toString(${c}), ' ', 'T'), 'Z') AS ${c}`;

describe('encodeBatch → writeBatch (Native bodies via INSERT … FROM INFILE)', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let events: AuthEvent[];
  let rawCount = 0;
  beforeAll(async () => {
    ({ store, cleanup } = await openTempStore());
    const lines = readFileSync(sharedPath('samples', 'teleport.jsonl'), 'utf8').split('\n').filter(Boolean);
    const records = lines.map((raw, i) => fromBusMessage(toBusMessage({
      source: 'teleport', raw, input_ref: `teleport.jsonl:${i + 1}`, received_at: '2026-01-02T03:04:05.678Z', raw_sha256: sha256Hex(raw),
    })));
    const prepared = prepareBatch(records, DEFAULT_POLICY, '2026-01-02T03:04:06.000Z');
    events = prepared.events;
    rawCount = prepared.raws.length;
    const encoded = encodeBatch({ raws: prepared.raws, events, deadLetters: prepared.deadLetters, ingestBatches: [] });
    await store.writeBatch(encoded);
    await store.writeBatch(encoded); // a retry of the same batch: deduplicated by the insert tokens
    releaseBatch(encoded);
    await expect(store.writeBatch(encoded)).rejects.toThrow(/released/);
  });
  afterAll(async () => cleanup());

  it('stores every field of every event, event_id included', async () => {
    expect(events.length).toBeGreaterThan(20);
    const rows = await store.query<Record<string, unknown>>(
      `SELECT toString(event_id) AS event_id, source, source_kind, source_event_id, event_type, ${ISO('event_time')}, ${ISO('ingested_at')},
         action, user, user_raw, user_type, target_user, resource, resource_type, environment, privileged, auth_method, mfa_method,
         mfa_method_raw, mfa_verified, mfa_evidence, phishing_resistant, outcome, reason, session_id, src_ip, user_agent, raw_sha256, details
       FROM auth_events ORDER BY source_event_id`);
    const expected = [...events].sort((a, b) => (a.source_event_id < b.source_event_id ? -1 : 1));
    expect(rows).toEqual(expected);
    for (const r of rows) expect(r.event_id).toBe(eventIdFor('teleport', String(r.source_event_id)));
  });

  it('returns event_id from SELECT * and finds rows by it', async () => {
    const [row] = await store.query<Record<string, unknown>>('SELECT * FROM auth_events LIMIT 1');
    expect(Object.keys(row ?? {})).toContain('event_id');
    const id = (events[0] as AuthEvent).event_id;
    const hit = await store.query<{ n: string }>('SELECT count() AS n FROM auth_events WHERE event_id = {id:UUID}', { id });
    expect(Number(hit[0]?.n)).toBe(1);
  });

  it('keeps the raw records byte for byte, once', async () => {
    const rows = await store.query<{ raw: string; raw_sha256: string; input_ref: string }>('SELECT raw, raw_sha256, input_ref FROM raw_events');
    expect(rows).toHaveLength(rawCount);
    for (const r of rows) expect(sha256Hex(r.raw)).toBe(r.raw_sha256);
  });
});
