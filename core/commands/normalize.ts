import type { Command } from 'commander';
import { UsageError } from '../errors.ts';
import type { AppContext } from '../context.ts';
import { readRecords } from '../../ingest/files/read-records.ts';
import { normalizerFor, normalizerSources } from '../../ingest/normalizers/index.ts';
import { normalizeRecord } from '../../ingest/normalizers/normalize-record.ts';

/**
 * `accessproof normalize --source <id> <path...>`: canonical events as JSON lines on stdout, each with its
 * `input_ref`; inputs that would be dead-lettered go to stderr with input_ref and reason. Stores nothing.
 */
export function registerNormalize(program: Command, getCtx: () => AppContext): void {
  program.command('normalize')
    .description('print canonical events as JSON lines (stores nothing); rejects go to stderr')
    .requiredOption('--source <id>', 'source id')
    .argument('<paths...>', 'files or directories')
    .action(async (paths: string[], opts: { source: string }) => {
      const ctx = getCtx();
      const normalizer = normalizerFor(opts.source);
      if (!normalizer) throw new UsageError(`unknown source "${opts.source}"; known: ${normalizerSources().join(', ')}`);
      const ingestedAt = ctx.clock.now().toISOString();
      const out: string[] = [];
      const flush = async (): Promise<void> => {
        if (!out.length) return;
        const chunk = out.join('');
        out.length = 0;
        if (!process.stdout.write(chunk)) await new Promise((r) => process.stdout.once('drain', r));
      };
      for await (const item of readRecords(paths, normalizer)) {
        if (item.kind === 'reject') {
          process.stderr.write(`${JSON.stringify({ input_ref: item.input_ref, reason: item.reason, detail: item.detail })}\n`);
          continue;
        }
        if (item.kind === 'drop') {
          process.stderr.write(`${JSON.stringify({ input_ref: item.input_ref, dropped: item.reason })}\n`);
          continue;
        }
        const r = normalizeRecord(normalizer, item.raw, item.payload, ctx.policy, ingestedAt);
        switch (r.kind) {
          case 'ok':
            for (const e of r.value) out.push(`${JSON.stringify({ input_ref: item.input_ref, ...e })}\n`);
            break;
          case 'drop':
            process.stderr.write(`${JSON.stringify({ input_ref: item.input_ref, dropped: r.reason })}\n`);
            break;
          case 'reject':
            process.stderr.write(`${JSON.stringify({ input_ref: item.input_ref, reason: r.reason, detail: r.detail })}\n`);
            break;
        }
        if (out.length >= 500) await flush();
      }
      await flush();
    });
}
