import type { Clock } from '../../core/clock.ts';
import { answer, fakeApp, listenFake, logRequest, type FakeApi } from './fake-server.ts';

// Fake Okta System Log API: polling requests (`since` or `after`, ascending by persistence time), `Link` headers
// (`self` and always `next`), `X-Rate-Limit-*` headers with a per-minute budget, and 429 until the reset.

type Json = Record<string, unknown>;

/** The fake with its event store. */
export interface OktaFake extends FakeApi {
  readonly token: string;
  /** Appends events as persisted now (late events: `published` may be earlier than what was already served). */
  add(events: readonly Json[]): void;
}

const encodeAfter = (pos: number): string => Buffer.from(`pos:${pos}`).toString('base64url');
const decodeAfter = (s: string): number | undefined => {
  const m = /^pos:(\d+)$/.exec(Buffer.from(s, 'base64url').toString());
  return m ? Number(m[1]) : undefined;
};

/** Starts the fake. `rate_limit` is the per-minute request budget reported in X-Rate-Limit-Limit. */
export async function startOktaFake(opts: { clock: Clock; events: readonly Json[]; token?: string; rate_limit?: number }): Promise<OktaFake> {
  const { clock } = opts;
  const token = opts.token ?? 'okta-test-token';
  const limit = opts.rate_limit ?? 600;
  const entries: { event: Json; persisted_ms: number }[] = opts.events.map((event) => ({ event, persisted_ms: Date.parse(String(event.published)) }))
    .sort((a, b) => a.persisted_ms - b.persisted_ms);
  let windowReset = 0; // epoch ms at which the budget refills
  let remaining = limit;
  const api = { requests: [], faults: new Map(), violations: [] as string[], revoked: false, token } as unknown as OktaFake;
  const app = fakeApp();

  app.get('/api/v1/logs', async (req, reply) => {
    const { entry, fault } = logRequest(api, req, clock);
    const now = clock.now().getTime();
    if (req.headers.authorization !== `SSWS ${token}` || api.revoked) {
      return answer(reply, entry, clock, 401, { errorCode: 'E0000011', errorSummary: 'Invalid token provided', errorLink: 'E0000011', errorId: 'fake', errorCauses: [] });
    }
    if (now >= windowReset) {
      windowReset = (Math.floor(now / 1000) + 60) * 1000;
      remaining = limit;
    }
    const rateHeaders = (): Record<string, string> => ({
      'x-rate-limit-limit': String(limit), 'x-rate-limit-remaining': String(remaining), 'x-rate-limit-reset': String(windowReset / 1000),
    });
    if (remaining <= 0 || fault === 'rate429') {
      if (remaining <= 0) api.violations.push(`request ${entry.n} at ${new Date(now).toISOString()} before reset ${new Date(windowReset).toISOString()}`);
      if (fault === 'rate429') {
        remaining = 0;
        windowReset = (Math.floor(now / 1000) + 7) * 1000;
      }
      reply.headers(rateHeaders());
      return answer(reply, entry, clock, 429, { errorCode: 'E0000047', errorSummary: 'API call exceeded rate limit due to too many requests.', errorCauses: [] });
    }
    remaining--;
    reply.headers(rateHeaders());
    if (fault === 'fail500') return answer(reply, entry, clock, 500, { errorCode: 'E0000009', errorSummary: 'Internal Server Error' });

    const q = entry.query;
    const size = Math.min(1000, Math.max(1, Number(q.limit ?? 100)));
    let pos: number | undefined;
    if (q.after !== undefined) pos = decodeAfter(q.after);
    else if (q.since !== undefined) {
      const since = Date.parse(q.since);
      // Polling requests filter by persistence time; entries are kept in persistence order.
      pos = entries.findIndex((e) => e.persisted_ms >= since);
      if (pos < 0) pos = entries.length;
    }
    if (pos === undefined || q.sortOrder !== 'ASCENDING' || q.until !== undefined) {
      return answer(reply, entry, clock, 400, { errorCode: 'E0000001', errorSummary: 'Api validation failed: fake supports polling requests only' });
    }
    // Entries are in persistence order, so the not-yet-persisted ones are all at the end.
    const firstFuture = entries.findIndex((e) => e.persisted_ms > now);
    const visibleCount = firstFuture < 0 ? entries.length : firstFuture;
    const page = entries.slice(pos, Math.max(pos, Math.min(pos + size, visibleCount))).map((e) => e.event);
    const base = `http://${req.headers.host ?? ''}/api/v1/logs`;
    reply.header('link', [
      `<${base}?${new URLSearchParams(q).toString()}>; rel="self"`,
      `<${base}?limit=${size}&after=${encodeAfter(pos + page.length)}&sortOrder=ASCENDING>; rel="next"`,
    ]);
    return answer(reply, entry, clock, 200, page);
  });

  const started = await listenFake(app, api);
  return Object.assign(started, {
    token,
    add(events: readonly Json[]) {
      const at = clock.now().getTime();
      for (const event of events) entries.push({ event, persisted_ms: at });
    },
  }) as OktaFake;
}
