import type { AuthMethod, UserType } from '../../../schema/auth-event.ts';
import { canonicalUser, str } from '../common.ts';

/** Claim names: full URIs in the Activity Log, short names in other Microsoft logs. */
const CLAIM_KEYS = {
  upn: ['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn', 'upn'],
  // The URI `name` claim carries the sign-in name; the short `name` claim is a display name and is not used.
  name: ['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name', 'unique_name', 'preferred_username'],
  oid: ['http://schemas.microsoft.com/identity/claims/objectidentifier', 'oid'],
  tid: ['http://schemas.microsoft.com/identity/claims/tenantid', 'tid'],
  amr: ['http://schemas.microsoft.com/claims/authnmethodsreferences', 'amr'],
  appid: ['appid', 'azp'],
  appidacr: ['appidacr', 'azpacr'],
  idtyp: ['idtyp'],
  mirid: ['xms_mirid'],
  uti: ['uti'],
} as const;

/** One claim by logical name; arrays (amr) are joined with commas. */
export function claim(claims: Record<string, unknown>, name: keyof typeof CLAIM_KEYS): string {
  for (const key of CLAIM_KEYS[name]) {
    const v = claims[key];
    if (Array.isArray(v)) return v.map(str).filter((x) => x).join(',');
    const s = str(v);
    if (s !== '') return s;
  }
  return '';
}

/** The caller of an Activity Log record. */
export interface AzureActor {
  readonly user: string;
  readonly user_raw: string;
  readonly user_type: UserType;
  readonly auth_method: AuthMethod;
  readonly object_id: string;
  readonly app_id: string;
  readonly managed_identity: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Person by upn (or the URI name claim / REST caller when it is an email); service principals and
 * managed identities by appid (no upn). Null when the record names nobody.
 */
export function resolveAzureActor(claims: Record<string, unknown>, caller: string): AzureActor | null {
  const upn = claim(claims, 'upn') || [claim(claims, 'name'), caller].find((c) => EMAIL.test(c)) || '';
  const oid = claim(claims, 'oid');
  const appid = claim(claims, 'appid');
  const mirid = claim(claims, 'mirid');
  const amr = claim(claims, 'amr').toLowerCase().split(',');
  if (upn !== '') {
    const auth: AuthMethod = amr.includes('pwd') ? 'password' : amr.includes('rsa') ? 'certificate' : amr.includes('fed') ? 'sso' : 'unknown';
    return { user: canonicalUser(upn), user_raw: upn, user_type: 'human', auth_method: auth, object_id: oid, app_id: appid, managed_identity: '' };
  }
  const id = appid || oid || caller;
  if (id === '') return null;
  const acr = claim(claims, 'appidacr');
  const service = mirid !== '' || acr === '1' || acr === '2' || claim(claims, 'idtyp') === 'app' || appid !== '';
  return {
    user: canonicalUser(id),
    user_raw: caller || id,
    user_type: service ? 'service' : 'unknown',
    auth_method: acr === '2' ? 'certificate' : acr === '1' ? 'access_key' : mirid !== '' ? 'token' : 'unknown',
    object_id: oid,
    app_id: appid,
    managed_identity: mirid,
  };
}
