import { generateKeyPairSync, randomBytes, verify, type KeyObject } from 'node:crypto';
import type { Clock } from '../../core/clock.ts';
import { answer, fakeApp, listenFake, logRequest, type FakeApi } from './fake-server.ts';

// Fake Google OAuth token endpoint + Admin SDK Reports `activities.list` (application login): the token endpoint
// verifies the JWT bearer assertion (RS256 signature with the service account's public key, iss, aud, scope, sub,
// iat/exp on the virtual clock); the Reports endpoint filters by startTime/endTime, pages newest first with
// pageToken, and omits `items` on an empty page.

type Json = Record<string, unknown>;

/** The fake and what tests inspect. */
export interface GoogleFake extends FakeApi {
  /** Service-account JSON key (what the env var holds). */
  readonly service_account_json: string;
  readonly client_email: string;
  readonly subject: string;
  readonly token_url: string;
  /** Reasons the token endpoint refused assertions. */
  readonly assertion_errors: string[];
  readonly token_requests: number[];
  add(events: readonly Json[]): void;
}

interface PageToken { start: string; end: string; offset: number; as_of: number }

const SCOPE = 'https://www.googleapis.com/auth/admin.reports.audit.readonly';

/** Checks a JWT bearer assertion; returns why it is refused, or undefined. */
function checkAssertion(assertion: string, publicKey: KeyObject, expect: { iss: string; aud: string; sub: string; now_s: number }): string | undefined {
  const parts = assertion.split('.');
  if (parts.length !== 3) return 'not a JWT';
  const [h, p, s] = parts as [string, string, string];
  const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as Json;
  if (header.alg !== 'RS256') return `alg ${String(header.alg)}`;
  if (!verify('RSA-SHA256', Buffer.from(`${h}.${p}`), publicKey, Buffer.from(s, 'base64url'))) return 'bad signature';
  const c = JSON.parse(Buffer.from(p, 'base64url').toString()) as Json;
  if (c.iss !== expect.iss) return 'iss';
  if (c.aud !== expect.aud) return 'aud';
  if (c.sub !== expect.sub) return 'sub';
  if (!String(c.scope ?? '').split(' ').includes(SCOPE)) return 'scope';
  const iat = Number(c.iat);
  const exp = Number(c.exp);
  if (!(iat <= expect.now_s + 60 && exp > expect.now_s && exp - iat <= 3600)) return 'iat/exp';
  return undefined;
}

/** Starts the fake. */
export async function startGoogleFake(opts: { clock: Clock; events: readonly Json[]; token_lifetime_s?: number }): Promise<GoogleFake> {
  const { clock } = opts;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const client_email = 'accessproof-reader@example-prod-4821.iam.gserviceaccount.com';
  const subject = 'reports-admin@example.com';
  const entries = opts.events.map((event) => {
    const t = Date.parse(String((event.id as Json).time));
    return { event, visible_ms: t, time_ms: t };
  });
  const tokens = new Map<string, number>();
  const api = { requests: [], faults: new Map(), violations: [], revoked: false, assertion_errors: [], token_requests: [], client_email, subject } as unknown as GoogleFake;
  const app = fakeApp();
  let tokenUrl = '';

  app.post('/token', async (req, reply) => {
    const form = new URLSearchParams(typeof req.body === 'string' ? req.body : '');
    api.token_requests.push(clock.now().getTime());
    const why = form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer' ? 'grant_type'
      : api.revoked ? 'revoked'
        : checkAssertion(form.get('assertion') ?? '', publicKey, { iss: client_email, aud: tokenUrl, sub: subject, now_s: Math.floor(clock.now().getTime() / 1000) });
    if (why) {
      api.assertion_errors.push(why);
      return answer(reply, undefined, clock, 400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });
    }
    const token = `ya29.${randomBytes(12).toString('hex')}`;
    tokens.set(token, clock.now().getTime() + (opts.token_lifetime_s ?? 3599) * 1000);
    return answer(reply, undefined, clock, 200, { access_token: token, expires_in: opts.token_lifetime_s ?? 3599, token_type: 'Bearer' });
  });

  app.get('/admin/reports/v1/activity/users/all/applications/login', async (req, reply) => {
    const { entry, fault } = logRequest(api, req, clock);
    const now = clock.now().getTime();
    const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const exp = tokens.get(bearer);
    if (exp === undefined || exp <= now) {
      return answer(reply, entry, clock, 401, { error: { code: 401, message: 'Request had invalid authentication credentials.', status: 'UNAUTHENTICATED' } });
    }
    if (fault === 'rate429') return answer(reply, entry, clock, 429, { error: { code: 429, message: 'Quota exceeded', errors: [{ reason: 'rateLimitExceeded' }] } });
    if (fault === 'fail500') return answer(reply, entry, clock, 500, { error: { code: 500, message: 'Internal error encountered.' } });
    const q = entry.query;
    const pt: PageToken = q.pageToken
      ? JSON.parse(Buffer.from(q.pageToken, 'base64url').toString()) as PageToken
      : { start: q.startTime ?? '', end: q.endTime ?? new Date(now).toISOString(), offset: 0, as_of: now };
    const start = Date.parse(pt.start);
    const end = Date.parse(pt.end);
    if (!Number.isFinite(start)) return answer(reply, entry, clock, 400, { error: { code: 400, message: 'Invalid value for startTime' } });
    const max = Math.min(1000, Math.max(1, Number(q.maxResults ?? 1000)));
    const matching = entries.filter((e) => e.visible_ms <= pt.as_of && e.time_ms >= start && e.time_ms <= end)
      .sort((a, b) => b.time_ms - a.time_ms);
    const page = matching.slice(pt.offset, pt.offset + max).map((e) => e.event);
    const body: Json = { kind: 'admin#reports#activities', etag: '"fake"' };
    if (page.length) body.items = page;
    if (pt.offset + max < matching.length) body.nextPageToken = Buffer.from(JSON.stringify({ ...pt, offset: pt.offset + max })).toString('base64url');
    return answer(reply, entry, clock, 200, body);
  });

  const started = await listenFake(app, api);
  tokenUrl = `${started.url}/token`;
  const sa = { type: 'service_account', project_id: 'example-prod-4821', private_key_id: 'fakekey1', client_email, private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), token_uri: tokenUrl };
  return Object.assign(started, {
    service_account_json: JSON.stringify(sa),
    token_url: tokenUrl,
    add(events: readonly Json[]) {
      const at = clock.now().getTime();
      for (const event of events) entries.push({ event, visible_ms: at, time_ms: Date.parse(String((event.id as Json).time)) });
    },
  }) as GoogleFake;
}
