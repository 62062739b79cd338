import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../../core/clock.ts';
import { AppError } from '../../core/errors.ts';
import { Exemption, ExemptionChange, ExemptionRow, MAX_EXEMPTION_DAYS } from '../../schema/exemption.ts';
import type { Store } from '../../schema/store/store.ts';
import { isoOf } from './events.ts';
import { markDirtyRange } from './dirty.ts';

/** Who made a change: the token's principal (API) or the OS user (CLI). */
export interface Actor {
  readonly name: string;
  readonly token_id: string;
}

/** Accepts YYYY-MM-DD (midnight UTC) or an ISO instant; returns an ISO instant with ms. */
const Instant = z.string().transform((s, ctx) => {
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00.000Z` : s);
  if (!/^\d{4}-\d{2}-\d{2}/.test(s) || !Number.isFinite(t)) {
    ctx.addIssue({ code: 'custom', message: 'expected YYYY-MM-DD or an ISO-8601 instant' });
    return z.NEVER;
  }
  return new Date(t).toISOString();
});

/** Input of a new exemption (API body / CLI options). */
export const NewExemption = z.object({
  person: z.string().max(512).optional(),
  resource: z.string().max(512).optional(),
  reason: z.string().trim().min(1).max(2000),
  approver: z.string().trim().min(1).max(256),
  starts_at: Instant.optional(),
  expires_at: Instant,
}).strict();
export type NewExemption = z.input<typeof NewExemption>;

const TIME_KEYS = ['starts_at', 'expires_at', 'created_at', 'revoked_at'];
const DAY = 86_400_000;

/** Every exemption, folded from its append-only rows (create + optional revoke). */
export async function loadExemptions(store: Store): Promise<Exemption[]> {
  const rows = await store.query<Record<string, string | null>>(
    `SELECT exemption_id, row_kind, person_pattern, resource_pattern, reason, approver, toString(starts_at) AS starts_at,
        toString(expires_at) AS expires_at, created_by, toString(created_at) AS created_at, toString(revoked_at) AS revoked_at, revoked_by
     FROM exemptions ORDER BY exemption_id, created_at`);
  const byId = new Map<string, Exemption>();
  for (const raw of rows) {
    const r = ExemptionRow.parse({ ...raw, starts_at: isoOf(raw.starts_at ?? ''), expires_at: isoOf(raw.expires_at ?? ''), created_at: isoOf(raw.created_at ?? ''), revoked_at: raw.revoked_at ? isoOf(raw.revoked_at) : null });
    if (r.row_kind === 'create' && !byId.has(r.exemption_id)) {
      const { row_kind: _kind, ...state } = r;
      byId.set(r.exemption_id, Exemption.parse(state));
    }
  }
  for (const raw of rows) {
    const x = byId.get(String(raw.exemption_id));
    if (raw.row_kind === 'revoke' && x && x.revoked_at === null && raw.revoked_at) {
      byId.set(x.exemption_id, { ...x, revoked_at: isoOf(raw.revoked_at), revoked_by: String(raw.revoked_by) });
    }
  }
  return [...byId.values()];
}

/** Status of an exemption at an instant. */
export function exemptionStatus(x: Exemption, now: number): 'pending' | 'active' | 'expired' | 'revoked' {
  if (x.revoked_at && Date.parse(x.revoked_at) <= now) return 'revoked';
  if (Date.parse(x.expires_at) <= now) return 'expired';
  return Date.parse(x.starts_at) > now ? 'pending' : 'active';
}

async function trail(store: Store, c: ExemptionChange): Promise<void> {
  await store.insertRows('exemption_changes', [ExemptionChange.parse(c)], ['changed_at']);
}

/**
 * Creates an exemption (at most MAX_EXEMPTION_DAYS long, person and/or resource scope, named approver) and its
 * trail row, then marks the days it covers for re-correlation.
 */
export async function createExemption(store: Store, input: NewExemption, actor: Actor, clock: Clock): Promise<Exemption> {
  const v = NewExemption.parse(input);
  const person = (v.person ?? '').trim().toLowerCase();
  const resource = (v.resource ?? '').trim();
  if (person === '' && resource === '') throw new AppError('bad_request', 'an exemption needs a person and/or a resource pattern', { status: 400 });
  const now = clock.now().toISOString();
  const starts = v.starts_at ?? now;
  const span = Date.parse(v.expires_at) - Date.parse(starts);
  if (span <= 0) throw new AppError('bad_request', 'expires_at must be after starts_at', { status: 400 });
  if (span > MAX_EXEMPTION_DAYS * DAY) throw new AppError('bad_request', `an exemption may last at most ${MAX_EXEMPTION_DAYS} days`, { status: 400 });
  const row: ExemptionRow = ExemptionRow.parse({
    exemption_id: `exm_${randomUUID()}`, row_kind: 'create', person_pattern: person, resource_pattern: resource,
    reason: v.reason, approver: v.approver, starts_at: starts, expires_at: v.expires_at, created_by: actor.name,
    created_at: now, revoked_at: null, revoked_by: '',
  });
  await store.insertRows('exemptions', [row], TIME_KEYS);
  await trail(store, { change_id: randomUUID(), exemption_id: row.exemption_id, action: 'create', actor: actor.name, actor_token_id: actor.token_id, changed_at: now, detail: JSON.stringify({ person, resource, approver: v.approver, starts_at: starts, expires_at: v.expires_at, reason: v.reason }) });
  await markDirtyRange(store, Date.parse(starts), Date.parse(v.expires_at));
  const { row_kind: _kind, ...state } = row;
  return Exemption.parse(state);
}

/** Revokes an exemption from now on (a new row; the create row is never touched) and records who did it. */
export async function revokeExemption(store: Store, id: string, actor: Actor, clock: Clock, reason = ''): Promise<Exemption> {
  const x = (await loadExemptions(store)).find((e) => e.exemption_id === id);
  if (!x) throw new AppError('not_found', `no exemption ${id}`, { status: 404 });
  if (x.revoked_at) throw new AppError('conflict', `exemption ${id} was already revoked at ${x.revoked_at}`, { status: 409 });
  const now = clock.now().toISOString();
  const { revoked_at: _r, revoked_by: _b, ...rest } = x;
  await store.insertRows('exemptions', [ExemptionRow.parse({ ...rest, row_kind: 'revoke', revoked_at: now, revoked_by: actor.name })], TIME_KEYS);
  await trail(store, { change_id: randomUUID(), exemption_id: id, action: 'revoke', actor: actor.name, actor_token_id: actor.token_id, changed_at: now, detail: JSON.stringify({ reason }) });
  await markDirtyRange(store, Math.min(Date.parse(now), Date.parse(x.expires_at)), Date.parse(x.expires_at));
  return { ...x, revoked_at: now, revoked_by: actor.name };
}

/** The change trail of all exemptions (or one), oldest first. */
export async function exemptionTrail(store: Store, id?: string): Promise<ExemptionChange[]> {
  const rows = await store.query<Record<string, string>>(
    `SELECT change_id, exemption_id, action, actor, actor_token_id, toString(changed_at) AS changed_at, detail FROM exemption_changes
     ${id ? 'WHERE exemption_id = {id:String}' : ''} ORDER BY changed_at, change_id`, id ? { id } : {});
  return rows.map((r) => ExemptionChange.parse({ ...r, changed_at: isoOf(r.changed_at ?? '') }));
}
