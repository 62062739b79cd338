import { duoCanonParams, duoDate, duoSignedHeaders } from './duo-sign.ts';
import { httpError, parseJsonBody, retrying, sendRequest, SOURCE_ERRORS, SourceError } from './http.ts';
import { framePage, newestTime } from './page-records.ts';
import type { Source, SourceDeps } from './source.ts';
import type { DuoSourceConfig } from './source-config.ts';
import { readWindow, type TimeWindow, windowPlanFor } from './window-cursor.ts';

// Cisco Duo Admin API v2 authentication-log poller: `GET /admin/v2/logs/authentication` with `mintime`/`maxtime`
// in milliseconds fixed per window and `next_offset` (`<ms>,<txid>`) paging. Duo serves logs only up to about two
// minutes before the request, so every window ends at now − 2 min. Requests are HMAC-SHA1 signed (duo-sign.ts).
// Duo has no Retry-After on 429 (code 42901): the request backs off exponentially.

const DAY_MS = 86_400_000;
const PATH = '/admin/v2/logs/authentication';
/** Duo keeps 180 days of logs. */
const MAX_LOOKBACK_MS = 180 * DAY_MS - 3_600_000;
/** Duo's intentional delay before logs are queryable. */
export const DUO_LOG_DELAY_MS = 120_000;

/** `metadata.next_offset` as the page token (`<ms>,<txid>`), or undefined on the last page. */
function nextOffset(doc: unknown): string | undefined {
  const off = (doc as { response?: { metadata?: { next_offset?: unknown } } }).response?.metadata?.next_offset;
  if (Array.isArray(off) && off.length >= 2) return off.map(String).join(',');
  if (typeof off === 'string' && off !== '') return off;
  return undefined;
}

/** Creates the Duo poller source. Throws ERR_SOURCE_CREDENTIALS when a key variable is unset. */
export function createDuoSource(cfg: DuoSourceConfig, deps: SourceDeps): Source {
  const ikey = deps.secrets[cfg.integration_key_env];
  const skey = deps.secrets[cfg.secret_key_env];
  if (!ikey || !skey) {
    const missing = !ikey ? cfg.integration_key_env : cfg.secret_key_env;
    throw new SourceError(SOURCE_ERRORS.credentials, `environment variable ${missing} (Duo Admin API key) is not set`, { retriable: false });
  }
  const log = deps.logger.child({ stage: 'receiving', source: 'duo', name: cfg.name });
  const base = `${cfg.scheme}://${cfg.api_host}`;

  const getPage = async (window: TimeWindow, offset: string | undefined, signal: AbortSignal): Promise<{ doc: unknown; text: string }> => {
    const params: Record<string, string> = {
      mintime: String(Date.parse(window.start)),
      maxtime: String(Date.parse(window.end)),
      limit: String(cfg.page_size),
    };
    if (offset) params.next_offset = offset;
    // Signed at send time: Duo checks the Date header against its clock, so a retry is signed afresh.
    const headers = duoSignedHeaders({ method: 'GET', host: cfg.api_host, path: PATH, params, date: duoDate(deps.clock.now()) }, ikey, skey);
    const res = await sendRequest(deps, `${base}${PATH}?${duoCanonParams(params)}`, {
      method: 'GET', headers: { ...headers, accept: 'application/json' },
    }, { timeout_ms: cfg.request_timeout_seconds * 1000, signal, what: 'duo authentication logs' });
    if (res.status < 200 || res.status >= 300) throw httpError('duo authentication logs', res, deps.clock);
    const doc = parseJsonBody('duo authentication logs', res);
    const stat = (doc as { stat?: unknown } | null)?.stat;
    if (stat !== 'OK') throw new SourceError(SOURCE_ERRORS.response, `duo authentication logs: stat ${String(stat)}`, { retriable: true });
    return { doc, text: res.text };
  };

  return {
    name: cfg.name,
    type: 'duo',
    async *read(cursor, signal) {
      const now = deps.clock.now();
      const plan = windowPlanFor(cfg, now, { end_lag_ms: DUO_LOG_DELAY_MS, max_lookback_ms: MAX_LOOKBACK_MS });
      const pages = readWindow(cursor, plan, async (window, offset) => {
        const page = await retrying(deps, signal, 'duo authentication logs', () => getPage(window, offset, signal));
        return { page, next: nextOffset(page.doc) };
      }, log);
      for await (const { page, cursor: next } of pages) {
        const received_at = deps.clock.now().toISOString();
        const logs = (page.doc as { response?: { authlogs?: unknown } }).response?.authlogs;
        const list = Array.isArray(logs) ? logs : [];
        const framed = framePage('duo', cfg.name, page.doc, page.text, received_at);
        const newest = newestTime(list.map((r) => (r && typeof r === 'object' ? String((r as { isotimestamp?: unknown }).isotimestamp ?? '') : undefined)));
        log.debug({ count: list.length }, 'page read');
        yield { records: framed.records, rejects: framed.rejects, cursor: next, newest_event_time: newest };
      }
    },
  };
}
