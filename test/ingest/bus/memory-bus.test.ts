import { describe, expect, it } from 'vitest';
import { AppError } from '../../../core/errors.ts';
import type { BusBatch, BusMessage } from '../../../ingest/bus/bus.ts';
import { BusError } from '../../../ingest/bus/bus-error.ts';
import { createMemoryBus } from '../../../ingest/bus/memory-bus.ts';

const message = (key: string, text: string): BusMessage => ({
  key,
  value: Buffer.from(text),
  headers: { source: 'okta', raw_sha256: `sha-${text}` },
});

const deferred = (): { promise: Promise<void>; resolve: () => void } => {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
};

describe('createMemoryBus', () => {
  it('delivers one publish as one batch and resolves only after the handler resolved', async () => {
    const bus = createMemoryBus();
    const seen: BusBatch[] = [];
    const gate = deferred();
    let handled = false;
    await bus.subscribe('accessproof.raw', 'normalizer', async (batch) => {
      seen.push(batch);
      await gate.promise;
      handled = true;
    });
    let published = false;
    const publishing = bus.publish('accessproof.raw', [message('okta:a', 'one'), message('okta:b', 'two')]).then(() => {
      published = true;
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(published).toBe(false);
    gate.resolve();
    await publishing;
    expect(handled).toBe(true);
    expect(seen).toHaveLength(1);
    const batch = seen[0];
    expect(batch?.topic).toBe('accessproof.raw');
    expect(batch?.partition).toBe(0);
    expect(batch?.isStale()).toBe(false);
    expect(batch?.messages.map((m) => [m.key, m.value.toString(), m.headers['raw_sha256']])).toEqual([
      ['okta:a', 'one', 'sha-one'],
      ['okta:b', 'two', 'sha-two'],
    ]);
    await bus.close();
  });

  it('rejects publish with the handler error (no ack) and keeps delivering later publishes', async () => {
    const bus = createMemoryBus();
    let calls = 0;
    await bus.subscribe('t', 'g', async (batch) => {
      calls += 1;
      if (batch.messages[0]?.value.toString() === 'poison') throw new Error('store down');
    });
    await expect(bus.publish('t', [message('k', 'poison')])).rejects.toThrow('store down');
    await expect(bus.publish('t', [message('k', 'fine')])).resolves.toBeUndefined();
    expect(calls).toBe(2);
    await bus.close();
  });

  it('fails clearly when nobody subscribed, and for a second subscriber of the same group', async () => {
    const bus = createMemoryBus();
    const noSubscriber = await bus.publish('nobody', [message('k', 'x')]).catch((e: unknown) => e);
    expect(noSubscriber).toBeInstanceOf(BusError);
    expect(noSubscriber).toBeInstanceOf(AppError);
    expect((noSubscriber as BusError).code).toBe('ERR_BUS_NO_SUBSCRIBER');
    expect((noSubscriber as BusError).retriable).toBe(true);

    await bus.subscribe('t', 'g', async () => undefined);
    const duplicate = await bus.subscribe('t', 'g', async () => undefined).catch((e: unknown) => e);
    expect((duplicate as BusError).code).toBe('ERR_BUS_DUPLICATE_SUBSCRIBER');
    await bus.close();
  });

  it('gives every group its own copy and handles one subscription strictly in publish order', async () => {
    const bus = createMemoryBus();
    const order: string[] = [];
    let active = 0;
    let maxActive = 0;
    await bus.subscribe('t', 'slow', async (batch) => {
      active += 1;
      maxActive = Math.max(maxActive, active);
      await new Promise((r) => setTimeout(r, 5));
      order.push(batch.messages.map((m) => m.value.toString()).join(','));
      active -= 1;
    });
    const other: string[] = [];
    await bus.subscribe('t', 'audit', async (batch) => {
      other.push(...batch.messages.map((m) => m.value.toString()));
    });
    await Promise.all([
      bus.publish('t', [message('k', '1'), message('k', '2')]),
      bus.publish('t', [message('k', '3')]),
      bus.publish('t', []),
    ]);
    expect(order).toEqual(['1,2', '3']);
    expect(maxActive).toBe(1);
    expect(other).toEqual(['1', '2', '3']);
    await bus.close();
  });

  it('stop() finishes the in-flight batch, rejects queued ones, and later publishes find no subscriber', async () => {
    const bus = createMemoryBus();
    const gate = deferred();
    const handled: string[] = [];
    const sub = await bus.subscribe('t', 'g', async (batch) => {
      await gate.promise;
      handled.push(batch.messages[0]?.value.toString() ?? '');
    });
    const first = bus.publish('t', [message('k', 'in-flight')]);
    const second = bus.publish('t', [message('k', 'queued')]).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 5));
    const stopping = sub.stop();
    gate.resolve();
    await stopping;
    await expect(first).resolves.toBeUndefined();
    expect(((await second) as BusError).code).toBe('ERR_BUS_STOPPED');
    expect(handled).toEqual(['in-flight']);
    const after = await bus.publish('t', [message('k', 'late')]).catch((e: unknown) => e);
    expect((after as BusError).code).toBe('ERR_BUS_NO_SUBSCRIBER');
    await bus.close();
    const closed = await bus.subscribe('t', 'g2', async () => undefined).catch((e: unknown) => e);
    expect((closed as BusError).code).toBe('ERR_BUS_STOPPED');
  });
});
