import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Store } from '../../schema/store/store.ts';
import type { BuiltPack, PackRequest } from './build-pack.ts';
import { isoSql } from './queries.ts';
import { unIso } from './rows.ts';

// The evidence pack trail (table evidence_packs, migration 0004): one append-only row per pack generated or
// downloaded, with who did it (principal and token id), when, the parameters and the manifest hash. A download is
// recorded before the first byte is sent.

/** What happened to a pack. */
export const TrailAction = z.enum(['generated', 'downloaded']);
export type TrailAction = z.infer<typeof TrailAction>;

/** Who did it. CLI runs record `cli:<os user>` with role `cli` and no token. */
export interface TrailActor {
  readonly principal: string;
  readonly role: string;
  readonly token_id: string;
  readonly client_ip?: string;
  readonly user_agent?: string;
}

/** One trail row as listed by GET /v1/evidence-packs. */
export const TrailRow = z.object({
  record_id: z.string(),
  pack_id: z.string(),
  action: TrailAction,
  principal: z.string(),
  principal_role: z.string(),
  token_id: z.string(),
  at: z.string(),
  framework: z.string(),
  controls: z.array(z.string()),
  period_from: z.string(),
  period_to: z.string(),
  parameters: z.string(),
  manifest_sha256: z.string(),
  evidence_digest: z.string(),
  zip_sha256: z.string(),
  file_path: z.string(),
  file_size: z.coerce.number(),
  client_ip: z.string(),
  user_agent: z.string(),
});
export type TrailRow = z.infer<typeof TrailRow>;

const TIME_KEYS = ['at', 'period_from', 'period_to'] as const;

/** Appends one trail row; resolves once it is stored. */
export async function recordTrail(store: Store, action: TrailAction, pack: BuiltPack, req: PackRequest, actor: TrailActor, at: Date): Promise<TrailRow> {
  const row: TrailRow = {
    record_id: randomUUID(),
    pack_id: pack.pack_id,
    action,
    principal: actor.principal,
    principal_role: actor.role,
    token_id: actor.token_id,
    at: at.toISOString(),
    framework: pack.manifest.framework.id,
    controls: pack.manifest.controls.map((c) => c.id),
    period_from: pack.manifest.period.from,
    period_to: pack.manifest.period.to,
    parameters: JSON.stringify({ ...req, generated_at: pack.manifest.generated_at, seed: pack.manifest.sampling.seed }),
    manifest_sha256: pack.manifest_sha256,
    evidence_digest: pack.evidence_digest,
    zip_sha256: pack.zip_sha256,
    file_path: pack.path,
    file_size: pack.size,
    client_ip: (actor.client_ip ?? '').slice(0, 64),
    user_agent: (actor.user_agent ?? '').slice(0, 512),
  };
  await store.insertRows('evidence_packs', [row], TIME_KEYS);
  return row;
}

const SELECT = `SELECT record_id, pack_id, action, principal, principal_role, token_id, ${isoSql('at')} AS at_iso, framework, controls,
  ${isoSql('period_from')} AS period_from_iso, ${isoSql('period_to')} AS period_to_iso, parameters, manifest_sha256, evidence_digest, zip_sha256,
  file_path, file_size, client_ip, user_agent
FROM evidence_packs`;

/** The latest `generated` row of a pack (where its file is), or undefined. */
export async function findGenerated(store: Store, packId: string): Promise<TrailRow | undefined> {
  const rows = await store.query<unknown>(`${SELECT} WHERE pack_id = {id:String} AND action = 'generated' ORDER BY at DESC, record_id DESC LIMIT 1`, { id: packId });
  return rows.length ? TrailRow.parse(unIso(rows[0])) : undefined;
}

/** A page of the trail, newest first, optionally for one pack; `after` is the (at, record_id) of the last row seen. */
export async function listTrail(store: Store, opts: { limit: number; pack_id?: string; after?: { t: string; id: string } }): Promise<TrailRow[]> {
  const where: string[] = [];
  const params: Record<string, unknown> = { limit: opts.limit };
  if (opts.pack_id) { where.push('pack_id = {pack_id:String}'); params.pack_id = opts.pack_id; }
  if (opts.after) { where.push("(at, record_id) < ({t:DateTime64(3, 'UTC')}, {id:String})"); params.t = opts.after.t; params.id = opts.after.id; }
  const rows = await store.query<unknown>(`${SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY at DESC, record_id DESC LIMIT {limit:UInt32}`, params);
  return rows.map((r) => TrailRow.parse(unIso(r)));
}

/** Appends the `downloaded` row of a pack, copying what its `generated` row recorded. */
export async function recordDownload(store: Store, generated: TrailRow, actor: TrailActor, at: Date): Promise<TrailRow> {
  const row: TrailRow = {
    ...generated,
    record_id: randomUUID(),
    action: 'downloaded',
    principal: actor.principal,
    principal_role: actor.role,
    token_id: actor.token_id,
    at: at.toISOString(),
    client_ip: (actor.client_ip ?? '').slice(0, 64),
    user_agent: (actor.user_agent ?? '').slice(0, 512),
  };
  await store.insertRows('evidence_packs', [row], TIME_KEYS);
  return row;
}
