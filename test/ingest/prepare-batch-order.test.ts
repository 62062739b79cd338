import { describe, expect, it } from 'vitest';
import { generateCorpus } from '../../bench/corpus/index.ts';
import { DEFAULT_POLICY, sha256Hex } from '../../ingest/normalizers/common.ts';
import { fromBusMessage, prepareBatch, type InboundRecord } from '../../ingest/pipeline.ts';

// prepareBatch normalises a mixed batch grouped by source (faster: one normalizer and one event shape at a time),
// but what it reports must not depend on that: the same events, counts and per-source figures, and dead letters in
// arrival order (the Kafka worker pairs them back with their messages by walking the batch in order).

const NOW = '2026-11-28T12:00:00.000Z';

function bad(source: string, raw: string, ref: string): InboundRecord {
  return { source, raw, input_ref: ref, received_at: NOW, raw_sha256: sha256Hex(raw) };
}

function mixedBatch(): InboundRecord[] {
  const corpus = generateCorpus(5, 6);
  const out: InboundRecord[] = [];
  for (let i = 0; i < 6; i++) {
    for (const s of ['okta', 'teleport', 'cloudtrail', 'entra'] as const) out.push(fromBusMessage(corpus.messages[s][i] as never));
    if (i === 1) out.push(bad('teleport', '{"event": "session.start"', 'bad:json-teleport'));
    if (i === 2) out.push(bad('nosuch', '{}', 'bad:unknown-source'));
    if (i === 3) out.push(bad('okta', '{"uuid": "no-event-type"}', 'bad:okta-reject'));
    if (i === 4) out.push(bad('cloudtrail', '[1, 2', 'bad:json-cloudtrail'));
  }
  return out;
}

const ids = (events: readonly { event_id: string }[]): string[] => events.map((e) => e.event_id);

describe('prepareBatch on a mixed batch', () => {
  it('gives the events of every record, grouped by source in order of first arrival', () => {
    const records = mixedBatch();
    const batch = prepareBatch(records, DEFAULT_POLICY, NOW);
    const sourceOrder = [...new Set(records.map((r) => r.source))];
    const grouped = sourceOrder.flatMap((s) => records.filter((r) => r.source === s));
    const oneByOne = grouped.flatMap((r) => prepareBatch([r], DEFAULT_POLICY, NOW).events);
    expect(ids(batch.events)).toEqual(ids(oneByOne));
    expect(batch.events.length).toBeGreaterThan(15);
    expect(batch.raws.map((r) => r.raw_sha256)).toEqual(grouped.flatMap((r) => prepareBatch([r], DEFAULT_POLICY, NOW).raws.map((x) => x.raw_sha256)));
  });

  it('reports dead letters in arrival order, and the same counts and per-source figures as in arrival order', () => {
    const records = mixedBatch();
    const batch = prepareBatch(records, DEFAULT_POLICY, NOW);
    const arrival = records.map((r) => prepareBatch([r], DEFAULT_POLICY, NOW));
    expect(batch.deadLetters.map((d) => d.input_ref)).toEqual(arrival.flatMap((p) => p.deadLetters.map((d) => d.input_ref)));
    expect(batch.deadLetters.map((d) => d.input_ref)).toEqual(['bad:json-teleport', 'bad:unknown-source', 'bad:okta-reject', 'bad:json-cloudtrail']);
    expect(batch.counts).toEqual({
      read: records.length,
      stored: 0,
      duplicates: 0,
      events: arrival.reduce((n, p) => n + p.counts.events, 0),
      dead_lettered: 4,
      dropped: arrival.reduce((n, p) => n + p.counts.dropped, 0),
    });
    expect([...batch.sources.keys()]).toEqual(['okta', 'teleport', 'cloudtrail', 'entra', 'nosuch']);
    const teleport = batch.sources.get('teleport');
    expect(teleport?.received).toBe(7);
    expect(teleport?.dead).toBe(1);
  });

  it('keeps a batch that is already grouped in arrival order', () => {
    const records = mixedBatch().filter((r) => r.source === 'teleport' || r.source === 'okta');
    const grouped = [...records.filter((r) => r.source === 'teleport'), ...records.filter((r) => r.source === 'okta')];
    const batch = prepareBatch(grouped, DEFAULT_POLICY, NOW);
    expect(ids(batch.events)).toEqual(ids(grouped.flatMap((r) => prepareBatch([r], DEFAULT_POLICY, NOW).events)));
  });
});
