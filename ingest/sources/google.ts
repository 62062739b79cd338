import { authRetry, createAccessTokenCache } from './access-token.ts';
import { loadServiceAccount, signAssertion } from './google-jwt.ts';
import { assertSameOrigin, httpError, parseJsonBody, retrying, sendRequest, SOURCE_ERRORS, SourceError, type HttpResponse } from './http.ts';
import { framePage, newestTime } from './page-records.ts';
import type { Source, SourceDeps } from './source.ts';
import type { GoogleSourceConfig } from './source-config.ts';
import { readWindow, type TimeWindow, windowPlanFor } from './window-cursor.ts';

// Google Workspace Reports poller: `activities.list` for application `login` with `startTime`/`endTime` fixed per
// window and `pageToken` paging (items newest first; an empty page has no `items`). Authorised by a service
// account's JWT bearer assertion (RS256, signed here with node:crypto) impersonating an admin (`sub`).
// Reports arrive with a lag of minutes to hours; the overlap re-reads that lag.

const DAY_MS = 86_400_000;
/** Reports look back at most 180 days. */
const MAX_LOOKBACK_MS = 180 * DAY_MS - 3_600_000;
/** The only scope the poller asks for. */
export const REPORTS_SCOPE = 'https://www.googleapis.com/auth/admin.reports.audit.readonly';

/** Google signals quota exhaustion as 429, or as 403 with reason rateLimitExceeded/userRateLimitExceeded. */
function isQuotaError(res: HttpResponse): boolean {
  if (res.status === 429) return true;
  return res.status === 403 && /"reason"\s*:\s*"(userRateLimitExceeded|rateLimitExceeded|quotaExceeded)"/.test(res.text);
}

/** Creates the Reports poller source. Throws ERR_SOURCE_CREDENTIALS when the key variable is unset or unreadable. */
export function createGoogleSource(cfg: GoogleSourceConfig, deps: SourceDeps): Source {
  const keyJson = deps.secrets[cfg.service_account_key_env];
  if (!keyJson) throw new SourceError(SOURCE_ERRORS.credentials, `environment variable ${cfg.service_account_key_env} (service-account key) is not set`, { retriable: false });
  const account = loadServiceAccount(keyJson, cfg.service_account_key_env);
  const log = deps.logger.child({ stage: 'receiving', source: 'google', name: cfg.name });
  const timeout_ms = cfg.request_timeout_seconds * 1000;
  const tokens = createAccessTokenCache((signal) => {
    const assertion = signAssertion(account, { scope: REPORTS_SCOPE, aud: cfg.token_url, sub: cfg.subject, iat: Math.floor(deps.clock.now().getTime() / 1000) });
    return sendRequest(deps, cfg.token_url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString(),
    }, { timeout_ms, signal, what: 'google token' });
  }, deps.clock, 'google token');

  const pageUrl = (window: TimeWindow, token: string | undefined): string => {
    const url = new URL('/admin/reports/v1/activity/users/all/applications/login', cfg.api_base_url);
    url.searchParams.set('startTime', window.start);
    url.searchParams.set('endTime', window.end);
    url.searchParams.set('maxResults', String(cfg.page_size));
    if (cfg.customer_id) url.searchParams.set('customerId', cfg.customer_id);
    if (token) url.searchParams.set('pageToken', token);
    return url.toString();
  };

  const getPage = async (url: string, signal: AbortSignal): Promise<{ doc: unknown; text: string }> => {
    const { token, fresh } = await tokens.get(signal);
    const res = await sendRequest(deps, url, { method: 'GET', headers: { authorization: `Bearer ${token}`, accept: 'application/json' } },
      { timeout_ms, signal, what: 'google activities.list' });
    if (res.status === 401) throw authRetry(tokens, fresh, httpError('google activities.list', res, deps.clock));
    if (isQuotaError(res)) throw httpError('google activities.list', { ...res, status: 429 }, deps.clock);
    if (res.status < 200 || res.status >= 300) throw httpError('google activities.list', res, deps.clock);
    return { doc: parseJsonBody('google activities.list', res), text: res.text };
  };

  return {
    name: cfg.name,
    type: 'google',
    async *read(cursor, signal) {
      const now = deps.clock.now();
      const plan = windowPlanFor(cfg, now, { end_lag_ms: 0, max_lookback_ms: MAX_LOOKBACK_MS });
      const pages = readWindow(cursor, plan, async (window, token) => {
        const url = pageUrl(window, token);
        assertSameOrigin(url, cfg.api_base_url, 'google page');
        const page = await retrying(deps, signal, 'google activities.list', () => getPage(url, signal));
        if (!page.doc || typeof page.doc !== 'object' || Array.isArray(page.doc)) {
          throw new SourceError(SOURCE_ERRORS.response, 'google activities.list: body is not an object', { retriable: true });
        }
        const next = (page.doc as { nextPageToken?: unknown }).nextPageToken;
        return { page, next: typeof next === 'string' && next !== '' ? next : undefined };
      }, log);
      for await (const { page, cursor: next } of pages) {
        const received_at = deps.clock.now().toISOString();
        const items = (page.doc as { items?: unknown }).items;
        const list = Array.isArray(items) ? items : [];
        // An empty page has no `items`: nothing to frame, but the cursor still advances.
        const framed = list.length ? framePage('google', cfg.name, page.doc, page.text, received_at) : { records: [], rejects: [] };
        const newest = newestTime(list.map((a) => (a && typeof a === 'object' ? String((a as { id?: { time?: unknown } }).id?.time ?? '') : undefined)));
        log.debug({ count: list.length }, 'page read');
        yield { records: framed.records, rejects: framed.rejects, cursor: next, newest_event_time: newest };
      }
    },
  };
}
