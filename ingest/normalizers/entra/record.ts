import { isObject, str, toIsoMs } from '../common.ts';
import { INTERRUPT_CODES } from './methods.ts';

/**
 * Property lookup that tolerates re-cased keys: some log pipelines lower-case the Azure Monitor
 * envelope (`calleripaddress`, `resulttype`). Exact key first, then a case-insensitive scan.
 */
export function pick(obj: Record<string, unknown>, key: string): unknown {
  if (key in obj) return obj[key];
  // The case-insensitive index of an object is built once, on its first miss (records are read, never mutated):
  // a Graph sign-in has ~80 keys and a dozen optional fields are looked up per record. An object that carries
  // one of Microsoft's camelCase names exactly is cased as published, so its misses are real: no index.
  let lower = LOWER_KEYS.get(obj);
  if (lower === undefined) {
    lower = casedAsPublished(obj) ? null : lowerIndex(obj);
    LOWER_KEYS.set(obj, lower);
  }
  if (lower === null) return undefined;
  const actual = lower.get(key.toLowerCase());
  return actual === undefined ? undefined : obj[actual];
}

/** camelCase names (with an upper-case letter) of Graph / Azure Monitor objects: envelope, sign-in, audit, status. */
const PUBLISHED_NAMES = [
  'createdDateTime', 'activityDateTime', 'userPrincipalName', 'correlationId', 'operationName', 'resultType',
  'callerIpAddress', 'tenantId', 'resourceId', 'ipAddress', 'appDisplayName', 'errorCode', 'failureReason',
  'activityDisplayName', 'targetResources', 'initiatedBy', 'deviceId', 'displayName', 'countryOrRegion',
] as const;

function casedAsPublished(obj: Record<string, unknown>): boolean {
  for (const name of PUBLISHED_NAMES) if (name in obj) return true;
  return false;
}

function lowerIndex(obj: Record<string, unknown>): Map<string, string> {
  const lower = new Map<string, string>();
  for (const k of Object.keys(obj)) {
    const l = k.toLowerCase();
    if (!lower.has(l)) lower.set(l, k);
  }
  return lower;
}

const LOWER_KEYS = new WeakMap<object, Map<string, string> | null>();

/** String property via `pick`, '' when absent or not scalar. */
export function pickStr(obj: Record<string, unknown>, key: string): string {
  return str(pick(obj, key));
}

/** Kinds of Entra record this normalizer understands. */
export type EntraShape =
  | { kind: 'signin'; body: Record<string, unknown>; envelope?: Record<string, unknown> }
  | { kind: 'audit'; body: Record<string, unknown>; envelope?: Record<string, unknown> }
  | { kind: 'other_category'; category: string }
  | { kind: 'unknown' };

/** True when the record is an Azure Monitor diagnostic record (`properties` + envelope fields). */
function isDiagnosticRecord(rec: Record<string, unknown>): boolean {
  return isObject(pick(rec, 'properties')) && (pick(rec, 'category') !== undefined || pick(rec, 'operationName') !== undefined);
}

/** Classifies one record: Graph signIn, Graph directoryAudit, or a diagnostic record wrapping either. */
export function classify(rec: Record<string, unknown>): EntraShape {
  if (isDiagnosticRecord(rec)) {
    const body = pick(rec, 'properties') as Record<string, unknown>;
    const category = pickStr(rec, 'category');
    if (/signinlogs$/i.test(category)) return { kind: 'signin', body, envelope: rec };
    if (/^auditlogs$/i.test(category)) return { kind: 'audit', body, envelope: rec };
    if (category === '') {
      // No category: tell the two apart by the wrapped object, like a Graph record.
      const inner = classify(body);
      if (inner.kind === 'signin' || inner.kind === 'audit') return Object.assign({}, inner, { envelope: rec } as const);
      return { kind: 'unknown' };
    }
    return { kind: 'other_category', category };
  }
  if ('activityDisplayName' in rec || 'activityDateTime' in rec) return { kind: 'audit', body: rec };
  if ('createdDateTime' in rec || 'userPrincipalName' in rec || 'signInEventTypes' in rec || 'authenticationDetails' in rec) {
    return { kind: 'signin', body: rec };
  }
  return { kind: 'unknown' };
}

/** Parses a sign-in error code from a number or numeric string; undefined otherwise. */
export function parseCode(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)) return Number(value);
  return undefined;
}

/**
 * Entra timestamps are UTC by contract; some pipelines strip the `Z` (`2023-07-26 22:58:30.9832019`),
 * so a zone-less ISO date-time is read as UTC. Locale formats (`03/11/2025 09:09:41`) stay invalid.
 */
export function entraTime(value: unknown): string | null {
  return toIsoMs(value, { assumeUtcIfNoZone: true });
}

/** Error code of a diagnostic sign-in record, for choosing among split records. */
function codeOf(rec: unknown): number | undefined {
  if (!isObject(rec)) return undefined;
  const body = pick(rec, 'properties');
  const status = isObject(body) ? pick(body, 'status') : undefined;
  return parseCode(isObject(status) ? pick(status, 'errorCode') : undefined) ?? parseCode(pick(rec, 'resultType'));
}

/** Sign-in request id of a diagnostic record, '' when it has none (or is not a sign-in). */
function signInIdOf(rec: unknown): string {
  if (!isObject(rec)) return '';
  if (!/signinlogs$/i.test(pickStr(rec, 'category'))) return '';
  const body = pick(rec, 'properties');
  return isObject(body) ? pickStr(body, 'id') : '';
}

/**
 * Azure Monitor writes one sign-in as several records (same request id) while MFA progresses.
 * Keeps one record per id: a final status beats an interrupt, then the latest envelope `time`,
 * then the later position in the message. Records without an id pass through unchanged.
 * NOTE: deterministic for a given message; across messages the store's replace on event_id
 * (same id → same event_id and event_time) keeps the last one stored.
 */
export function collapseSplitSignIns(records: readonly unknown[]): unknown[] {
  const best = new Map<string, { index: number; rank: [number, number] }>();
  records.forEach((rec, index) => {
    const id = signInIdOf(rec);
    if (id === '') return;
    const code = codeOf(rec);
    const t = isObject(rec) ? Date.parse(entraTime(pick(rec, 'time')) ?? '') : Number.NaN;
    const rank: [number, number] = [code !== undefined && INTERRUPT_CODES.has(code) ? 0 : 1, Number.isFinite(t) ? t : 0];
    const cur = best.get(id);
    if (!cur || rank[0] > cur.rank[0] || (rank[0] === cur.rank[0] && rank[1] >= cur.rank[1])) best.set(id, { index, rank });
  });
  return records.filter((rec, index) => {
    const id = signInIdOf(rec);
    return id === '' || best.get(id)?.index === index;
  });
}
