import { describe, expect, it } from 'vitest';
import { HEADER, type BusBatch } from '../../../ingest/bus/bus.ts';
import { createMemoryBus } from '../../../ingest/bus/memory-bus.ts';
import { createPublishingPipeline } from '../../../ingest/bus/publishing-pipeline.ts';
import { sha256Hex } from '../../../ingest/normalizers/common.ts';
import { deadLetterOf } from '../../../ingest/pipeline.ts';
import { syntheticOktaLine } from '../../helpers/synthetic-okta.ts';

describe('publishing pipeline (connectors in Kafka mode)', () => {
  it('publishes records keyed by source and actor with provenance headers, and counts them as read', async () => {
    const bus = createMemoryBus();
    const batches: BusBatch[] = [];
    await bus.subscribe('raw', 'g', async (b) => { batches.push(b); });
    const pipeline = createPublishingPipeline({ bus, topic: 'raw' });
    const raw = syntheticOktaLine('pub', 7);
    const counts = await pipeline.handle([{ source: 'okta', raw, input_ref: 'f.jsonl:8', received_at: '2025-03-11T09:00:00.000Z', raw_sha256: sha256Hex(raw) }]);
    expect(counts).toEqual({ read: 1, stored: 0, duplicates: 0, dead_lettered: 0, dropped: 0, events: 0 });
    const [message] = batches[0]?.messages ?? [];
    expect(message?.key).toBe('okta:user7@example.com');
    expect(message?.value.toString('utf8')).toBe(raw);
    expect(message?.headers).toEqual({
      [HEADER.source]: 'okta', [HEADER.receivedAt]: '2025-03-11T09:00:00.000Z', [HEADER.rawSha256]: sha256Hex(raw), [HEADER.inputRef]: 'f.jsonl:8',
    });
    expect(pipeline.totals()).toEqual({ published: 1, rejects: 0, batches: 1 });
  });

  it('framing rejects travel on the raw topic with their reason, for the workers to dead-letter', async () => {
    const bus = createMemoryBus();
    const batches: BusBatch[] = [];
    await bus.subscribe('raw', 'g', async (b) => { batches.push(b); });
    const pipeline = createPublishingPipeline({ bus, topic: 'raw' });
    const row = deadLetterOf({ source: 'okta', raw: '{"uuid": "trunc', input_ref: 'f.jsonl:2', received_at: '2025-03-11T09:00:00.000Z' }, 'framing', 'invalid_json', 'Unexpected end of JSON input'.repeat(100));
    await pipeline.deadLetter([row]);
    const [message] = batches[0]?.messages ?? [];
    expect(message?.value.toString('utf8')).toBe('{"uuid": "trunc');
    expect(message?.headers[HEADER.rejectStage]).toBe('framing');
    expect(message?.headers[HEADER.rejectReason]).toBe('invalid_json');
    expect(message?.headers[HEADER.rejectDetail]).toHaveLength(1000);
    expect(pipeline.totals()).toEqual({ published: 1, rejects: 1, batches: 1 });
  });

  it('a failed publish rejects, so the connector keeps its cursor', async () => {
    const pipeline = createPublishingPipeline({ bus: createMemoryBus(), topic: 'raw' });
    await expect(pipeline.handle([{ source: 'okta', raw: '{}', input_ref: 'x', received_at: '2025-03-11T09:00:00.000Z', raw_sha256: sha256Hex('{}') }]))
      .rejects.toMatchObject({ code: 'ERR_BUS_NO_SUBSCRIBER' });
    expect(pipeline.totals().published).toBe(0);
  });
});
