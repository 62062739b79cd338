import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../core/errors.ts';
import type { Principal, Role } from '../tokens.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/** Verifies a bearer token into a principal, or null. */
export type TokenVerifier = (token: string) => Promise<Principal | null>;

/**
 * Route guard (an onRequest hook, so nothing of an unauthenticated request is parsed): requires `Authorization: Bearer <token>` with one of the roles. admin passes every guard.
 * 401 without a valid token, 403 with a valid token of another role.
 */
export function requireRole(verify: TokenVerifier, roles: readonly Role[]) {
  return async (req: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) throw new AppError('unauthorized', 'missing or malformed Authorization: Bearer <token>', { status: 401 });
    const principal = await verify(m[1] as string);
    if (!principal) throw new AppError('unauthorized', 'invalid or revoked token', { status: 401 });
    if (principal.role !== 'admin' && !roles.includes(principal.role)) {
      throw new AppError('forbidden', `role ${principal.role} may not use this route (allowed: admin, ${roles.join(', ')})`, { status: 403 });
    }
    req.principal = principal;
  };
}

/** Role sets shared by routes. */
export const READERS: readonly Role[] = ['auditor', 'viewer'];
export const AUDITORS: readonly Role[] = ['auditor'];
export const INGESTERS: readonly Role[] = ['ingest'];
export const ADMINS: readonly Role[] = [];
