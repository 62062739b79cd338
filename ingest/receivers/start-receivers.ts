import type { ConnectorStarter, RunningConnector } from '../connectors.ts';
import { startSyslogReceiver } from './syslog.ts';
import { startTailer } from './tail.ts';

/**
 * Starts the live receivers the config file declares under `receivers:` (the syslog server and one tailer per
 * `tail` entry). If one cannot start (port taken, unknown source), the ones already started are stopped and the
 * error propagates, so a half-configured receiver set never runs silently.
 */
export const startReceivers: ConnectorStarter = async ({ ctx, store, pipeline, status }) => {
  const cfg = ctx.config.file.receivers;
  const running: RunningConnector[] = [];
  try {
    if (cfg.syslog) running.push(await startSyslogReceiver({ config: cfg.syslog, pipeline, logger: ctx.logger, clock: ctx.clock, status }));
    for (const tail of cfg.tail) running.push(await startTailer({ config: tail, store, pipeline, logger: ctx.logger, clock: ctx.clock, status }));
  } catch (e) {
    for (const r of running) await r.stop().catch(() => undefined);
    throw e;
  }
  return running;
};
