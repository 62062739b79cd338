import type { Clock } from '../../core/clock.ts';
import { assertSameOrigin, clampWait, httpError, parseJsonBody, parseLinkHeader, retrying, sendRequest, serverNowMs, SOURCE_ERRORS, SourceError, type HttpResponse } from './http.ts';
import { framePage, newestTime } from './page-records.ts';
import type { Source, SourceDeps } from './source.ts';
import type { OktaSourceConfig } from './source-config.ts';

// Okta System Log poller. Uses *polling requests* only (`since` on the first run, then the `next` link verbatim,
// `sortOrder=ASCENDING`, no `until`): Okta filters those by persistence time, so late events are not skipped and
// the `next` link (always present, even on an empty page) is a gap-free cursor. It is the saved cursor as is.

const DAY_MS = 86_400_000;
/** Okta rejects `since` older than 180 days (and keeps 90). */
const MAX_LOOKBACK_MS = 180 * DAY_MS - 3_600_000;

/** Wait until `X-Rate-Limit-Reset` (epoch seconds), measured on the server's clock (Date header). */
export function oktaResetWaitMs(headers: Headers, clock: Clock): number | undefined {
  const reset = Number(headers.get('x-rate-limit-reset'));
  if (!Number.isFinite(reset) || reset <= 0) return undefined;
  return clampWait(reset * 1000 - serverNowMs(headers, clock));
}

/** The first polling request: `since` = start_at (or 7 days back), ascending, one full page. */
function firstUrl(cfg: OktaSourceConfig, clock: Clock): string {
  const now = clock.now().getTime();
  const start = cfg.start_at ? Date.parse(cfg.start_at) : now - 7 * DAY_MS;
  const since = new Date(Math.max(start, now - MAX_LOOKBACK_MS)).toISOString();
  const url = new URL('/api/v1/logs', cfg.base_url);
  url.searchParams.set('since', since);
  url.searchParams.set('sortOrder', 'ASCENDING');
  url.searchParams.set('limit', String(cfg.page_size));
  return url.toString();
}

/** Creates the Okta poller source. Throws ERR_SOURCE_CREDENTIALS when the token variable is unset. */
export function createOktaSource(cfg: OktaSourceConfig, deps: SourceDeps): Source {
  const token = deps.secrets[cfg.token_env];
  if (!token) throw new SourceError(SOURCE_ERRORS.credentials, `environment variable ${cfg.token_env} (Okta API token) is not set`, { retriable: false });
  const log = deps.logger.child({ stage: 'receiving', source: 'okta', name: cfg.name });
  // Set when the last response said the rate-limit window is used up: wait before the next request.
  let pendingWaitMs = 0;

  const fetchPage = async (url: string, signal: AbortSignal): Promise<HttpResponse> => {
    if (pendingWaitMs > 0) {
      log.info({ wait_ms: pendingWaitMs }, 'rate limit exhausted; waiting for reset');
      const wait = pendingWaitMs;
      pendingWaitMs = 0;
      await deps.sleep(wait, signal);
    }
    const res = await sendRequest(deps, url, {
      method: 'GET',
      headers: { authorization: `SSWS ${token}`, accept: 'application/json' },
    }, { timeout_ms: cfg.request_timeout_seconds * 1000, signal, what: 'okta /api/v1/logs' });
    if (res.status === 429) throw httpError('okta /api/v1/logs', res, deps.clock, oktaResetWaitMs(res.headers, deps.clock));
    if (res.status < 200 || res.status >= 300) throw httpError('okta /api/v1/logs', res, deps.clock);
    if (res.headers.get('x-rate-limit-remaining') === '0') pendingWaitMs = oktaResetWaitMs(res.headers, deps.clock) ?? 0;
    return res;
  };

  return {
    name: cfg.name,
    type: 'okta',
    async *read(cursor, signal) {
      let url = cursor ?? firstUrl(cfg, deps.clock);
      assertSameOrigin(url, cfg.base_url, 'okta cursor');
      for (;;) {
        const res = await retrying(deps, signal, 'okta /api/v1/logs', () => fetchPage(url, signal));
        const body = parseJsonBody('okta /api/v1/logs', res);
        if (!Array.isArray(body)) throw new SourceError(SOURCE_ERRORS.response, 'okta /api/v1/logs: body is not an array', { retriable: true });
        const next = parseLinkHeader(res.headers.get('link')).get('next');
        // Polling requests always carry `next`; without it there is no safe place to resume.
        if (!next) throw new SourceError(SOURCE_ERRORS.response, 'okta /api/v1/logs: no rel="next" link', { retriable: true });
        assertSameOrigin(next, cfg.base_url, 'okta next link');
        const received_at = deps.clock.now().toISOString();
        const { records, rejects } = framePage('okta', cfg.name, body, res.text, received_at);
        const newest = newestTime(body.map((e) => (e && typeof e === 'object' ? String((e as { published?: unknown }).published ?? '') : undefined)));
        log.debug({ count: body.length }, 'page read');
        yield { records, rejects, cursor: next, newest_event_time: newest };
        // A short page means caught up; the next poll continues from `next`.
        if (body.length < cfg.page_size) return;
        url = next;
      }
    },
  };
}
