import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// kafkajs's record decoder is patched at install (patches/kafkajs+2.2.4.patch, applied by patch-package in
// postinstall): Number arithmetic on safe integers instead of BigInt per record, and no object spread per header.
// Each record is encoded here with kafkajs's own encoder and decoded by the patched decoder; expected offsets and
// timestamps are computed with BigInt, as upstream does, including the values that must take the upstream path.
const require = createRequire(import.meta.url);
type Encoded = { buffer: Buffer };
const Record = require('kafkajs/src/protocol/recordBatch/record/v0') as (opts: object) => Encoded;
const Decoder = require('kafkajs/src/protocol/decoder') as new (buffer: Buffer) => { readVarInt(): number; offset: number; buffer: Buffer };
const decoderPath = require.resolve('kafkajs/src/protocol/recordBatch/record/v0/decoder');
const decodeRecord = require(decoderPath) as (decoder: unknown, ctx: object) => {
  offset: string; timestamp: string; key: Buffer; value: Buffer; headers: Record<string, Buffer | Buffer[]>; isControlRecord: boolean;
};

const CREATE_TIME = 0;
const LOG_APPEND_TIME = 1;

interface Batch {
  firstOffset: string;
  firstTimestamp: string;
  timestampType?: number;
  maxTimestamp?: string;
}

function roundTrip(batch: Batch, record: { offsetDelta: number; timestampDelta: number | bigint; headers?: object }) {
  const encoded = Record({
    offsetDelta: record.offsetDelta,
    timestampDelta: record.timestampDelta,
    key: Buffer.from('okta:alice@example.com'),
    value: Buffer.from('{"uuid":"evt-1"}'),
    headers: record.headers ?? {},
  }).buffer;
  // A trailing byte proves the decoder stops exactly at the record's end.
  const decoder = new Decoder(Buffer.concat([encoded, Buffer.from([0x7f])]));
  decoder.readVarInt(); // record length
  const decoded = decodeRecord(decoder, { magicByte: 2, isControlBatch: false, timestampType: CREATE_TIME, ...batch });
  expect(decoder.buffer[decoder.offset]).toBe(0x7f);
  return decoded;
}

const plus = (base: string, delta: number | bigint): string => (BigInt(base) + BigInt(delta)).toString();

describe('kafkajs record decoder (patched)', () => {
  it('is the patched decoder (postinstall ran patch-package)', () => {
    expect(readFileSync(decoderPath, 'utf8')).toContain('accessproof patch');
  });

  it('computes offsets and timestamps exactly, on the fast path and on the upstream path', () => {
    const cases: { batch: Batch; offsetDelta: number; timestampDelta: number | bigint }[] = [
      { batch: { firstOffset: '1000', firstTimestamp: '1764288000000' }, offsetDelta: 5, timestampDelta: 1234 },
      { batch: { firstOffset: '0', firstTimestamp: '1764288000000' }, offsetDelta: 0, timestampDelta: 0 },
      // No timestamp (-1) and negative deltas.
      { batch: { firstOffset: '7', firstTimestamp: '-1' }, offsetDelta: 1, timestampDelta: 0 },
      { batch: { firstOffset: '7', firstTimestamp: '1764288000000' }, offsetDelta: 2, timestampDelta: -5000 },
      // Past 2^53: the sums are no longer safe Numbers.
      { batch: { firstOffset: '9007199254740990', firstTimestamp: '1764288000000' }, offsetDelta: 5, timestampDelta: 1 },
      { batch: { firstOffset: '9223372036854775000', firstTimestamp: '9223372036854775000' }, offsetDelta: 700, timestampDelta: 7 },
      // A delta whose varlong needs more than 7 bytes.
      { batch: { firstOffset: '1', firstTimestamp: '1764288000000' }, offsetDelta: 1, timestampDelta: 2n ** 52n },
      { batch: { firstOffset: '1', firstTimestamp: '1764288000000' }, offsetDelta: 1, timestampDelta: -(2n ** 50n) },
      // Bases that are not canonical integers as strings.
      { batch: { firstOffset: '0012', firstTimestamp: '1764288000000' }, offsetDelta: 3, timestampDelta: 9 },
    ];
    for (const c of cases) {
      const r = roundTrip(c.batch, c);
      expect(r.offset, JSON.stringify(c, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))).toBe(plus(c.batch.firstOffset, c.offsetDelta));
      expect(r.timestamp).toBe(plus(c.batch.firstTimestamp, c.timestampDelta));
    }
  });

  it('takes maxTimestamp for log-append-time batches and still reads the record to its end', () => {
    const r = roundTrip({ firstOffset: '40', firstTimestamp: '1764288000000', timestampType: LOG_APPEND_TIME, maxTimestamp: '1764288099999' }, { offsetDelta: 2, timestampDelta: 777 });
    expect(r.timestamp).toBe('1764288099999');
    expect(r.offset).toBe('42');
    expect(r.key.toString()).toBe('okta:alice@example.com');
    expect(r.value.toString()).toBe('{"uuid":"evt-1"}');
  });

  it('keeps headers as upstream: Buffers, repeated keys as arrays in order, any key an own property', () => {
    const headers: Record<string, Buffer | Buffer[]> = {
      source: Buffer.from('okta'),
      input_ref: Buffer.from('file:/in/okta.jsonl#7'),
      tag: [Buffer.from('a'), Buffer.from('b'), Buffer.from('c')],
    };
    Object.defineProperty(headers, '__proto__', { value: Buffer.from('p'), enumerable: true });
    const r = roundTrip({ firstOffset: '1', firstTimestamp: '1764288000000' }, { offsetDelta: 0, timestampDelta: 0, headers });
    expect(Object.keys(r.headers)).toEqual(['source', 'input_ref', 'tag', '__proto__']);
    expect(r.headers.source?.toString()).toBe('okta');
    expect(r.headers.input_ref?.toString()).toBe('file:/in/okta.jsonl#7');
    expect((r.headers.tag as Buffer[]).map(String)).toEqual(['a', 'b', 'c']);
    expect(Object.getPrototypeOf(r.headers)).toBe(Object.prototype);
    // Exactly upstream's result: its reduce read obj['__proto__'] (the prototype, not undefined) before the first value.
    expect(Object.getOwnPropertyDescriptor(r.headers, '__proto__')?.value).toEqual([Object.prototype, Buffer.from('p')]);
    const none = roundTrip({ firstOffset: '1', firstTimestamp: '1764288000000' }, { offsetDelta: 0, timestampDelta: 0 });
    expect(none.headers).toEqual({});
    expect(none.isControlRecord).toBe(false);
  });
});
