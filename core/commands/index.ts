import type { Command } from 'commander';
import type { AppContext } from '../context.ts';
import { registerIngest } from './ingest.ts';
import { registerMigrate } from './migrate.ts';
import { registerNormalize } from './normalize.ts';
import { registerStart } from './start.ts';
import { registerToken } from './token.ts';

/** Every CLI command, in help order. One line per command module. */
export const COMMANDS: readonly ((program: Command, getCtx: () => AppContext) => void)[] = [
  registerStart,
  registerIngest,
  registerNormalize,
  registerToken,
  registerMigrate,
];
