import { createRequire } from 'node:module';
import { gunzipSync, gzipSync } from 'node:zlib';
import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { decompressGzip, inflateChunkSize, installKafkaGzipCodec, kafkaGzipCodecStats } from '../../../ingest/bus/kafka-gzip-codec.ts';

// kafkajs's own record-batch encoder and fetch-response decoder (internal modules, pinned kafkajs 2.2.4): the codec
// must give exactly what kafkajs's decoding expects when it reads several record batches out of one response.
const require = createRequire(import.meta.url);
type Encoded = { buffer: Buffer };
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0') as { RecordBatch: (opts: object) => Promise<Encoded> };
const Record = require('kafkajs/src/protocol/recordBatch/record/v0') as (opts: object) => Encoded;
const decodeMessages = require('kafkajs/src/protocol/requests/fetch/v4/decodeMessages') as (decoder: unknown) => Promise<Array<{ offset: string; key: Buffer; value: Buffer; headers: Record<string, Buffer> }>>;
const Decoder = require('kafkajs/src/protocol/decoder') as new (buffer: Buffer) => unknown;
const Long = require('kafkajs/src/utils/long') as { fromValue(v: number): unknown };

async function recordBatch(first: number, count: number): Promise<Buffer> {
  const records = Array.from({ length: count }, (_, i) =>
    Record({
      offsetDelta: i,
      key: Buffer.from(`okta:user${String(first + i)}@example.com`),
      value: Buffer.from(JSON.stringify({ uuid: `evt-${String(first + i)}`, pad: 'x'.repeat(200 + ((first + i) % 50)) })),
      headers: { source: Buffer.from('okta'), input_ref: Buffer.from(`file:/in/okta.jsonl#${String(first + i)}`) },
    }),
  );
  const batch = await RecordBatch({ compression: kafkajs.CompressionTypes.GZIP, firstOffset: Long.fromValue(first), lastOffsetDelta: count - 1, records });
  return batch.buffer;
}

/** A partition's record set as a fetch response carries it: int32 size, then the record batches back to back. */
function recordSet(batches: readonly Buffer[], trailer: Buffer = Buffer.alloc(0)): Buffer {
  const body = Buffer.concat([...batches, trailer]);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length - trailer.length);
  return Buffer.concat([size, body]);
}

describe('kafka GZIP codec', () => {
  installKafkaGzipCodec();

  it('sizes the inflate output from the gzip trailer, bounded', () => {
    const data = Buffer.from('a'.repeat(300_000));
    expect(inflateChunkSize(gzipSync(data))).toBe(300_001);
    expect(inflateChunkSize(gzipSync(Buffer.from('tiny')))).toBe(64 * 1024);
    const bogus = Buffer.concat([gzipSync(data).subarray(0, -4), Buffer.from([0xff, 0xff, 0xff, 0x7f])]);
    expect(inflateChunkSize(bogus)).toBe(16 * 1024 * 1024);
    // A wrong trailer only changes buffer sizing, never the output.
    return expect(decompressGzip(gzipSync(data))).resolves.toEqual(data);
  });

  it('decodes every record of several record batches in one response, using the read-ahead', async () => {
    const batches = [await recordBatch(0, 300), await recordBatch(300, 250), await recordBatch(550, 400)];
    const before = kafkaGzipCodecStats();
    const messages = await decodeMessages(new Decoder(recordSet(batches)));
    const after = kafkaGzipCodecStats();
    expect(messages.map((m) => m.offset)).toEqual(Array.from({ length: 950 }, (_, i) => String(i)));
    expect(messages[0]?.key.toString()).toBe('okta:user0@example.com');
    expect(JSON.parse(messages[949]?.value.toString() ?? '{}')).toMatchObject({ uuid: 'evt-949' });
    expect(messages[551]?.headers['input_ref']?.toString()).toBe('file:/in/okta.jsonl#551');
    // One inflate per record batch (the read-ahead ones included), and batches 2 and 3 were served from it.
    expect(after.inflates - before.inflates).toBe(3);
    expect(after.readAheadHits - before.readAheadHits).toBe(2);
  });

  it('ignores what follows the last record batch and a truncated tail batch', async () => {
    const batches = [await recordBatch(0, 100), await recordBatch(100, 100)];
    const truncated = (await recordBatch(200, 100)).subarray(0, 500);
    const messages = await decodeMessages(new Decoder(recordSet(batches, truncated)));
    expect(messages).toHaveLength(200);
    // Bytes that look like a record-batch header but are not gzip are never inflated for kafkajs.
    const fake = Buffer.alloc(200, 0);
    fake.writeInt32BE(150, 8);
    fake[16] = 2;
    fake.writeInt16BE(1, 21);
    const again = await decodeMessages(new Decoder(recordSet([await recordBatch(0, 10)], fake)));
    expect(again).toHaveLength(10);
  });

  it('never serves read-ahead output for different bytes', async () => {
    const a = gzipSync(Buffer.from('first'));
    const b = gzipSync(Buffer.from('second record'));
    const both = Buffer.concat([a, b]);
    // Same memory, same start offset, different length: not the read-ahead entry, inflated on its own.
    await expect(decompressGzip(both.subarray(0, a.length))).resolves.toEqual(Buffer.from('first'));
    expect(gunzipSync(both.subarray(a.length))).toEqual(Buffer.from('second record'));
    await expect(decompressGzip(both.subarray(a.length))).resolves.toEqual(Buffer.from('second record'));
  });
});
