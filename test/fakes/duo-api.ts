import { timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../core/clock.ts';
import { duoSignature } from '../../ingest/sources/duo-sign.ts';
import { answer, fakeApp, listenFake, logRequest, type FakeApi } from './fake-server.ts';

// Fake Duo Admin API v2 authentication logs: verifies the HMAC-SHA1 request signature (Basic ikey:hex over the
// canonical Date/method/host/path/params string) and the Date's freshness, requires mintime/maxtime in ms with
// maxtime no later than now − 2 min, sorts ts desc, pages with next_offset `<ms>,<txid>`, 429 code 42901.

type Json = Record<string, unknown>;

/** The fake and what tests inspect. */
export interface DuoFake extends FakeApi {
  readonly ikey: string;
  readonly skey: string;
  readonly signature_errors: string[];
  add(events: readonly Json[]): void;
}

const tsOf = (e: Json): number => Date.parse(String(e.isotimestamp));
const order = (a: { ts: number; txid: string }, b: { ts: number; txid: string }): number => b.ts - a.ts || b.txid.localeCompare(a.txid);

/** Starts the fake. */
export async function startDuoFake(opts: { clock: Clock; events: readonly Json[] }): Promise<DuoFake> {
  const { clock } = opts;
  const ikey = 'DIWJ8X6AEYOR5OMC6TQ1';
  const skey = 'duo-test-secret-key-0123456789abcdefghij';
  const entries = opts.events.map((event) => ({ event, ts: tsOf(event), txid: String(event.txid), visible_ms: tsOf(event) + 120_000 }));
  const api = { requests: [], faults: new Map(), violations: [], revoked: false, ikey, skey, signature_errors: [] } as unknown as DuoFake;
  const app = fakeApp();

  app.get('/admin/v2/logs/authentication', async (req, reply) => {
    const { entry, fault } = logRequest(api, req, clock);
    const now = clock.now().getTime();
    const fail = (status: number, code: number, message: string, detail?: string): unknown =>
      answer(reply, entry, clock, status, { stat: 'FAIL', code, message, ...(detail ? { message_detail: detail } : {}) });
    const date = req.headers.date ?? '';
    const basic = /^Basic (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    const [user, sig] = basic ? Buffer.from(basic, 'base64').toString().split(':') : [];
    const expected = duoSignature({ method: req.method, host: req.headers.host ?? '', path: entry.path, params: entry.query, date }, skey);
    const sigOk = sig !== undefined && sig.length === expected.length && timingSafeEqual(Buffer.from(sig), Buffer.from(expected));
    if (user !== ikey || !sigOk || api.revoked) {
      api.signature_errors.push(user !== ikey ? 'ikey' : 'signature');
      return fail(401, 40103, 'Invalid signature in request credentials');
    }
    if (!Number.isFinite(Date.parse(date)) || Math.abs(Date.parse(date) - now) > 300_000) {
      api.signature_errors.push('date');
      return fail(401, 40105, 'Request has an invalid or expired Date header');
    }
    if (fault === 'rate429') return fail(429, 42901, 'Too Many Requests');
    if (fault === 'fail500') return answer(reply, entry, clock, 500, { stat: 'FAIL', code: 50000, message: 'Internal server error' });
    const q = entry.query;
    const mintime = Number(q.mintime);
    const maxtime = Number(q.maxtime);
    if (!/^\d{13}$/.test(q.mintime ?? '') || !/^\d{13}$/.test(q.maxtime ?? '') || !(maxtime > mintime)) return fail(400, 40002, 'Invalid request parameters', 'mintime/maxtime');
    if (maxtime > now - 120_000) {
      api.violations.push(`request ${entry.n}: maxtime ${maxtime - (now - 120_000)} ms too late`);
      return fail(400, 40002, 'Invalid request parameters', 'maxtime');
    }
    const limit = Math.min(1000, Math.max(1, Number(q.limit ?? 100)));
    let matching = entries.filter((e) => e.visible_ms <= now && e.ts >= mintime && e.ts <= maxtime).sort(order);
    if (q.next_offset) {
      const [ms, txid] = q.next_offset.split(',');
      const after = { ts: Number(ms), txid: txid ?? '' };
      matching = matching.filter((e) => order(e, after) > 0);
    }
    const page = matching.slice(0, limit);
    const last = page[page.length - 1];
    const more = matching.length > limit && last;
    return answer(reply, entry, clock, 200, {
      stat: 'OK',
      response: { authlogs: page.map((e) => e.event), metadata: { next_offset: more ? [String(last.ts), last.txid] : null, total_objects: matching.length } },
    });
  });

  const started = await listenFake(app, api);
  return Object.assign(started, {
    add(events: readonly Json[]) {
      const at = clock.now().getTime();
      for (const event of events) entries.push({ event, ts: tsOf(event), txid: String(event.txid), visible_ms: at });
    },
  }) as DuoFake;
}
