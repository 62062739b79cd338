import type { Command } from 'commander';
import { SingleBar } from 'cli-progress';
import { UsageError } from '../errors.ts';
import type { AppContext } from '../context.ts';
import { importFiles } from '../../ingest/files/import-files.ts';
import { normalizerFor, normalizerSources } from '../../ingest/normalizers/index.ts';
import { createPipeline, type BatchCounts } from '../../ingest/pipeline.ts';
import { importInventory, isInventorySource } from '../../ingest/inventory/import-inventory.ts';
import { createCorrelationMarker } from '../../ingest/correlate/dirty.ts';
import { publishFiles } from './ingest-kafka.ts';
import { normalizePoolFor, type NormalizePool } from '../../ingest/normalize-pool/pool.ts';

/** Renders the summary line every import prints. */
export function summaryLine(c: BatchCounts): string {
  return JSON.stringify({ read: c.read, stored: c.stored, duplicates: c.duplicates, dead_lettered: c.dead_lettered, dropped: c.dropped });
}

/** `accessproof ingest --source <id> <path...>`: files or directories → ClickHouse (or the raw topic); prints one JSON summary line. */
export function registerIngest(program: Command, getCtx: () => AppContext): void {
  program.command('ingest')
    .description('import log files or directories (JSON, JSON lines, Records envelopes, .gz, text) into the store')
    .requiredOption('--source <id>', 'source id (okta, entra, google, duo, teleport, boundary, sshd, k8s, postgres, cloudtrail, gcp, azure, aws_credential_report, hr)')
    .argument('<paths...>', 'files or directories (recursive)')
    .action(async (paths: string[], opts: { source: string }) => {
      const ctx = getCtx();
      if (!normalizerFor(opts.source) && !isInventorySource(opts.source)) {
        throw new UsageError(`unknown source "${opts.source}"; known: ${[...normalizerSources(), 'aws_credential_report', 'hr'].join(', ')}`);
      }
      // Kafka mode: publish to the raw topic; the workers store (inventory files still go straight to the store).
      if (ctx.config.bus.mode === 'kafka' && !isInventorySource(opts.source)) return publishFiles(ctx, opts.source, paths);
      const store = await ctx.openStore();
      let pool: NormalizePool | undefined;
      try {
        if (isInventorySource(opts.source)) {
          const counts = await importInventory(store, opts.source, paths, ctx.clock);
          process.stdout.write(`${summaryLine(counts)}\n`);
          return;
        }
        pool = normalizePoolFor(ctx.config.env.NORMALIZE_WORKERS, ctx.policy, ctx.logger);
        const pipeline = createPipeline({ store, policy: ctx.policy, clock: ctx.clock, logger: ctx.logger, countDuplicates: true, onStored: createCorrelationMarker(store, ctx.config.file), pool });
        const bar = process.stderr.isTTY ? new SingleBar({ format: 'ingest {source} | {value} records | {rate} records/s | {dead} dead-lettered', stream: process.stderr }) : null;
        const started = Date.now();
        bar?.start(0, 0, { source: opts.source, rate: 0, dead: 0 });
        const totals = await importFiles(
          { send: (records) => pipeline.handle(records, 'import'), deadLetter: (rows) => pipeline.deadLetter(rows) },
          {
            source: opts.source, paths, batchSize: ctx.config.env.STORE_BATCH_SIZE, clock: ctx.clock,
            // One batch per worker being normalised, plus the one the engine is storing.
            inFlight: pool ? pool.size + 1 : 1,
            onProgress: (t) => bar?.update(t.read, { rate: Math.round(t.read / Math.max(0.001, (Date.now() - started) / 1000)), dead: t.dead_lettered }),
          },
        );
        bar?.stop();
        process.stdout.write(`${summaryLine(totals)}\n`);
      } finally {
        await pool?.close();
        await store.close();
      }
    });
}
