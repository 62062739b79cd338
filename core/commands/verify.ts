import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../errors.ts';
import { fingerprintOfPem } from '../../reports/evidence/signing.ts';
import { formatVerifyReport, verifyPack } from '../../reports/evidence/verify-pack.ts';

/**
 * `accessproof verify <pack.zip> [--public-key key.pem] [--json]`: offline check of an evidence pack (no store, no
 * network, no config). Exit 0 when every check passes, 1 otherwise.
 */
export function registerVerify(program: Command): void {
  program.command('verify')
    .description('verify an evidence pack offline: every file hash, the file set and the manifest signature')
    .argument('<pack>', 'the pack (.zip)')
    .option('--public-key <pem>', "the organisation's Ed25519 public key (PEM); default: the key inside the pack")
    .option('--json', 'print the checks as JSON')
    .action(async (pack: string, opts: { publicKey?: string; json?: boolean }) => {
      let key: string | undefined;
      if (opts.publicKey) {
        try {
          key = readFileSync(opts.publicKey, 'utf8');
        } catch (e) {
          throw new UsageError(`--public-key ${opts.publicKey}: ${(e as Error).message}`);
        }
        if (fingerprintOfPem(key) === null) throw new UsageError(`--public-key ${opts.publicKey}: not a PEM public key`);
      }
      const report = await verifyPack(pack, key);
      process.stdout.write(opts.json ? `${JSON.stringify(report)}\n` : formatVerifyReport(report));
      if (!report.ok) process.exitCode = 1;
    });
}
