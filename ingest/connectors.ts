import type { AppContext } from '../core/context.ts';
import type { Store } from '../schema/store/store.ts';
import type { Bus } from './bus/bus.ts';
import type { Pipeline } from './pipeline.ts';
import { startPollers } from './sources/start-pollers.ts';
import { startReceivers } from './receivers/start-receivers.ts';
import type { StatusRegistry } from './sources/status-registry.ts';

/** A running connector (poller, tailer, syslog server). */
export interface RunningConnector {
  readonly name: string;
  stop(): Promise<void>;
}

/** What connectors need: where to send records and where to keep cursors. */
export interface ConnectorDeps {
  readonly ctx: AppContext;
  readonly store: Store;
  readonly pipeline: Pipeline;
  readonly bus?: Bus;
  /** Runtime status shown by `GET /v1/sources`; connectors report into it. */
  readonly status?: StatusRegistry;
}

/** A factory that starts the connectors it finds in the config (and returns none when none are configured). */
export type ConnectorStarter = (deps: ConnectorDeps) => Promise<RunningConnector[]>;

// One entry per connector family (IdP pollers, live receivers); each starts what the config declares.
const STARTERS: readonly ConnectorStarter[] = [
  startPollers,
  startReceivers,
];

/** Starts every configured connector; one failing to start is logged and does not stop the others. */
export async function startConnectors(deps: ConnectorDeps): Promise<RunningConnector[]> {
  const running: RunningConnector[] = [];
  for (const start of STARTERS) {
    try {
      running.push(...(await start(deps)));
    } catch (e) {
      deps.ctx.logger.error({ err: { message: (e as Error).message } }, 'connector failed to start');
    }
  }
  return running;
}
