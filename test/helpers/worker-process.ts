import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './shared.ts';

// `accessproof worker` as a child process, for the Kafka worker tests: it can be SIGKILLed at any point.

const BIN = join(REPO_ROOT, 'core', 'bin.mjs');

/** How a worker process ended. */
export interface WorkerExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A running `accessproof worker`. */
export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<WorkerExit>;
  /** Everything it wrote (stdout + stderr, the pino log lines). */
  output(): string;
  /** Resolves when the output matches; rejects on timeout or exit. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<void>;
  /** records_total of the last progress line (0 before the first one). */
  recordsTotal(): number;
  /** Base URL of the worker's metrics endpoint, once it logged it. */
  metricsUrl(): string | undefined;
  kill(signal: NodeJS.Signals): void;
}

/** Starts `accessproof worker <args>` with a clean environment plus `env`. */
export function startWorkerProcess(env: Record<string, string>, args: readonly string[] = []): WorkerProcess {
  const child = spawn(process.execPath, [BIN, 'worker', '--metrics-port', '0', '--progress-seconds', '1', ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'info', ACCESSPROOF_HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer): void => {
    out += d.toString();
    for (const l of [...listeners]) l();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  let done = false;
  const exited = new Promise<WorkerExit>((resolve) => {
    child.on('exit', (code, signal) => {
      done = true;
      for (const l of [...listeners]) l();
      resolve({ code, signal });
    });
  });
  return {
    child,
    exited,
    output: () => out,
    waitFor(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (pattern.test(out)) finish(undefined);
          else if (done) finish(new Error(`worker exited before ${String(pattern)}: ${out.slice(-3000)}`));
        };
        const timer = setTimeout(() => finish(new Error(`timed out waiting for ${String(pattern)}: ${out.slice(-3000)}`)), timeoutMs);
        const finish = (error: Error | undefined): void => {
          clearTimeout(timer);
          listeners.delete(check);
          if (error) reject(error);
          else resolve();
        };
        listeners.add(check);
        check();
      });
    },
    recordsTotal() {
      const all = [...out.matchAll(/"records_total":(\d+)/g)];
      return Number(all[all.length - 1]?.[1] ?? 0);
    },
    metricsUrl: () => /"metrics":"(http:\/\/[^"]+)"/.exec(out)?.[1],
    kill(signal) {
      if (!done) child.kill(signal);
    },
  };
}
