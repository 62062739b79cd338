import { Command, CommanderError } from 'commander';
import { AppError, ConfigError, UsageError } from './errors.ts';
import { createContext, VERSION, type AppContext } from './context.ts';
import { COMMANDS } from './commands/index.ts';

/** Runs the CLI; returns the exit code (0 ok, 1 runtime failure, 2 bad config or usage). Errors: one line on stderr. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = new Command('accessproof')
    .version(VERSION)
    .description('accessproof: evidence that every privileged access was tied to a verified human identity with MFA')
    .option('--config <path>', 'config file (YAML or JSON); overrides ACCESSPROOF_CONFIG')
    .option('--data-dir <path>', 'data directory; overrides ACCESSPROOF_DATA_DIR')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  let ctx: AppContext | undefined;
  const getCtx = (): AppContext => {
    ctx ??= createContext(program.opts<{ config?: string; dataDir?: string }>());
    return ctx;
  };
  for (const register of COMMANDS) register(program, getCtx);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof ConfigError) {
      process.stderr.write(`accessproof: invalid configuration: ${e.message.replace(/\n/g, '; ')}\n`);
      return 2;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`accessproof: ${e.message}\n`);
      return 2;
    }
    const msg = e instanceof AppError ? `${e.code}: ${e.message}` : (e as Error).message;
    process.stderr.write(`accessproof: ${msg.split('\n')[0]}\n`);
    return 1;
  }
}
