import type { FastifyInstance } from 'fastify';
import { pollerCursorName } from '../../ingest/sources/poller.ts';
import type { ConnectorStatus, StatusRegistry } from '../../ingest/sources/status-registry.ts';
import { loadSourceActivity, type SourceActivityRow } from '../../schema/store/queries/source-activity.ts';
import { READERS, requireRole } from '../plugins/auth.ts';
import type { RouteDeps } from './index.ts';

/** One row of `GET /v1/sources`. */
export interface SourceRow {
  name: string;
  source: string;
  kind: string;
  configured: boolean;
  enabled: boolean | null;
  state: string;
  last_success_at: string | null;
  last_error: ConnectorStatus['last_error'];
  consecutive_failures: number;
  /** now − newest stored event of this source id, in seconds. */
  lag_seconds: number | null;
  newest_event_time: string | null;
  events_today: number;
  dead_letters_today: number;
  cursor: string | null;
  cursor_updated_at: string | null;
  last_batch_at: string | null;
  next_run_at: string | null;
  metrics: Readonly<Record<string, number>>;
}

/**
 * Merges the three views of a source: configuration, runtime status (this process, in memory) and persisted facts
 * (ClickHouse: events, dead letters, cursors, batches), so the page stays meaningful right after a restart.
 */
export async function buildSourceRows(deps: Pick<RouteDeps, 'ctx' | 'store'> & { status?: StatusRegistry }): Promise<{ generated_at: string; sources: SourceRow[] }> {
  const now = deps.ctx.clock.now();
  const dayStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())).toISOString();
  const facts = await loadSourceActivity(deps.store, dayStart);
  const activity = new Map(facts.sources.map((s) => [s.source, s]));
  const cursors = new Map(facts.cursors.map((c) => [c.name, c]));
  const lastBatch = (connector: string, source: string): string | null =>
    facts.batches.filter((b) => (connector === '' || b.connector === connector) && b.source === source).map((b) => b.last_batch_at).sort().pop() ?? null;
  const runtime = new Map((deps.status?.list() ?? []).map((s) => [s.name, s]));

  const row = (name: string, source: string, kind: string, configured: boolean, enabled: boolean | null, connector: string, cursorName?: string): SourceRow => {
    const st = runtime.get(name);
    const act: SourceActivityRow | undefined = activity.get(source);
    const cur = cursorName ? cursors.get(cursorName) : undefined;
    const newest = act?.newest_event_time ?? null;
    return {
      name, source, kind, configured, enabled,
      state: st?.state ?? (enabled === false ? 'disabled' : configured ? 'not_running' : 'unknown'),
      // After a restart the runtime status is empty; the last saved cursor is the last persisted success.
      last_success_at: st?.last_success_at ?? cur?.updated_at ?? null,
      last_error: st?.last_error ?? null,
      consecutive_failures: st?.consecutive_failures ?? 0,
      lag_seconds: newest ? Math.max(0, Math.round((now.getTime() - Date.parse(newest)) / 1000)) : null,
      newest_event_time: newest,
      events_today: act?.events_today ?? 0,
      dead_letters_today: act?.dead_letters_today ?? 0,
      cursor: cur?.cursor ?? null,
      cursor_updated_at: cur?.updated_at ?? null,
      last_batch_at: st?.last_batch_at ?? lastBatch(connector, source),
      next_run_at: st?.next_run_at ?? null,
      metrics: st?.metrics ?? {},
    };
  };

  const rows: SourceRow[] = [];
  for (const cfg of deps.ctx.config.file.sources) {
    rows.push(row(cfg.name, cfg.type, 'poller', true, cfg.enabled, `poller:${cfg.name}`, pollerCursorName(cfg.name)));
    runtime.delete(cfg.name);
  }
  for (const st of runtime.values()) rows.push(row(st.name, st.source, st.kind, false, null, st.name));
  const covered = new Set(rows.map((r) => r.source));
  // Sources seen only in the data (file imports, webhooks of a previous run).
  for (const act of activity.values()) if (!covered.has(act.source)) rows.push(row(act.source, act.source, 'data', false, null, ''));
  rows.sort((a, b) => a.name.localeCompare(b.name));
  return { generated_at: now.toISOString(), sources: rows };
}

/** GET /v1/sources (admin, auditor, viewer): health, lag and volume of every configured or seen source. */
export function registerSourceRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.get('/v1/sources', { onRequest: requireRole(deps.verify, READERS) }, async () => buildSourceRows(deps));
}
