import { authRetry, createAccessTokenCache } from './access-token.ts';
import { assertSameOrigin, httpError, parseJsonBody, retrying, sendRequest, SOURCE_ERRORS, SourceError } from './http.ts';
import { framePage, newestTime } from './page-records.ts';
import type { Source, SourceDeps } from './source.ts';
import type { EntraSourceConfig } from './source-config.ts';
import { readWindow, type TimeWindow, windowPlanFor } from './window-cursor.ts';

// Microsoft Graph sign-in poller: `GET /{beta|v1.0}/auditLogs/signIns?$filter=createdDateTime ge <start> and
// createdDateTime le <end>`, newest first, following `@odata.nextLink` verbatim (it carries the $skiptoken). The
// window end is fixed when the window starts, so a saved nextLink resumes the same query after a restart.
// Microsoft documents duplicate sign-in records and MFA details aggregated for up to two hours: use an overlap of
// hours for complete MFA evidence; event_id (from `id`) removes the re-read copies.

const DAY_MS = 86_400_000;
/** Graph keeps sign-ins 30 days (7 without P1/P2). */
const MAX_LOOKBACK_MS = 30 * DAY_MS - 3_600_000;

/** The `$filter` of one window (plus the non-interactive kinds when configured). */
export function signInFilter(window: TimeWindow, kinds: readonly string[]): string {
  const time = `createdDateTime ge ${window.start} and createdDateTime le ${window.end}`;
  if (kinds.length === 1 && kinds[0] === 'interactiveUser') return time;
  const any = kinds.map((k) => `t eq '${k}'`).join(' or ');
  return `${time} and signInEventTypes/any(t: ${any})`;
}

/** Creates the Graph sign-in poller source. Throws ERR_SOURCE_CREDENTIALS when the secret variable is unset. */
export function createEntraSource(cfg: EntraSourceConfig, deps: SourceDeps): Source {
  const secret = deps.secrets[cfg.client_secret_env];
  if (!secret) throw new SourceError(SOURCE_ERRORS.credentials, `environment variable ${cfg.client_secret_env} (Entra client secret) is not set`, { retriable: false });
  const log = deps.logger.child({ stage: 'receiving', source: 'entra', name: cfg.name });
  const timeout_ms = cfg.request_timeout_seconds * 1000;
  const graphOrigin = new URL(cfg.graph_base_url).origin;
  const tokenUrl = new URL(`/${encodeURIComponent(cfg.tenant_id)}/oauth2/v2.0/token`, cfg.login_base_url).toString();
  const tokens = createAccessTokenCache((signal) => sendRequest(deps, tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: cfg.client_id, client_secret: secret, scope: `${graphOrigin}/.default` }).toString(),
  }, { timeout_ms, signal, what: 'entra token' }), deps.clock, 'entra token');

  const getPage = async (url: string, signal: AbortSignal): Promise<{ doc: unknown; text: string }> => {
    const { token, fresh } = await tokens.get(signal);
    const res = await sendRequest(deps, url, { method: 'GET', headers: { authorization: `Bearer ${token}`, accept: 'application/json' } },
      { timeout_ms, signal, what: 'graph signIns' });
    if (res.status === 401) throw authRetry(tokens, fresh, httpError('graph signIns', res, deps.clock));
    if (res.status < 200 || res.status >= 300) throw httpError('graph signIns', res, deps.clock);
    return { doc: parseJsonBody('graph signIns', res), text: res.text };
  };

  const firstUrl = (window: TimeWindow): string => {
    const url = new URL(`/${cfg.api_version}/auditLogs/signIns`, cfg.graph_base_url);
    // encodeURIComponent, not URLSearchParams: OData wants %20 for spaces, not `+`.
    url.search = `?$filter=${encodeURIComponent(signInFilter(window, cfg.sign_in_event_types))}&$top=${cfg.page_size}`;
    return url.toString();
  };

  return {
    name: cfg.name,
    type: 'entra',
    async *read(cursor, signal) {
      const now = deps.clock.now();
      const plan = windowPlanFor(cfg, now, { end_lag_ms: 0, max_lookback_ms: MAX_LOOKBACK_MS });
      const pages = readWindow(cursor, plan, async (window, token) => {
        const url = token ?? firstUrl(window);
        assertSameOrigin(url, cfg.graph_base_url, 'graph nextLink');
        const page = await retrying(deps, signal, 'graph signIns', () => getPage(url, signal));
        const doc = page.doc;
        if (!doc || typeof doc !== 'object' || !Array.isArray((doc as { value?: unknown }).value)) {
          throw new SourceError(SOURCE_ERRORS.response, 'graph signIns: no value[] in the page', { retriable: true });
        }
        const next = (doc as Record<string, unknown>)['@odata.nextLink'];
        return { page, next: typeof next === 'string' && next !== '' ? next : undefined };
      }, log);
      for await (const { page, cursor: next } of pages) {
        const received_at = deps.clock.now().toISOString();
        const { records, rejects } = framePage('entra', cfg.name, page.doc, page.text, received_at);
        const value = (page.doc as { value: unknown[] }).value;
        const newest = newestTime(value.map((r) => (r && typeof r === 'object' ? String((r as { createdDateTime?: unknown }).createdDateTime ?? '') : undefined)));
        log.debug({ count: value.length }, 'page read');
        yield { records, rejects, cursor: next, newest_event_time: newest };
      }
    },
  };
}
