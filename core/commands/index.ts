import type { Command } from 'commander';
import type { AppContext } from '../context.ts';
import { registerIngest } from './ingest.ts';
import { registerKafka } from './kafka.ts';
import { registerMigrate } from './migrate.ts';
import { registerNormalize } from './normalize.ts';
import { registerStart } from './start.ts';
import { registerToken } from './token.ts';
import { registerWorker } from './worker.ts';
import { registerCorrelate } from './correlate.ts';
import { registerMetrics } from './metrics.ts';
import { registerExemption } from './exemption.ts';
import { registerBreakGlass } from './break-glass.ts';
import { registerControls } from './controls.ts';
import { registerEvidence } from './evidence.ts';
import { registerVerify } from './verify.ts';

/** Every CLI command, in help order. One line per command module. */
export const COMMANDS: readonly ((program: Command, getCtx: () => AppContext) => void)[] = [
  registerStart,
  registerIngest,
  registerNormalize,
  registerToken,
  registerMigrate,
  registerCorrelate,
  registerMetrics,
  registerExemption,
  registerBreakGlass,
  registerWorker,
  registerKafka,
  registerControls,
  registerEvidence,
  registerVerify,
];
