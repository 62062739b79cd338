import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPipeline, type Pipeline } from '../../ingest/pipeline.ts';
import type { Store } from '../../schema/store/store.ts';
import { createFakeTime } from '../fakes/fake-time.ts';
import { expectedEventIds, rewrite, storedCounts, vendorRecords } from '../fakes/vendor-data.ts';
import { newPoller, VENDORS, type AnyFake, type VendorHarness } from '../fakes/vendors.ts';
import { testDeps } from '../helpers/silent-context.ts';
import { openTempStore } from '../helpers/temp-store.ts';

// Every IdP poller against its fake vendor API (127.0.0.1, random port), storing into embedded chDB. Each test uses
// its own id variant of the data, so the tests share one store without sharing events.

const START = '2025-03-11T18:00:00.000Z';
let store: Store;
let cleanup: () => Promise<void>;
let pipeline: Pipeline;
const fakes: AnyFake[] = [];
const throughput: string[] = [];

beforeAll(async () => {
  ({ store, cleanup } = await openTempStore());
  // The pipeline keeps the wall clock: ingestion time drives retention (TTL).
  pipeline = createPipeline({ store, ...testDeps() });
});
afterAll(async () => {
  for (const f of fakes) await f.close();
  await cleanup();
  if (throughput.length) process.stdout.write(`[poller throughput] ${throughput.join('; ')}\n`);
});

/** Raw rows (no FINAL) of these events: equals the id count when nothing was inserted twice. */
async function rawRows(ids: readonly string[]): Promise<number> {
  const [r] = await store.query<{ n: string }>('SELECT count() AS n FROM auth_events WHERE event_id IN {ids:Array(UUID)}', { ids });
  return Number(r?.n);
}

async function setup(h: VendorHarness, variant: number, extra: number) {
  const time = createFakeTime(START);
  const records = vendorRecords(h.source, { variant, extra });
  const fake = await h.start(time.clock, records);
  fakes.push(fake);
  return { time, records, fake, ids: expectedEventIds(h.source, records) };
}

/** The resume token of each successful data request ('first' for the opening request). */
const tokensOf = (fake: AnyFake, h: VendorHarness): string[] => fake.requests.filter((r) => r.status === 200).map((r) => r.query[h.page_param] ?? 'first');

describe.each(Object.values(VENDORS))('$source poller', (h) => {
  const v = (k: number): number => ({ okta: 0, entra: 100, google: 200, duo: 300 })[h.source] + k;

  it('stores every sample and generated event exactly once; a page failing once (500) is retried after 1 s', async () => {
    const { time, records, fake, ids } = await setup(h, 0, 214);
    fake.faults.set(2, 'fail500');
    const poller = newPoller(h, fake, h.config(fake, `${h.source}-once`), time, store, pipeline);
    const r = await poller.runOnce();
    expect(ids.length).toBe(records.length);
    expect(r.records).toBe(records.length);
    expect(r.pages).toBeGreaterThanOrEqual(Math.ceil(records.length / 50));
    expect(fake.requests.map((q) => q.status).filter((s) => s !== 200)).toEqual([500]);
    expect(time.sleeps).toEqual([1000]);
    expect(await storedCounts(store, ids)).toEqual({ missing: [], duplicated: [], found: ids.length });
    expect(await rawRows(ids)).toBe(ids.length);
    // Caught up: the next cycle finds nothing new (the overlap window holds no event here).
    time.advance(60_000);
    expect((await poller.runOnce()).records).toBe(0);
    expect(await rawRows(ids)).toBe(ids.length);
  });

  it('a poller stopped after 2 pages and restarted from the saved cursor reads no page twice and stores every event once', async () => {
    const { time, fake, ids } = await setup(h, v(1), 200);
    const cfg = h.config(fake, `${h.source}-restart`);
    const first = newPoller(h, fake, cfg, time, store, pipeline);
    const r1 = await first.runOnce({ maxPages: 2 });
    expect(r1).toMatchObject({ pages: 2, records: 100, caught_up: false });
    const saved = await store.getCursor(first.cursor_name);
    expect(saved).toBeTruthy();
    const second = newPoller(h, fake, cfg, time, store, pipeline);
    await second.runOnce();
    const tokens = tokensOf(fake, h);
    expect(tokens[2]).not.toBe('first');
    expect(new Set(tokens).size).toBe(tokens.length);
    expect(await storedCounts(store, ids)).toEqual({ missing: [], duplicated: [], found: ids.length });
    expect(await rawRows(ids)).toBe(ids.length);
  });

  it('a crash after storing a page but before saving its cursor rereads exactly that page; nothing is stored twice after FINAL', async () => {
    const { time, fake, ids } = await setup(h, v(2), 200);
    const cfg = h.config(fake, `${h.source}-crash-w3`);
    let saves = 0;
    const crashing: Store = { ...store, setCursor: (n, s, c) => (saves++ === 1 ? Promise.reject(new Error('killed')) : store.setCursor(n, s, c)) };
    await expect(newPoller(h, fake, cfg, time, crashing, pipeline).runOnce()).rejects.toThrow('killed');
    await newPoller(h, fake, cfg, time, store, pipeline).runOnce();
    const tokens = tokensOf(fake, h);
    expect(tokens.length - new Set(tokens).size).toBe(1);
    expect(await storedCounts(store, ids)).toEqual({ missing: [], duplicated: [], found: ids.length });
  });

  it('a crash before a page is stored loses nothing: the restart fetches that page again', async () => {
    const { time, fake, ids } = await setup(h, v(3), 200);
    const cfg = h.config(fake, `${h.source}-crash-w1`);
    let handled = 0;
    const crashing: Pipeline = { ...pipeline, handle: (r, c) => (handled++ === 2 ? Promise.reject(new Error('killed')) : pipeline.handle(r, c)) };
    await expect(newPoller(h, fake, cfg, time, store, crashing).runOnce()).rejects.toThrow('killed');
    expect((await storedCounts(store, ids)).found).toBe(100);
    await newPoller(h, fake, cfg, time, store, pipeline).runOnce();
    const tokens = tokensOf(fake, h);
    expect(tokens.length - new Set(tokens).size).toBe(1);
    expect(await storedCounts(store, ids)).toEqual({ missing: [], duplicated: [], found: ids.length });
    expect(await rawRows(ids)).toBe(ids.length);
  });

  it(`a 429 waits what the vendor prescribes (${h.rate_limit_wait_ms} ms) and never calls before it`, async () => {
    const { time, fake, ids } = await setup(h, v(4), 60);
    fake.faults.set(2, 'rate429');
    await newPoller(h, fake, h.config(fake, `${h.source}-429`), time, store, pipeline).runOnce();
    expect(fake.requests.map((q) => q.status).filter((s) => s !== 200)).toEqual([429]);
    expect(time.sleeps[0]).toBe(h.rate_limit_wait_ms);
    const [before, after] = [fake.requests[1], fake.requests[2]];
    expect((after?.at_ms ?? 0) - (before?.at_ms ?? 0)).toBe(h.rate_limit_wait_ms);
    expect(fake.violations).toEqual([]);
    expect(await storedCounts(store, ids)).toEqual({ missing: [], duplicated: [], found: ids.length });
  });

  it('late events (already past the cursor) are read by the next cycle through the overlap, without duplicates', async () => {
    const { time, records, fake, ids } = await setup(h, v(5), 40);
    const poller = newPoller(h, fake, h.config(fake, `${h.source}-late`), time, store, pipeline);
    await poller.runOnce();
    time.advance(60_000);
    // Before every poller's watermark (Duo's is now − 2 min), inside the 300 s overlap.
    const lateTime = new Date(Date.parse(START) - 180_000).toISOString();
    const late = records.slice(0, 3).map((r, i) => rewrite(h.source, r, `late-${v(5)}-${i}`, lateTime));
    fake.add(late);
    const r = await poller.runOnce();
    expect(r.records).toBeGreaterThanOrEqual(3);
    const all = [...ids, ...expectedEventIds(h.source, late)];
    expect(await storedCounts(store, all)).toEqual({ missing: [], duplicated: [], found: all.length });
  });

  it('throughput against the fake (3,000 events, pages of 1,000)', async () => {
    const { time, fake, ids } = await setup(h, v(6), 3000 - 40);
    const poller = newPoller(h, fake, h.config(fake, `${h.source}-bulk`, { page_size: 1000 }), time, store, pipeline);
    const t0 = performance.now();
    const r = await poller.runOnce();
    const secs = (performance.now() - t0) / 1000;
    throughput.push(`${h.source} ${Math.round(r.records / secs)} events/s (${r.records} in ${secs.toFixed(2)} s)`);
    expect(await storedCounts(store, ids)).toEqual({ missing: [], duplicated: [], found: ids.length });
  });
});
