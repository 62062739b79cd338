import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { prometheusText, type WorkerSnapshot } from './worker-metrics.ts';

// The worker's own small HTTP endpoint (no auth: bind it to a private interface). Read-only:
//   GET /healthz    200 {"ok":true} or 503 with the reason (progress-based: a wedged batch fails it)
//   GET /v1/worker  the snapshot as JSON (lag per partition, throughput, counters)
//   GET /metrics    the same in Prometheus text format

/** What the endpoint reads. */
export interface MetricsSource {
  snapshot(): WorkerSnapshot;
  health(): { ok: boolean; reason: string };
}

/** A listening metrics server. */
export interface MetricsServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Starts the endpoint on host:port (port 0 picks a free port). */
export function startMetricsServer(source: MetricsSource, opts: { readonly host: string; readonly port: number }): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const send = (status: number, type: string, body: string): void => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
    };
    if (req.method !== 'GET') return send(405, 'application/json', JSON.stringify({ error: 'method not allowed' }));
    if (path === '/healthz') {
      const h = source.health();
      return send(h.ok ? 200 : 503, 'application/json', JSON.stringify(h));
    }
    if (path === '/v1/worker') return send(200, 'application/json', JSON.stringify(source.snapshot()));
    if (path === '/metrics') return send(200, 'text/plain; version=0.0.4', prometheusText(source.snapshot()));
    return send(404, 'application/json', JSON.stringify({ error: 'not found' }));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      const address = server.address() as AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      resolve({
        url: `http://${host}:${String(address.port)}`,
        close: () => new Promise<void>((done) => {
          server.close(() => done());
          server.closeAllConnections();
        }),
      });
    });
  });
}
