import * as nodeCrypto from 'node:crypto';
import { createHash } from 'node:crypto';
import {
  SOURCE_KIND, type AuthEvent, type Environment, type MfaMethod, type SourceId,
} from '../../schema/auth-event.ts';
import type { NormalizeContext, NormalizerPolicy } from './normalizer.ts';
import { digitsAt } from '../../core/decimal-digits.ts';

/** SHA-256 of a string's UTF-8 bytes, lower-case hex. */
export function sha256Hex(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Stable event id: a UUID-shaped 128-bit digest of source + the source's own event id.
 * NOTE: never include ingestion time or file position, or re-imports would create duplicates.
 */
export function eventIdFor(source: SourceId, sourceEventId: string): string {
  // NOTE: the same digest as the ALIAS of auth_events.event_id (schema/migrations/0001_core_tables.sql).
  const input = `${source}\u001f${sourceEventId}`;
  const h = oneShotSha256 ? oneShotSha256('sha256', input, 'hex') : createHash('sha256').update(input).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** crypto.hash (Node ≥ 20.12): a one-shot digest, several times cheaper than a Hash object for short inputs. */
const oneShotSha256 = (nodeCrypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * Parses an upstream timestamp into an ISO UTC instant with ms, or null when it is not a
 * plausible, zone-qualified instant (locale dates and zone-less strings are rejected, never guessed).
 * Numbers are epoch seconds or milliseconds, told apart by magnitude.
 */
export function toIsoMs(value: unknown, opts: { assumeUtcIfNoZone?: boolean } = {}): string | null {
  if (typeof value === 'string') {
    const canonical = canonicalIsoMs(value);
    if (canonical !== null) return canonical;
  }
  let ms: number;
  if (typeof value === 'number' && Number.isFinite(value)) {
    ms = value > 1e14 ? value / 1000 : value > 1e11 ? value : value * 1000;
  } else if (typeof value === 'string' && value.trim() !== '') {
    let s = value.trim();
    if (!ISO_WITH_ZONE.test(s)) {
      if (opts.assumeUtcIfNoZone && /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(s)) s += 'Z';
      else return null;
    }
    ms = Date.parse(s.replace(' ', 'T'));
  } else {
    return null;
  }
  if (!Number.isFinite(ms)) return null;
  const year = new Date(ms).getUTCFullYear();
  if (year < 2000 || year > 2100) return null;
  return new Date(Math.floor(ms)).toISOString();
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Fast path of toIsoMs for what most sources send: `YYYY-MM-DDTHH:MM:SS.mmmZ` or `YYYY-MM-DDTHH:MM:SSZ` with valid
 * fields in 2000–2100. Returns exactly what the general path would (the same instant, canonical form), or null
 * when the general path must decide.
 */
function canonicalIsoMs(s: string): string | null {
  const len = s.length;
  if ((len !== 24 && len !== 20) || s.charCodeAt(len - 1) !== 90 /* Z */) return null;
  if (s[4] !== '-' || s[7] !== '-' || s[10] !== 'T' || s[13] !== ':' || s[16] !== ':') return null;
  if (len === 24 && (s[19] !== '.' || digitsAt(s, 20, 3) < 0)) return null;
  const y = digitsAt(s, 0, 4), mo = digitsAt(s, 5, 2), d = digitsAt(s, 8, 2);
  const h = digitsAt(s, 11, 2), mi = digitsAt(s, 14, 2), sec = digitsAt(s, 17, 2);
  if (y < 2000 || y > 2100 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59) return null;
  const leap = mo === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (d > (DAYS_IN_MONTH[mo - 1] as number) + (leap ? 1 : 0)) return null;
  // NOTE: 2100-12-31T23:59:59Z is still year 2100, so the general path's year check agrees.
  return len === 24 ? s : `${s.slice(0, 19)}.000Z`;
}

/** Canonical user: trimmed; lower-cased when it looks like an email. */
export function canonicalUser(raw: string): string {
  const t = raw.trim();
  return t.includes('@') ? t.toLowerCase() : t;
}

/** Methods that resist phishing (CISA / NIST 800-63B): FIDO/WebAuthn and PKI only. */
export const PHISHING_RESISTANT_METHODS: ReadonlySet<MfaMethod> = new Set<MfaMethod>([
  'webauthn', 'security_key', 'passkey', 'smartcard', 'certificate',
]);

/** Methods that count as a real second factor (everything but none/bypass/unknown). */
export function isRealMfa(method: MfaMethod): boolean {
  return method !== 'none' && method !== 'bypass' && method !== 'unknown';
}

const GLOB_CACHE = new Map<string, RegExp>();

/** Case-insensitive glob with `*` wildcards. */
export function globMatch(pattern: string, value: string): boolean {
  let re = GLOB_CACHE.get(pattern);
  if (!re) {
    re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
    // Policies hold a handful of patterns; the bound only guards against unbounded distinct inputs.
    if (GLOB_CACHE.size > 10_000) GLOB_CACHE.clear();
    GLOB_CACHE.set(pattern, re);
  }
  return re.test(value);
}

/**
 * Environments already decided, per policy: resources repeat across events (an account's console, a role, a host),
 * and deciding one costs a lower-casing and up to three regex scans. Policies are never mutated once built.
 */
const ENVIRONMENT_CACHE = new WeakMap<NormalizerPolicy, Map<string, Environment>>();
const ENVIRONMENT_CACHE_MAX = 10_000;

/** Environment of a resource from policy rules, then name heuristics (prod/stag/dev tokens). */
export function environmentOf(resource: string, policy: NormalizerPolicy): Environment {
  let cache = ENVIRONMENT_CACHE.get(policy);
  if (cache === undefined) {
    cache = new Map();
    ENVIRONMENT_CACHE.set(policy, cache);
  }
  let env = cache.get(resource);
  if (env === undefined) {
    env = decideEnvironment(resource, policy);
    // The bound only guards against unbounded distinct resources (e.g. per-object ARNs).
    if (cache.size >= ENVIRONMENT_CACHE_MAX) cache.clear();
    cache.set(resource, env);
  }
  return env;
}

function decideEnvironment(resource: string, policy: NormalizerPolicy): Environment {
  for (const rule of policy.environment_rules) if (globMatch(rule.pattern, resource)) return rule.environment;
  const r = resource.toLowerCase();
  if (/(^|[^a-z])(prod|production|prd)([^a-z]|$)/.test(r)) return 'prod';
  if (/(^|[^a-z])(staging|stage|stg)([^a-z]|$)/.test(r)) return 'staging';
  if (/(^|[^a-z])(dev|development|sandbox|test)([^a-z]|$)/.test(r)) return 'dev';
  return 'unknown';
}

/** True when a policy privileged_resources pattern matches. */
export function isPrivilegedResource(resource: string, policy: NormalizerPolicy): boolean {
  return policy.privileged_resources.some((p) => globMatch(p, resource));
}

/** Fields a normalizer must decide; everything else has a neutral default. */
export type EventFields = Pick<AuthEvent, 'event_type' | 'event_time' | 'action' | 'user_raw' | 'outcome'>
  & Partial<Omit<AuthEvent, 'event_id' | 'source' | 'source_kind' | 'ingested_at' | 'raw_sha256'>>;

/**
 * Builds a complete AuthEvent with defaults (unknowns, empty strings, false flags).
 * `sourceEventId` is the vendor's own id; the event id derives from it.
 */
export function buildEvent(source: SourceId, sourceEventId: string, f: EventFields, ctx: NormalizeContext): AuthEvent {
  const user = f.user ?? canonicalUser(f.user_raw);
  const resource = f.resource ?? '';
  return {
    event_id: eventIdFor(source, sourceEventId),
    source,
    source_kind: SOURCE_KIND[source],
    source_event_id: sourceEventId,
    event_type: f.event_type,
    event_time: f.event_time,
    ingested_at: ctx.ingested_at,
    action: f.action,
    user,
    user_raw: f.user_raw,
    user_type: f.user_type ?? 'unknown',
    target_user: f.target_user ?? '',
    resource,
    resource_type: f.resource_type ?? 'application',
    environment: f.environment ?? environmentOf(resource, ctx.policy),
    privileged: f.privileged ?? isPrivilegedResource(resource, ctx.policy),
    auth_method: f.auth_method ?? 'unknown',
    mfa_method: f.mfa_method ?? 'unknown',
    mfa_method_raw: f.mfa_method_raw ?? '',
    mfa_verified: f.mfa_verified ?? false,
    mfa_evidence: f.mfa_evidence ?? 'unknown',
    phishing_resistant: f.phishing_resistant ?? false,
    outcome: f.outcome,
    reason: f.reason ?? '',
    session_id: f.session_id ?? '',
    src_ip: f.src_ip ?? '',
    user_agent: f.user_agent ?? '',
    raw_sha256: ctx.raw_sha256,
    details: f.details ?? {},
  };
}

/** Reads a nested property path safely from unknown JSON. */
export function getPath(obj: unknown, path: readonly (string | number)[]): unknown {
  let cur: unknown = obj;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}

/** String value or '' (numbers and booleans stringified; objects and null give ''). */
export function str(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}

/** True for a non-null, non-array object. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Default policy: what a fresh install assumes before the config says otherwise. */
export const DEFAULT_POLICY: NormalizerPolicy = {
  db_superusers: ['postgres', 'rdsadmin', 'root', 'admin', 'superuser'],
  privileged_resources: [],
  environment_rules: [],
  store_read_only_cloud_calls: false,
};
