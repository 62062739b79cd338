import type { Clock } from '../../core/clock.ts';
import { silentLogger } from '../../core/logger.ts';
import type { RetryPolicy } from '../../core/retry.ts';
import type { Pipeline } from '../../ingest/pipeline.ts';
import { createPoller, type Poller } from '../../ingest/sources/poller.ts';
import type { SourceDeps } from '../../ingest/sources/source.ts';
import { SourceConfig } from '../../ingest/sources/source-config.ts';
import { createSource } from '../../ingest/sources/start-pollers.ts';
import { createStatusRegistry, type StatusRegistry } from '../../ingest/sources/status-registry.ts';
import type { Store } from '../../schema/store/store.ts';
import { startDuoFake } from './duo-api.ts';
import type { FakeApi } from './fake-server.ts';
import type { FakeTime } from './fake-time.ts';
import { startGoogleFake } from './google-api.ts';
import { startGraphFake } from './graph-api.ts';
import { startOktaFake } from './okta-api.ts';
import type { VendorSource } from './vendor-data.ts';

type Json = Record<string, unknown>;

/** A started fake of any vendor. */
export type AnyFake = FakeApi & { add(events: readonly Json[]): void };

/** How a test drives one vendor: start its fake, configure a source for it, name the credentials. */
export interface VendorHarness {
  readonly source: VendorSource;
  start(clock: Clock, events: readonly Json[]): Promise<AnyFake>;
  /** Source config (defaults: start 2025-03-11T00:00Z, page size 50, overlap 300 s). */
  config(fake: AnyFake, name: string, over?: Record<string, unknown>): SourceConfig;
  secrets(fake: AnyFake): Record<string, string>;
  /** The wait a scripted 429 must produce: the vendor's header value, or the first backoff step. */
  readonly rate_limit_wait_ms: number;
  /** The query parameter that carries the resume token on later pages. */
  readonly page_param: string;
}

const common = { start_at: '2025-03-11T00:00:00Z', page_size: 50, overlap_seconds: 300 };

/** Harnesses of the four IdP pollers. */
export const VENDORS: Record<VendorSource, VendorHarness> = {
  okta: {
    source: 'okta',
    start: (clock, events) => startOktaFake({ clock, events }),
    config: (fake, name, over = {}) => SourceConfig.parse({ name, type: 'okta', base_url: fake.url, token_env: 'OKTA_TOKEN', ...common, ...over }),
    secrets: (fake) => ({ OKTA_TOKEN: (fake as unknown as { token: string }).token }),
    rate_limit_wait_ms: 7000,
    page_param: 'after',
  },
  entra: {
    source: 'entra',
    start: (clock, events) => startGraphFake({ clock, events }),
    config: (fake, name, over = {}) => {
      const f = fake as unknown as { tenant: string; client_id: string };
      return SourceConfig.parse({ name, type: 'entra', tenant_id: f.tenant, client_id: f.client_id, client_secret_env: 'ENTRA_SECRET', graph_base_url: fake.url, login_base_url: fake.url, ...common, ...over });
    },
    secrets: (fake) => ({ ENTRA_SECRET: (fake as unknown as { client_secret: string }).client_secret }),
    rate_limit_wait_ms: 5000,
    page_param: '$skiptoken',
  },
  google: {
    source: 'google',
    start: (clock, events) => startGoogleFake({ clock, events }),
    config: (fake, name, over = {}) => {
      const f = fake as unknown as { subject: string; token_url: string };
      return SourceConfig.parse({ name, type: 'google', service_account_key_env: 'GOOGLE_SA', subject: f.subject, api_base_url: fake.url, token_url: f.token_url, ...common, ...over });
    },
    secrets: (fake) => ({ GOOGLE_SA: (fake as unknown as { service_account_json: string }).service_account_json }),
    rate_limit_wait_ms: 1000,
    page_param: 'pageToken',
  },
  duo: {
    source: 'duo',
    start: (clock, events) => startDuoFake({ clock, events }),
    config: (fake, name, over = {}) => SourceConfig.parse({ name, type: 'duo', api_host: fake.host, scheme: 'http', integration_key_env: 'DUO_IKEY', secret_key_env: 'DUO_SKEY', ...common, ...over }),
    secrets: (fake) => {
      const f = fake as unknown as { ikey: string; skey: string };
      return { DUO_IKEY: f.ikey, DUO_SKEY: f.skey };
    },
    rate_limit_wait_ms: 1000,
    page_param: 'next_offset',
  },
};

/** Request retries without jitter, so waits are exact. */
export const TEST_RETRY: RetryPolicy = { retries: 5, base_ms: 1000, max_ms: 60_000, factor: 2, jitter: 0 };

/** Source deps on virtual time. */
export function sourceDeps(time: FakeTime, secrets: Record<string, string>): SourceDeps {
  return { clock: time.clock, sleep: time.sleep, logger: silentLogger(), secrets, retry: TEST_RETRY };
}

/** A fresh source + poller (what a restarted process builds) for a configured fake. */
export function newPoller(h: VendorHarness, fake: AnyFake, cfg: SourceConfig, time: FakeTime, store: Store, pipeline: Pipeline, status: StatusRegistry = createStatusRegistry(time.clock)): Poller {
  const source = createSource(cfg, sourceDeps(time, h.secrets(fake)));
  return createPoller({
    source, store, pipeline, status, logger: silentLogger(), clock: time.clock, sleep: time.sleep,
    interval_ms: cfg.interval_seconds * 1000, failure_backoff: { ...TEST_RETRY, base_ms: 5000, max_ms: 900_000 },
  });
}
