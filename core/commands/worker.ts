import { Option, type Command } from 'commander';
import type { AppContext } from '../context.ts';
import { AppError, UsageError } from '../errors.ts';
import type { Store } from '../../schema/store/store.ts';
import type { BusError } from '../../ingest/bus/bus-error.ts';
import { openKafkaBus, requireKafka, workerFor } from '../../ingest/worker/kafka-runtime.ts';
import { startMetricsServer, type MetricsServer } from '../../ingest/worker/metrics-server.ts';
import type { FaultWindow, WorkerTestHooks } from '../../ingest/worker/worker.ts';

interface WorkerOptions {
  metricsPort?: string;
  progressSeconds: string;
  stallSeconds: string;
  testFault?: string;
  testUnsafeAckBeforeStore?: boolean;
  testUnsafeContentTokens?: boolean;
}

const WINDOWS: readonly FaultWindow[] = ['before-insert', 'mid-batch', 'after-insert'];

/** `accessproof worker`: a consumer-group member that normalizes the raw topic into ClickHouse. Runs until SIGTERM. */
export function registerWorker(program: Command, getCtx: () => AppContext): void {
  program.command('worker')
    .description('consume the raw Kafka topic as a member of KAFKA_GROUP_ID: normalize, store in ClickHouse, then commit (needs KAFKA_BROKERS)')
    .option('--metrics-port <port>', 'port of the worker\'s /healthz, /metrics and /v1/worker endpoint (default WORKER_METRICS_PORT; 0 = any free port)')
    .option('--progress-seconds <n>', 'interval of the progress log line (lag, events/s)', '10')
    .option('--stall-seconds <n>', '/healthz fails when one batch has been in flight longer than this', '120')
    // Test-only switches (the Kafka integration tests); each breaks a guarantee on purpose.
    .addOption(new Option('--test-fault <window:batch>', 'SIGKILL itself at a crash window of the n-th batch').hideHelp())
    .addOption(new Option('--test-unsafe-ack-before-store', 'negative control: ack batches before storing them').hideHelp())
    .addOption(new Option('--test-unsafe-content-tokens', 'negative control: content tokens instead of the range ledger').hideHelp())
    .action(async (opts: WorkerOptions) => {
      const ctx = getCtx();
      requireKafka(ctx, 'accessproof worker');
      const testing = parseTestHooks(opts);
      const port = opts.metricsPort === undefined ? ctx.config.env.WORKER_METRICS_PORT : positiveInt(opts.metricsPort, '--metrics-port', 0);
      const progressMs = positiveInt(opts.progressSeconds, '--progress-seconds', 1) * 1000;
      const stallMs = positiveInt(opts.stallSeconds, '--stall-seconds', 1) * 1000;
      const log = ctx.logger;
      // Signals are handled from the first moment: a SIGTERM during start-up must still end in a clean stop.
      let fatal: BusError | undefined;
      let stopRequested = false;
      let wake: () => void = () => undefined;
      const stopped = new Promise<void>((resolve) => { wake = resolve; });
      const onSignal = (signal: string) => (): void => {
        log.info({ signal }, 'worker stopping');
        stopRequested = true;
        wake();
      };
      process.once('SIGTERM', onSignal('SIGTERM'));
      process.once('SIGINT', onSignal('SIGINT'));
      const store = await openStoreWaiting(ctx);
      const bus = openKafkaBus(ctx, 'worker', (error) => {
        // Fail closed: an offset gap or a spent restart budget stops the process; the orchestrator decides.
        fatal = error;
        worker.fail(error.code, error.message);
        wake();
      });
      const worker = workerFor(ctx, { bus, store, progressIntervalMs: progressMs, testing });
      let server: MetricsServer | undefined;
      try {
        server = await startMetricsServer({ snapshot: () => worker.snapshot(), health: () => worker.health(stallMs) }, { host: ctx.config.env.ACCESSPROOF_HOST, port });
        log.info({ metrics: server.url, brokers: ctx.config.bus.brokers, store: store.mode }, 'worker metrics listening');
        if (!stopRequested) {
          await worker.start();
          await stopped;
          await worker.stop();
        }
      } finally {
        await bus.close().catch((e: Error) => log.warn({ err: { message: e.message } }, 'bus close failed'));
        await server?.close();
        await store.close();
      }
      if (fatal !== undefined) {
        process.stderr.write(`accessproof: ${fatal.code}: ${fatal.message.split('\n')[0] ?? ''}\n`);
        process.exitCode = 1;
      }
    });
}

/**
 * Opens the store; an embedded store still held by a live process (the previous worker finishing its shutdown
 * while the orchestrator already starts the next one) is waited for instead of failing at once.
 */
async function openStoreWaiting(ctx: AppContext, timeoutMs = 30_000): Promise<Store> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await ctx.openStore();
    } catch (e) {
      if (!(e instanceof AppError) || e.code !== 'ERR_STORE_LOCKED' || Date.now() > deadline) throw e;
      ctx.logger.warn({ code: e.code }, 'store locked by another process: waiting');
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

function parseTestHooks(opts: WorkerOptions): WorkerTestHooks {
  let fault: WorkerTestHooks['fault'];
  if (opts.testFault !== undefined) {
    const [window, n] = opts.testFault.split(':');
    if (!WINDOWS.includes(window as FaultWindow)) throw new UsageError(`--test-fault: window must be one of ${WINDOWS.join(', ')}`);
    fault = { window: window as FaultWindow, batch: positiveInt(n ?? '', '--test-fault batch', 1) };
  }
  return {
    fault,
    crash: () => process.kill(process.pid, 'SIGKILL'),
    unsafeAckBeforeStore: opts.testUnsafeAckBeforeStore === true,
    unsafeContentTokens: opts.testUnsafeContentTokens === true,
  };
}

function positiveInt(text: string, what: string, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${what} must be an integer ≥ ${String(min)}`);
  return n;
}
