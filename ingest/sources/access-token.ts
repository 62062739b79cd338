import { z } from 'zod';
import type { Clock } from '../../core/clock.ts';
import { httpError, parseJsonBody, SOURCE_ERRORS, SourceError, type HttpResponse } from './http.ts';

/** OAuth2 token endpoint response (RFC 6749 §5.1). */
const TokenResponse = z.object({
  access_token: z.string().min(1),
  expires_in: z.coerce.number().positive().optional(),
  token_type: z.string().optional(),
});

/** A cached bearer token, refreshed before it expires. */
export interface AccessTokenCache {
  /** The token; `fresh` says it was just issued (a 401 with a fresh token is not a stale-cache problem). */
  get(signal: AbortSignal): Promise<{ token: string; fresh: boolean }>;
  /** Forget the token (after a 401: it may have been revoked before its expiry). */
  invalidate(): void;
}

/**
 * A 401 from the API with a cached token: the token may have been revoked early. Drop it and make the error
 * retriable so the request is retried once with a new token; a 401 with a fresh token is a real auth failure.
 */
export function authRetry(cache: AccessTokenCache, fresh: boolean, e: SourceError): SourceError {
  cache.invalidate();
  return fresh ? e : new SourceError(e.code, e.message, { retriable: true, http_status: e.http_status });
}

/** Refresh this long before expiry so a page request never carries a token that expires in flight. */
const REFRESH_MARGIN_MS = 5 * 60_000;

/**
 * Wraps a token request (client credentials, JWT bearer) in a cache. A token is reused until `REFRESH_MARGIN_MS`
 * (at most half its lifetime) before it expires.
 */
export function createAccessTokenCache(request: (signal: AbortSignal) => Promise<HttpResponse>, clock: Clock, what: string): AccessTokenCache {
  let cached: { token: string; refresh_at: number } | undefined;
  return {
    async get(signal) {
      const now = clock.now().getTime();
      if (cached && now < cached.refresh_at) return { token: cached.token, fresh: false };
      const res = await request(signal);
      if (res.status === 400 || res.status === 401) {
        // invalid_client / invalid_grant / unauthorized_client: wrong or revoked credentials.
        const e = httpError(what, res, clock);
        throw new SourceError(SOURCE_ERRORS.auth, e.message, { retriable: false, http_status: res.status });
      }
      if (res.status < 200 || res.status >= 300) throw httpError(what, res, clock);
      const parsed = TokenResponse.safeParse(parseJsonBody(what, res));
      if (!parsed.success) throw new SourceError(SOURCE_ERRORS.response, `${what}: no access_token in the response`, { retriable: true });
      const lifetime = (parsed.data.expires_in ?? 3600) * 1000;
      const margin = Math.min(REFRESH_MARGIN_MS, lifetime / 2);
      cached = { token: parsed.data.access_token, refresh_at: clock.now().getTime() + lifetime - margin };
      return { token: cached.token, fresh: true };
    },
    invalidate() {
      cached = undefined;
    },
  };
}
