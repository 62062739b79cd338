import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Store } from '../schema/store/store.ts';

/** API roles. admin: everything; auditor: read + evidence; viewer: read; ingest: push events only. */
export const Role = z.enum(['admin', 'auditor', 'viewer', 'ingest']);
export type Role = z.infer<typeof Role>;

/** A verified caller. */
export interface Principal {
  readonly name: string;
  readonly role: Role;
  /** First 12 hex chars of the token hash: identifies the token in trails without revealing it. */
  readonly token_id: string;
}

/** SHA-256 of a token; only this is stored. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Creates a token for a role, stores its hash, and returns the token (shown once). */
export async function createToken(store: Store, role: Role, name: string): Promise<string> {
  const token = `ap_${randomBytes(24).toString('base64url')}`;
  await store.insertRows('api_tokens', [{ token_hash: hashToken(token), name, role, created_at: new Date().toISOString(), revoked_at: null }], ['created_at']);
  return token;
}

/** Looks tokens up by hash, with a short cache so every request does not hit the store. */
export function createTokenVerifier(store: Store, ttlMs = 10_000): (token: string) => Promise<Principal | null> {
  const cache = new Map<string, { at: number; p: Principal | null }>();
  return async (token) => {
    const h = hashToken(token);
    const hit = cache.get(h);
    if (hit && Date.now() - hit.at < ttlMs) return hit.p;
    const rows = await store.query<{ name: string; role: string; revoked: number }>(
      `SELECT argMax(name, created_at) AS name, argMax(role, created_at) AS role, max(revoked_at IS NOT NULL) AS revoked
       FROM api_tokens WHERE token_hash = {h:String} GROUP BY token_hash`, { h });
    const row = rows[0];
    const parsed = row ? Role.safeParse(row.role) : null;
    const p = row && !Number(row.revoked) && parsed?.success ? { name: row.name, role: parsed.data, token_id: h.slice(0, 12) } : null;
    if (cache.size > 1000) cache.clear();
    cache.set(h, { at: Date.now(), p });
    return p;
  };
}
