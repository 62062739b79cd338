import { randomBytes } from 'node:crypto';
import type { Clock } from '../../core/clock.ts';
import { answer, fakeApp, listenFake, logRequest, type FakeApi } from './fake-server.ts';

// Fake Microsoft identity platform + Graph: client-credentials token endpoint (tokens expire on the virtual clock),
// `GET /beta/auditLogs/signIns` with `$filter=createdDateTime ge .. and createdDateTime le ..`, newest first,
// `$top`, `@odata.nextLink` carrying a `$skiptoken` (a snapshot of the query), 429 with Retry-After.

type Json = Record<string, unknown>;

/** The fake and what tests inspect. */
export interface GraphFake extends FakeApi {
  readonly tenant: string;
  readonly client_id: string;
  readonly client_secret: string;
  /** Token requests served. */
  readonly token_requests: number[];
  /** Data requests made with an expired or unknown token. */
  readonly bad_token_uses: number[];
  /** Makes events visible from now on (late arrivals; their createdDateTime may be in the past). */
  add(events: readonly Json[]): void;
  /** Invalidates every issued token before its expiry (admin revoked sessions). */
  revokeTokens(): void;
}

interface SkipToken { ge: string; le: string; offset: number; as_of: number }

const FILTER = /^createdDateTime ge (\S+) and createdDateTime le (\S+)/;

/** Starts the fake; `token_lifetime_s` is what the token endpoint reports as expires_in. */
export async function startGraphFake(opts: { clock: Clock; events: readonly Json[]; token_lifetime_s?: number }): Promise<GraphFake> {
  const { clock } = opts;
  const lifetime = opts.token_lifetime_s ?? 3599;
  const tenant = '5f1d2c3b-8a4e-4b6f-9c7d-2e1f0a9b8c71';
  const client_id = 'b7f3c2a1-0d4e-4f5a-9b6c-7d8e9f0a1b2c';
  const client_secret = 'graph-test-secret';
  const entries: { event: Json; visible_ms: number; time_ms: number }[] = opts.events.map((event) => {
    const t = Date.parse(String(event.createdDateTime));
    return { event, visible_ms: t, time_ms: t };
  });
  const tokens = new Map<string, number>();
  const api = { requests: [], faults: new Map(), violations: [], revoked: false, tenant, client_id, client_secret, token_requests: [], bad_token_uses: [] } as unknown as GraphFake;
  let retryUntil = 0;
  const app = fakeApp();

  app.post('/:tenant/oauth2/v2.0/token', async (req, reply) => {
    const form = new URLSearchParams(typeof req.body === 'string' ? req.body : '');
    api.token_requests.push(clock.now().getTime());
    const ok = (req.params as { tenant: string }).tenant === tenant && form.get('grant_type') === 'client_credentials'
      && form.get('client_id') === client_id && form.get('client_secret') === client_secret && !api.revoked
      && (form.get('scope') ?? '').endsWith('/.default');
    if (!ok) return answer(reply, undefined, clock, 401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' });
    const token = randomBytes(16).toString('hex');
    tokens.set(token, clock.now().getTime() + lifetime * 1000);
    return answer(reply, undefined, clock, 200, { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: token });
  });

  app.get('/beta/auditLogs/signIns', async (req, reply) => {
    const { entry, fault } = logRequest(api, req, clock);
    const now = clock.now().getTime();
    const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const expires = tokens.get(bearer);
    if (expires === undefined || expires <= now) {
      api.bad_token_uses.push(entry.n);
      return answer(reply, entry, clock, 401, { error: { code: 'InvalidAuthenticationToken', message: 'Access token has expired or is not yet valid.' } });
    }
    if (now < retryUntil) api.violations.push(`request ${entry.n} ${retryUntil - now} ms before Retry-After`);
    if (fault === 'rate429') {
      retryUntil = now + 5000;
      reply.header('retry-after', '5');
      return answer(reply, entry, clock, 429, { error: { code: 'TooManyRequests', message: 'Too many requests.' } });
    }
    if (fault === 'fail500') return answer(reply, entry, clock, 500, { error: { code: 'UnknownError', message: '' } });
    const q = entry.query;
    let st: SkipToken;
    if (q.$skiptoken) {
      st = JSON.parse(Buffer.from(q.$skiptoken, 'base64url').toString()) as SkipToken;
    } else {
      const m = FILTER.exec(q.$filter ?? '');
      if (!m) return answer(reply, entry, clock, 400, { error: { code: 'BadRequest', message: 'Invalid filter clause' } });
      st = { ge: m[1] as string, le: m[2] as string, offset: 0, as_of: now };
    }
    const top = Math.min(1000, Math.max(1, Number(q.$top ?? 1000)));
    const ge = Date.parse(st.ge);
    const le = Date.parse(st.le);
    const matching = entries.filter((e) => e.visible_ms <= st.as_of && e.time_ms >= ge && e.time_ms <= le)
      .sort((a, b) => b.time_ms - a.time_ms || String(b.event.id).localeCompare(String(a.event.id)));
    const page = matching.slice(st.offset, st.offset + top).map((e) => e.event);
    const body: Json = { '@odata.context': 'https://graph.microsoft.com/beta/$metadata#auditLogs/signIns', value: page };
    if (st.offset + top < matching.length) {
      const next: SkipToken = { ...st, offset: st.offset + top };
      body['@odata.nextLink'] = `http://${req.headers.host ?? ''}/beta/auditLogs/signIns?$top=${top}&$skiptoken=${Buffer.from(JSON.stringify(next)).toString('base64url')}`;
    }
    return answer(reply, entry, clock, 200, body);
  });

  const started = await listenFake(app, api);
  return Object.assign(started, {
    revokeTokens: () => tokens.clear(),
    add(events: readonly Json[]) {
      const at = clock.now().getTime();
      for (const event of events) entries.push({ event, visible_ms: at, time_ms: Date.parse(String(event.createdDateTime)) });
    },
  }) as GraphFake;
}
