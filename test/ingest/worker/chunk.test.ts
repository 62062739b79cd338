import { describe, expect, it } from 'vitest';
import type { BusMessage } from '../../../ingest/bus/bus.ts';
import { rejectMessage } from '../../../ingest/bus/publishing-pipeline.ts';
import { DEFAULT_POLICY, sha256Hex } from '../../../ingest/normalizers/common.ts';
import { deadLetterOf, toBusMessage } from '../../../ingest/pipeline.ts';
import { DEAD_LETTER_HEADER, prepareChunk, storeRejectChunk } from '../../../ingest/worker/chunk.ts';
import { syntheticOktaLine, syntheticUuid } from '../../helpers/synthetic-okta.ts';

const NOW = '2025-03-12T00:00:00.000Z';
const origin = { topic: 'accessproof.raw', partition: 2, batchId: 'kafka:g:accessproof.raw:0:2:10-14', connector: 'kafka:g' };

function message(raw: string, offset: number, ref: string): BusMessage {
  return { ...toBusMessage({ source: 'okta', raw, input_ref: ref, received_at: '2025-03-11T10:00:00.000Z', raw_sha256: sha256Hex(raw) }), offset: String(offset) };
}

describe('prepareChunk', () => {
  const messages: BusMessage[] = [
    message(syntheticOktaLine('chunk', 0), 10, 'f:1'),
    message('{"uuid": "trunc', 11, 'f:2'),
    { ...rejectMessage(deadLetterOf({ source: 'okta', raw: '\u0000garbage', input_ref: 'f.gz', received_at: '2025-03-11T10:00:00.000Z' }, 'framing', 'corrupt_gzip', 'bad header')), offset: '12' },
    message(JSON.stringify({ eventType: 'user.session.start', outcome: { result: 'SUCCESS' } }), 13, 'f:4'),
    message(syntheticOktaLine('chunk', 1), 14, 'f:5'),
  ];
  const chunk = prepareChunk(messages, origin, DEFAULT_POLICY, NOW);

  it('normalizes the good records and dead-letters the rest, each with its reason', () => {
    expect(chunk.write.events.map((e) => e.source_event_id)).toEqual([syntheticUuid('chunk', 0), syntheticUuid('chunk', 1)]);
    expect(chunk.write.raws).toHaveLength(2);
    expect(chunk.write.deadLetters.map((d) => [d.input_ref, d.stage, d.reason])).toEqual([
      ['f.gz', 'framing', 'corrupt_gzip'],
      ['f:2', 'normalize', 'invalid_json'],
      ['f:4', 'normalize', 'invalid_time'],
    ]);
    expect({ records: chunk.records, events: chunk.events, deadLettered: chunk.deadLettered, dropped: chunk.dropped }).toEqual({ records: 5, events: 2, deadLettered: 3, dropped: 0 });
  });

  it('pairs every dead letter with its original message: bytes, key and origin offset', () => {
    const byRef = new Map(chunk.deadLetterMessages.map((m) => [m.headers['input_ref'], m]));
    const invalid = byRef.get('f:2');
    expect(invalid?.value.toString('utf8')).toBe('{"uuid": "trunc');
    expect(invalid?.headers[DEAD_LETTER_HEADER.originOffset]).toBe('11');
    expect(invalid?.headers[DEAD_LETTER_HEADER.originTopic]).toBe('accessproof.raw');
    expect(invalid?.headers[DEAD_LETTER_HEADER.originPartition]).toBe('2');
    expect(invalid?.headers[DEAD_LETTER_HEADER.reason]).toBe('invalid_json');
    expect(byRef.get('f.gz')?.headers[DEAD_LETTER_HEADER.originOffset]).toBe('12');
    expect(byRef.get('f:4')?.headers[DEAD_LETTER_HEADER.originOffset]).toBe('13');
  });

  it('writes one reconciliation row per source under the chunk\'s deterministic batch id', () => {
    expect(chunk.write.ingestBatches).toEqual([{
      batch_id: `${origin.batchId}:okta`, source: 'okta', connector: 'kafka:g', received_at: NOW,
      min_event_time: '2025-03-11T08:00:00.000Z', max_event_time: '2025-03-11T08:00:00.037Z',
      received: 5, events: 2, dead_lettered: 3, dropped: 0,
    }]);
    expect(chunk.newestEventTime).toBe('2025-03-11T08:00:00.037Z');
  });

  it('a record the store refused becomes a dead letter of stage store', () => {
    const refused = storeRejectChunk(messages[0] as BusMessage, origin, 'store_rejected', 'Code: 6. Cannot parse', NOW);
    expect(refused.write.deadLetters).toMatchObject([{ stage: 'store', reason: 'store_rejected', input_ref: 'f:1' }]);
    expect(refused.deadLetterMessages[0]?.headers[DEAD_LETTER_HEADER.originOffset]).toBe('10');
    expect(refused.write.ingestBatches[0]).toMatchObject({ received: 1, dead_lettered: 1, events: 0 });
  });
});
