import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { AppContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { cliActor } from './exemption.ts';
import { generatePack } from '../../reports/evidence/service.ts';

interface EvidenceOptions {
  framework: string; control?: string[]; from: string; to: string; out: string;
  sampleSize?: string; seed?: string; generatedAt?: string; demo?: boolean;
}

/**
 * `accessproof evidence --framework <id> [--control <id>...] --from <date> --to <date> --out pack.zip`: builds a
 * signed evidence pack and records it in the trail. Prints one JSON summary line.
 */
export function registerEvidence(program: Command, getCtx: () => AppContext): void {
  program.command('evidence')
    .description('build a signed evidence pack (report.pdf, CSVs, raw samples, queries.sql, OSCAL, manifest) for auditors')
    .requiredOption('--framework <id>', 'soc2 | pci-dss | nist-800-53 | iso-27001 | cis-v8 | hipaa')
    .option('--control <id...>', 'only these controls (default: every control of the framework)')
    .requiredOption('--from <date>', 'first day (YYYY-MM-DD) or ISO instant')
    .requiredOption('--to <date>', 'last day (inclusive, YYYY-MM-DD) or ISO instant (exclusive)')
    .requiredOption('--out <file>', 'where to write the pack (.zip)')
    .option('--sample-size <n>', 'sample size per control and test (default: from the population size, see README)')
    .option('--seed <seed>', 'sampling seed (default: derived from framework and period)')
    .option('--generated-at <iso>', 'recorded generation time (default: the end of the period)')
    .option('--demo', 'use the demo data directory')
    .action(async (opts: EvidenceOptions) => {
      let sampleSize: number | undefined;
      if (opts.sampleSize !== undefined) {
        sampleSize = Number(opts.sampleSize);
        if (!/^\d+$/.test(opts.sampleSize)) throw new UsageError(`--sample-size must be a whole number (got "${opts.sampleSize}")`);
      }
      let ctx = getCtx();
      if (opts.demo) ctx = (await import('../demo-context.ts')).demoContext(ctx);
      const store = await ctx.openStore();
      try {
        const actor = cliActor();
        const pack = await generatePack(ctx, store, {
          framework: opts.framework, controls: opts.control, from: opts.from, to: opts.to,
          ...(opts.generatedAt ? { generated_at: opts.generatedAt } : {}), ...(sampleSize !== undefined ? { sample_size: sampleSize } : {}),
          ...(opts.seed ? { seed: opts.seed } : {}),
        }, { principal: actor.name, role: 'cli', token_id: '' }, resolve(opts.out));
        process.stdout.write(`${JSON.stringify({
          pack_id: pack.pack_id, path: pack.path, size: pack.size, zip_sha256: pack.zip_sha256, manifest_sha256: pack.manifest_sha256,
          evidence_digest: pack.evidence_digest, results: pack.manifest.results,
        })}\n`);
      } finally {
        await store.close();
      }
    });
}
