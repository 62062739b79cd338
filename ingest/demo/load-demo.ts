import type { AppContext } from '../../core/context.ts';
import type { Store } from '../../schema/store/store.ts';
import { sha256Hex } from '../normalizers/common.ts';
import { createCorrelationMarker } from '../correlate/dirty.ts';
import { createPipeline, type InboundRecord } from '../pipeline.ts';
import { generateDemoDataset } from './generate.ts';

/**
 * Fills an empty demo store with the generated demo organisation (through the real pipeline, so the demo shows
 * exactly what ingestion produces). A store that already holds events is left alone.
 */
export async function loadDemoDataset(ctx: AppContext, store: Store): Promise<number> {
  const rows = await store.query<{ n: string }>('SELECT count() AS n FROM auth_events');
  if (Number(rows[0]?.n ?? 0) > 0) return 0;
  const pipeline = createPipeline({ store, policy: ctx.policy, clock: ctx.clock, logger: ctx.logger, onStored: createCorrelationMarker(store, ctx.config.file) });
  const dataset = generateDemoDataset({ seed: 42, endDate: ctx.clock.now() });
  let stored = 0;
  for (const part of dataset) {
    const received_at = ctx.clock.now().toISOString();
    const records: InboundRecord[] = part.records.map((raw, i) => ({
      source: part.source, raw, input_ref: `demo:${part.source}#${i}`, received_at, raw_sha256: sha256Hex(raw),
    }));
    for (let i = 0; i < records.length; i += 5000) stored += (await pipeline.handle(records.slice(i, i + 5000), 'demo')).events;
  }
  ctx.logger.info({ events: stored }, 'demo dataset loaded');
  return stored;
}
