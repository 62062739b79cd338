import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestProject } from 'vitest/node';
import { startKafkaBroker, type KafkaBroker } from '../harness/kafka-broker.ts';

// vitest globalSetup of the `integration` project: one real Kafka broker for all integration test files.
// Test files run in other processes, so the broker is controlled over a tiny HTTP endpoint on 127.0.0.1:
//   POST <kafkaControlUrl>/restart?signal=SIGTERM|SIGKILL  → 200 {"ms": n} once the broker serves metadata again.
// NOTE: a restart affects every test file running at that moment; their clients must ride it out (they retry).

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string[];
    kafkaControlUrl: string;
  }
}

/** Starts the broker and the control endpoint; returns the teardown. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const broker = await startKafkaBroker();
  const startupMs = Date.now() - started;
  const control = await startControlServer(broker);
  const address = control.address() as AddressInfo;
  project.provide('kafkaBrokers', broker.brokers);
  project.provide('kafkaControlUrl', `http://127.0.0.1:${String(address.port)}`);
  process.stderr.write(`[kafka] broker ${broker.brokers.join(',')} ready in ${String(startupMs)} ms (${broker.workDir})\n`);

  return async () => {
    await new Promise<void>((resolve) => control.close(() => resolve()));
    await broker.stop();
  };
}

/** Asks the globalSetup process to restart the shared broker (same ports, same data); resolves when it is ready. */
export async function restartSharedKafkaBroker(
  controlUrl: string,
  opts: { readonly signal?: 'SIGTERM' | 'SIGKILL' } = {},
): Promise<number> {
  const response = await fetch(`${controlUrl}/restart?signal=${opts.signal ?? 'SIGTERM'}`, { method: 'POST' });
  const body: unknown = await response.json();
  if (!response.ok || typeof body !== 'object' || body === null || !('ms' in body) || typeof body.ms !== 'number') {
    throw new Error(`kafka restart failed: ${JSON.stringify(body)}`);
  }
  return body.ms;
}

function startControlServer(broker: KafkaBroker): Promise<Server> {
  let queue: Promise<unknown> = Promise.resolve();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const signal = url.searchParams.get('signal') === 'SIGKILL' ? 'SIGKILL' : 'SIGTERM';
    if (req.method !== 'POST' || url.pathname !== '/restart') {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not found' }));
      return;
    }
    // Restarts are serialized: two test files asking at once get two clean restarts, not interleaved ones.
    const run = queue.then(async () => {
      const started = Date.now();
      await broker.restart({ signal });
      return Date.now() - started;
    });
    queue = run.catch(() => undefined);
    run.then(
      (ms) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ms })),
      (error: unknown) =>
        res
          .writeHead(500, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: error instanceof Error ? error.message : String(error) })),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}
