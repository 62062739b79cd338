import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import type { BusMessage } from '../../../ingest/bus/bus.ts';
import { BusError, findBusError } from '../../../ingest/bus/bus-error.ts';
import { fromWireError, packBatch, toWireError, unpackMessages, type WireBatch } from '../../../ingest/bus/consumer-thread/protocol.ts';
import { AppError } from '../../../core/errors.ts';

// How a batch and an error cross from the consumer thread to the main thread and back.

const messages: BusMessage[] = [
  { key: 'okta:alice', value: Buffer.from('{"a":1}'), headers: { source: 'okta', received_at: '2026-11-28T00:00:00.000Z', raw_sha256: 'ab'.repeat(32), input_ref: 'poll:1' }, offset: '41' },
  { key: '', value: Buffer.alloc(0), headers: {}, offset: '42' },
  { key: 'teleport:bob', value: Buffer.from('{"ü":"日本"}'), headers: { source: 'teleport', reject_stage: 'framing', reject_detail: 'ünïcode ✓' }, offset: '9007199254740993' },
  { key: 'k', value: Buffer.from('x'.repeat(5000)), headers: { input_ref: 'file:2', source: 'okta' } },
];

/** Sends a packed batch through a real MessageChannel, transferring its buffer as the consumer thread does. */
function throughChannel(packed: ReturnType<typeof packBatch>): WireBatch {
  const { port1, port2 } = new MessageChannel();
  try {
    port1.postMessage({ type: 'batch', ...packed.message, id: 7 }, packed.transfer);
    const received = receiveMessageOnPort(port2);
    if (!received) throw new Error('nothing received');
    return received.message as WireBatch;
  } finally {
    port1.close();
  }
}

describe('consumer thread protocol', () => {
  it('a packed batch arrives with the same keys, bytes, headers (in order) and offsets', () => {
    const wire = throughChannel(packBatch(messages));
    expect(wire.id).toBe(7);
    const out = unpackMessages(wire);
    expect(out).toHaveLength(messages.length);
    out.forEach((m, i) => {
      const original = messages[i] as BusMessage;
      expect(m.key).toBe(original.key);
      expect(Buffer.compare(m.value, original.value)).toBe(0);
      expect(Object.entries(m.headers)).toEqual(Object.entries(original.headers));
      expect(m.offset).toBe(original.offset);
      expect('offset' in m).toBe(original.offset !== undefined);
    });
  });

  it('the values travel in one buffer of their own, which the transfer detaches from the sender', () => {
    const packed = packBatch(messages);
    const total = messages.reduce((n, m) => n + m.value.length, 0);
    expect(packed.transfer).toHaveLength(1);
    expect(packed.transfer[0]?.byteLength).toBe(total);
    throughChannel(packed);
    // Transferred, not copied: the thread keeps no second copy of the batch's bytes.
    expect(packed.transfer[0]?.byteLength).toBe(0);
  });

  it('an empty batch packs and unpacks', () => {
    expect(unpackMessages(throughChannel(packBatch([])))).toEqual([]);
  });

  it('a BusError comes back as a BusError with its code and retriable flag (kafkajs and findBusError read them)', () => {
    const original = new BusError('ERR_BUS_STOPPED', 'permanent', { retriable: false });
    const back = fromWireError(structuredClone(toWireError(original)));
    expect(back).toBeInstanceOf(BusError);
    expect(findBusError(back)?.code).toBe('ERR_BUS_STOPPED');
    expect((back as BusError).retriable).toBe(false);
    expect(back.message).toBe('permanent');
  });

  it('other errors keep their name (kafkajs never retries a TypeError), code, retriable flag, stack and cause chain', () => {
    const cause = new AppError('ERR_STORE_WRITE', 'insert failed', { retriable: true });
    const original = new TypeError('bad handler', { cause });
    const back = fromWireError(structuredClone(toWireError(original)));
    expect(back.name).toBe('TypeError');
    expect(back.message).toBe('bad handler');
    expect(back.stack).toBe(original.stack);
    const backCause = back.cause as AppError;
    expect(backCause).toBeInstanceOf(AppError);
    expect(backCause.code).toBe('ERR_STORE_WRITE');
    expect(backCause.retriable).toBe(true);

    const flagged = Object.assign(new Error('do not retry'), { retriable: false });
    expect((fromWireError(toWireError(flagged)) as Error & { retriable?: boolean }).retriable).toBe(false);
    expect((fromWireError(toWireError(new Error('plain'))) as Error & { retriable?: boolean }).retriable).toBeUndefined();
  });

  it('a thrown non-error becomes an Error with its text', () => {
    const back = fromWireError(toWireError('just a string'));
    expect(back).toBeInstanceOf(Error);
    expect(back.message).toBe('just a string');
  });
});
