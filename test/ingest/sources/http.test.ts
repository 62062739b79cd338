import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../../core/clock.ts';
import { httpError, parseLinkHeader, retryAfterMs, SOURCE_ERRORS } from '../../../ingest/sources/http.ts';
import { oktaResetWaitMs } from '../../../ingest/sources/okta.ts';

const clock = fixedClock('2025-03-11T18:00:00.000Z');

describe('parseLinkHeader', () => {
  it('reads self and next from comma-joined Link headers', () => {
    const links = parseLinkHeader('<https://example.okta.com/api/v1/logs?since=2025-03-11T00%3A00%3A00Z&limit=1000>; rel="self", '
      + '<https://example.okta.com/api/v1/logs?limit=1000&after=1741713012808_1>; rel="next"');
    expect(links.get('self')).toBe('https://example.okta.com/api/v1/logs?since=2025-03-11T00%3A00%3A00Z&limit=1000');
    expect(links.get('next')).toBe('https://example.okta.com/api/v1/logs?limit=1000&after=1741713012808_1');
  });

  it('accepts unquoted rel and returns nothing for no header', () => {
    expect(parseLinkHeader('<https://x/y?a=1>; rel=next').get('next')).toBe('https://x/y?a=1');
    expect(parseLinkHeader(null).size).toBe(0);
  });
});

describe('rate-limit headers', () => {
  it('Retry-After in seconds or as an HTTP-date (against the server Date)', () => {
    expect(retryAfterMs(new Headers({ 'retry-after': '5' }), clock)).toBe(5000);
    expect(retryAfterMs(new Headers({ 'retry-after': 'Tue, 11 Mar 2025 18:00:30 GMT', date: 'Tue, 11 Mar 2025 18:00:10 GMT' }), clock)).toBe(20_000);
    expect(retryAfterMs(new Headers(), clock)).toBeUndefined();
  });

  it('Okta X-Rate-Limit-Reset is measured on the server clock (skew-free)', () => {
    // Our clock says 18:00:00, the server says 18:05:00 and resets at 18:05:07: wait 7 s, not 5 min 7 s.
    const headers = new Headers({ 'x-rate-limit-reset': String(Date.parse('2025-03-11T18:05:07Z') / 1000), date: 'Tue, 11 Mar 2025 18:05:00 GMT' });
    expect(oktaResetWaitMs(headers, clock)).toBe(7000);
    expect(oktaResetWaitMs(new Headers({ 'x-rate-limit-reset': String(Date.parse('2025-03-11T18:00:03Z') / 1000) }), clock)).toBe(3000);
  });

  it('classifies statuses: 429 retriable with wait, 401/403 auth, 5xx retriable, other 4xx not', () => {
    const res = (status: number, headers: Record<string, string> = {}, text = '') => ({ status, headers: new Headers(headers), text });
    const r429 = httpError('x', res(429, { 'retry-after': '2' }), clock);
    expect([r429.code, r429.retriable, r429.wait_ms]).toEqual([SOURCE_ERRORS.rateLimited, true, 2000]);
    const r401 = httpError('x', res(401, {}, '{"errorCode":"E0000011","errorSummary":"Invalid token provided"}'), clock);
    expect([r401.code, r401.retriable]).toEqual([SOURCE_ERRORS.auth, false]);
    expect(r401.message).toBe('x: HTTP 401 (E0000011 Invalid token provided)');
    expect(httpError('x', res(503), clock).retriable).toBe(true);
    expect(httpError('x', res(400), clock).code).toBe(SOURCE_ERRORS.request);
  });
});
