import type { Clock } from '../../core/clock.ts';
import { AppError } from '../../core/errors.ts';
import { withRetry } from '../../core/retry.ts';
import type { SourceDeps } from './source.ts';

/** Upstream failure classes (stable codes, shown in logs and `GET /v1/sources`). */
export const SOURCE_ERRORS = {
  auth: 'ERR_SOURCE_AUTH',
  rateLimited: 'ERR_SOURCE_RATE_LIMITED',
  upstream: 'ERR_SOURCE_UPSTREAM',
  network: 'ERR_SOURCE_NETWORK',
  request: 'ERR_SOURCE_REQUEST',
  response: 'ERR_SOURCE_RESPONSE',
  credentials: 'ERR_SOURCE_CREDENTIALS',
} as const;

/** An upstream call failed. `wait_ms` is the wait the vendor prescribed (Retry-After, rate-limit reset). */
export class SourceError extends AppError {
  readonly http_status?: number;
  readonly wait_ms?: number;

  constructor(code: string, message: string, opts: { retriable: boolean; http_status?: number; wait_ms?: number; cause?: unknown }) {
    super(code, message, { retriable: opts.retriable, status: 502, cause: opts.cause });
    this.name = 'SourceError';
    this.http_status = opts.http_status;
    this.wait_ms = opts.wait_ms;
  }
}

/** A response read to the end. */
export interface HttpResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

/** Longest wait a vendor header may impose before we call it a failure instead (clock skew, bogus values). */
const MAX_PRESCRIBED_WAIT_MS = 15 * 60_000;

/** The server's "now" from its `Date` header (removes clock skew from reset arithmetic), else our clock. */
export function serverNowMs(headers: Headers, clock: Clock): number {
  const date = headers.get('date');
  const t = date ? Date.parse(date) : Number.NaN;
  return Number.isFinite(t) ? t : clock.now().getTime();
}

/** `Retry-After`: delay seconds or an HTTP-date (RFC 9110). */
export function retryAfterMs(headers: Headers, clock: Clock): number | undefined {
  const v = headers.get('retry-after')?.trim();
  if (!v) return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return clampWait(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isFinite(at) ? clampWait(at - serverNowMs(headers, clock)) : undefined;
}

/** Clamps a prescribed wait into [0, MAX_PRESCRIBED_WAIT_MS]. */
export function clampWait(ms: number): number {
  return Math.min(MAX_PRESCRIBED_WAIT_MS, Math.max(0, Math.ceil(ms)));
}

/** Parses `Link` headers (several headers arrive comma-joined) into rel → URL. */
export function parseLinkHeader(value: string | null): Map<string, string> {
  const out = new Map<string, string>();
  if (!value) return out;
  const re = /<([^>]*)>\s*((?:;\s*[a-zA-Z]+\s*=\s*(?:"[^"]*"|[^;,]*)\s*)*)/g;
  for (let m = re.exec(value); m; m = re.exec(value)) {
    const rel = /;\s*rel\s*=\s*"?([^";,]+)"?/i.exec(m[2] ?? '');
    if (rel?.[1]) for (const r of rel[1].trim().split(/\s+/)) out.set(r.toLowerCase(), m[1] ?? '');
  }
  return out;
}

/** A short, payload-free description of an error body (vendor error code/summary only). */
function errorSummary(text: string): string {
  try {
    const doc = JSON.parse(text) as unknown;
    if (doc && typeof doc === 'object') {
      const o = doc as Record<string, unknown>;
      const err = o.error && typeof o.error === 'object' ? (o.error as Record<string, unknown>) : undefined;
      const parts = [o.errorCode, o.errorSummary, o.code, o.message, o.error_description, err?.code, err?.message, typeof o.error === 'string' ? o.error : undefined]
        .filter((p): p is string | number => typeof p === 'string' || typeof p === 'number');
      return parts.join(' ').slice(0, 200);
    }
  } catch {
    // not JSON: say nothing about the body
  }
  return '';
}

/** Classifies a non-2xx response. 401/403 are not retried per request (the poller backs off whole cycles). */
export function httpError(what: string, res: HttpResponse, clock: Clock, rateLimitWait?: number): SourceError {
  const summary = errorSummary(res.text);
  const msg = `${what}: HTTP ${res.status}${summary ? ` (${summary})` : ''}`;
  if (res.status === 429) {
    return new SourceError(SOURCE_ERRORS.rateLimited, msg, { retriable: true, http_status: 429, wait_ms: rateLimitWait ?? retryAfterMs(res.headers, clock) });
  }
  if (res.status === 401 || res.status === 403) return new SourceError(SOURCE_ERRORS.auth, msg, { retriable: false, http_status: res.status });
  if (res.status >= 500 || res.status === 408) {
    return new SourceError(SOURCE_ERRORS.upstream, msg, { retriable: true, http_status: res.status, wait_ms: retryAfterMs(res.headers, clock) });
  }
  return new SourceError(SOURCE_ERRORS.request, msg, { retriable: false, http_status: res.status });
}

/** Sends one request and reads the body; network failures (DNS, refused, timeout) become retriable SourceErrors. */
export async function sendRequest(deps: Pick<SourceDeps, 'fetch'>, url: string, init: RequestInit, opts: { timeout_ms: number; signal: AbortSignal; what: string }): Promise<HttpResponse> {
  const f = deps.fetch ?? fetch;
  const signal = AbortSignal.any([opts.signal, AbortSignal.timeout(opts.timeout_ms)]);
  try {
    const res = await f(url, { ...init, signal, redirect: 'error' });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text };
  } catch (e) {
    if (opts.signal.aborted) throw e;
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    const detail = cause?.code ?? cause?.message ?? (e as Error).name;
    throw new SourceError(SOURCE_ERRORS.network, `${opts.what}: ${detail}`, { retriable: true, cause: e });
  }
}

/** Parses a JSON body; an unreadable 2xx body is retriable (truncated responses happen). */
export function parseJsonBody(what: string, res: HttpResponse): unknown {
  try {
    return JSON.parse(res.text) as unknown;
  } catch {
    throw new SourceError(SOURCE_ERRORS.response, `${what}: response is not JSON`, { retriable: true, http_status: res.status });
  }
}

/** True for errors worth retrying the same request for. */
export function isRetriable(e: unknown): boolean {
  return e instanceof AppError && e.retriable;
}

/** Retries one upstream call with the source's policy, honouring vendor-prescribed waits, and logs each retry. */
export function retrying<T>(deps: SourceDeps, signal: AbortSignal, what: string, fn: () => Promise<T>): Promise<T> {
  return withRetry(fn, {
    policy: deps.retry,
    sleep: deps.sleep,
    signal,
    isRetriable,
    waitFor: (e) => (e instanceof SourceError ? e.wait_ms : undefined),
    onRetry: (e, attempt, delay_ms) => deps.logger.warn({ what, attempt: attempt + 1, delay_ms, code: e instanceof AppError ? e.code : 'unknown', err: { message: (e as Error).message } }, 'upstream call retried'),
  });
}

/** Refuses to send credentials to another origin than the configured one (paging links come from the response). */
export function assertSameOrigin(url: string, expected: string, what: string): void {
  let ok = false;
  try {
    ok = new URL(url).origin === new URL(expected).origin;
  } catch {
    ok = false;
  }
  if (!ok) throw new SourceError(SOURCE_ERRORS.response, `${what}: paging link points to another origin`, { retriable: false });
}
