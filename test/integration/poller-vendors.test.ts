import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPipeline, type Pipeline } from '../../ingest/pipeline.ts';
import { SOURCE_ERRORS } from '../../ingest/sources/http.ts';
import type { Store } from '../../schema/store/store.ts';
import type { DuoFake } from '../fakes/duo-api.ts';
import { createFakeTime } from '../fakes/fake-time.ts';
import type { GoogleFake } from '../fakes/google-api.ts';
import type { GraphFake } from '../fakes/graph-api.ts';
import { startOktaFake } from '../fakes/okta-api.ts';
import { expectedEventIds, storedCounts, vendorRecords } from '../fakes/vendor-data.ts';
import { newPoller, VENDORS, type AnyFake } from '../fakes/vendors.ts';
import { testDeps } from '../helpers/silent-context.ts';
import { openTempStore } from '../helpers/temp-store.ts';

// Vendor-specific behaviour of the pollers: Okta's remaining-budget headers, Graph token refresh and event-type
// filter, Google's JWT bearer flow, Duo's signing and two-minute delay, bounded retries of a persistent 5xx.

const START = '2025-03-11T18:00:00.000Z';
let store: Store;
let cleanup: () => Promise<void>;
let pipeline: Pipeline;
const fakes: AnyFake[] = [];

beforeAll(async () => {
  ({ store, cleanup } = await openTempStore());
  pipeline = createPipeline({ store, ...testDeps() });
});
afterAll(async () => {
  for (const f of fakes) await f.close();
  await cleanup();
});

describe('Okta', () => {
  it('waits for X-Rate-Limit-Reset whenever X-Rate-Limit-Remaining reaches 0, so no request ever hits the limit', async () => {
    const time = createFakeTime(START);
    const records = vendorRecords('okta', { variant: 11, extra: 200 });
    const fake = await startOktaFake({ clock: time.clock, events: records, rate_limit: 3 });
    fakes.push(fake);
    const cfg = VENDORS.okta.config(fake, 'okta-budget', { page_size: 30 });
    await newPoller(VENDORS.okta, fake, cfg, time, store, pipeline).runOnce();
    // 236 events in pages of 30 = 8 requests at 3 per minute: two waits of the full minute, measured on the server clock.
    expect(fake.requests.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(time.sleeps).toEqual([60_000, 60_000]);
    expect(fake.violations).toEqual([]);
    const ids = expectedEventIds('okta', records);
    expect(await storedCounts(store, ids)).toEqual({ missing: [], duplicated: [], found: ids.length });
  });
});

describe('Microsoft Graph', () => {
  it('gets a client-credentials token once, reuses it, and refreshes it before it expires', async () => {
    const time = createFakeTime(START);
    const fake = await VENDORS.entra.start(time.clock, vendorRecords('entra', { variant: 12, extra: 20 })) as unknown as GraphFake & AnyFake;
    fakes.push(fake);
    const poller = newPoller(VENDORS.entra, fake, VENDORS.entra.config(fake, 'entra-token'), time, store, pipeline);
    await poller.runOnce();
    expect(fake.token_requests).toHaveLength(1);
    time.advance(3000_000); // 50 min into a 3599 s token: still 10 min left
    await poller.runOnce();
    expect(fake.token_requests).toHaveLength(1);
    time.advance(360_000); // 56 min: under the 5 min margin, so refresh first
    await poller.runOnce();
    expect(fake.token_requests).toHaveLength(2);
    expect(fake.bad_token_uses).toEqual([]);
  });

  it('a token revoked before its expiry is replaced once (401 with a cached token), not reported as a failure', async () => {
    const time = createFakeTime(START);
    const fake = await VENDORS.entra.start(time.clock, vendorRecords('entra', { variant: 17, extra: 20 })) as unknown as GraphFake & AnyFake;
    fakes.push(fake);
    const poller = newPoller(VENDORS.entra, fake, VENDORS.entra.config(fake, 'entra-revoked'), time, store, pipeline);
    await poller.runOnce();
    fake.revokeTokens();
    time.advance(60_000);
    await poller.runOnce();
    expect(fake.token_requests).toHaveLength(2);
    expect(fake.bad_token_uses).toHaveLength(1);
    expect(time.sleeps).toEqual([1000]);
  });

  it('asks for the configured sign-in kinds in $filter, with the window bounds', async () => {
    const time = createFakeTime(START);
    const fake = await VENDORS.entra.start(time.clock, vendorRecords('entra', { variant: 13, extra: 0 }));
    fakes.push(fake);
    const cfg = VENDORS.entra.config(fake, 'entra-kinds', { sign_in_event_types: ['interactiveUser', 'nonInteractiveUser'] });
    await newPoller(VENDORS.entra, fake, cfg, time, store, pipeline).runOnce();
    expect(fake.requests[0]?.query.$filter).toBe("createdDateTime ge 2025-03-11T00:00:00.000Z and createdDateTime le 2025-03-11T18:00:00.000Z and signInEventTypes/any(t: t eq 'interactiveUser' or t eq 'nonInteractiveUser')");
    expect(fake.requests[0]?.query.$top).toBe('50');
  });
});

describe('Google Reports', () => {
  it('obtains its token with an RS256 JWT assertion the token endpoint verifies, and reuses it', async () => {
    const time = createFakeTime(START);
    const fake = await VENDORS.google.start(time.clock, vendorRecords('google', { variant: 14, extra: 80 })) as unknown as GoogleFake & AnyFake;
    fakes.push(fake);
    const poller = newPoller(VENDORS.google, fake, VENDORS.google.config(fake, 'google-jwt'), time, store, pipeline);
    await poller.runOnce();
    time.advance(60_000);
    await poller.runOnce();
    expect(fake.assertion_errors).toEqual([]);
    expect(fake.token_requests).toHaveLength(1);
    expect(fake.requests[0]?.query).toMatchObject({ startTime: '2025-03-11T00:00:00.000Z', endTime: START, maxResults: '50' });
  });

  it('a key the endpoint does not know is ERR_SOURCE_AUTH, not retried', async () => {
    const time = createFakeTime(START);
    const fake = await VENDORS.google.start(time.clock, []) as unknown as GoogleFake & AnyFake;
    fakes.push(fake);
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const wrong = { ...VENDORS.google, secrets: () => ({ GOOGLE_SA: JSON.stringify({ ...JSON.parse(fake.service_account_json) as object, private_key: other }) }) };
    const err = await newPoller(wrong, fake, VENDORS.google.config(fake, 'google-wrong'), time, store, pipeline).runOnce().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: SOURCE_ERRORS.auth, retriable: false });
    expect(fake.assertion_errors).toEqual(['bad signature']);
    expect(time.sleeps).toEqual([]);
  });
});

describe('Duo', () => {
  it('signs every request and never asks for logs newer than now − 2 min', async () => {
    const time = createFakeTime(START);
    const fake = await VENDORS.duo.start(time.clock, vendorRecords('duo', { variant: 15, extra: 120 })) as unknown as DuoFake & AnyFake;
    fakes.push(fake);
    const poller = newPoller(VENDORS.duo, fake, VENDORS.duo.config(fake, 'duo-signed'), time, store, pipeline);
    await poller.runOnce();
    time.advance(90_000);
    await poller.runOnce();
    expect(fake.signature_errors).toEqual([]);
    expect(fake.violations).toEqual([]);
    for (const r of fake.requests) {
      expect(r.query.mintime).toMatch(/^\d{13}$/);
      expect(Number(r.query.maxtime)).toBeLessThanOrEqual(r.at_ms - 120_000);
    }
    // The second cycle starts overlap_seconds before where the first ended.
    const last = fake.requests[fake.requests.length - 1];
    expect(Number(last?.query.mintime)).toBe(Date.parse(START) - 120_000 - 300_000);
  });

  it('a wrong secret key is ERR_SOURCE_AUTH after one request', async () => {
    const time = createFakeTime(START);
    const fake = await VENDORS.duo.start(time.clock, []) as unknown as DuoFake & AnyFake;
    fakes.push(fake);
    const wrong = { ...VENDORS.duo, secrets: () => ({ DUO_IKEY: fake.ikey, DUO_SKEY: 'not-the-secret' }) };
    const err = await newPoller(wrong, fake, VENDORS.duo.config(fake, 'duo-wrong'), time, store, pipeline).runOnce().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: SOURCE_ERRORS.auth });
    expect(fake.requests).toHaveLength(1);
    expect(fake.signature_errors).toEqual(['signature']);
  });

  it('a persistent 5xx is retried with bounded exponential backoff, then the cycle fails as retriable', async () => {
    const time = createFakeTime(START);
    const fake = await VENDORS.duo.start(time.clock, vendorRecords('duo', { variant: 16, extra: 0 }));
    fakes.push(fake);
    for (let n = 1; n <= 10; n++) fake.faults.set(n, 'fail500');
    const poller = newPoller(VENDORS.duo, fake, VENDORS.duo.config(fake, 'duo-5xx'), time, store, pipeline);
    const err = await poller.runOnce().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: SOURCE_ERRORS.upstream, retriable: true });
    expect(time.sleeps).toEqual([1000, 2000, 4000, 8000, 16000]);
    expect(await store.getCursor(poller.cursor_name)).toBeUndefined();
  });
});
