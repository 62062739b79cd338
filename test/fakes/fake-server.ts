import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../../core/clock.ts';

/** A scripted fault for the n-th data request (1-based): a 500 once, or a rate-limit answer once. */
export type Fault = 'fail500' | 'rate429';

/** One request as the fake saw it. */
export interface LoggedRequest {
  readonly n: number;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly at_ms: number;
  status: number;
}

/** What every fake vendor API shares: address, request log, fault script, revocation switch. */
export interface FakeApi {
  url: string;
  /** host:port (Duo signs it). */
  host: string;
  readonly requests: LoggedRequest[];
  /** Faults by data-request number. */
  readonly faults: Map<number, Fault>;
  /** Requests that arrived while the fake had told the client to wait (rate limit not yet reset). */
  readonly violations: string[];
  /** When set, every request is refused as unauthenticated (revoked credentials). */
  revoked: boolean;
  close(): Promise<void>;
}

/** A fastify app for a fake, without logging; form bodies arrive as strings. */
export function fakeApp(): FastifyInstance {
  const app = Fastify({ logger: false });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  return app;
}

/** Starts the app on 127.0.0.1 with a random port. */
export async function listenFake(app: FastifyInstance, api: Omit<FakeApi, 'url' | 'host' | 'close'>): Promise<FakeApi> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as AddressInfo).port;
  return Object.assign(api, { url: `http://127.0.0.1:${port}`, host: `127.0.0.1:${port}`, close: () => app.close() }) as FakeApi;
}

/** Logs a data request and returns its scripted fault, if any. */
export function logRequest(api: Pick<FakeApi, 'requests' | 'faults'>, req: FastifyRequest, clock: Clock): { entry: LoggedRequest; fault?: Fault } {
  const url = new URL(req.url, 'http://fake');
  const entry: LoggedRequest = { n: api.requests.length + 1, path: url.pathname, query: Object.fromEntries(url.searchParams), at_ms: clock.now().getTime(), status: 200 };
  api.requests.push(entry);
  const fault = api.faults.get(entry.n);
  return { entry, fault };
}

/** Sends a JSON answer, recording its status, with the server's Date on the virtual clock. */
export function answer(reply: FastifyReply, entry: LoggedRequest | undefined, clock: Clock, status: number, body: unknown): FastifyReply {
  if (entry) entry.status = status;
  return reply.status(status).header('date', clock.now().toUTCString()).header('content-type', 'application/json').send(JSON.stringify(body));
}
