import { isObject, str } from '../common.ts';
import { ok, reject, type StepResult } from '../step-result.ts';

/**
 * CloudTrail Lake column names (lower-case in the SQL schema) → record field names. Applied to the top
 * level and the userIdentity subtree only: requestParameters / responseElements / additionalEventData are
 * maps whose keys keep the service's own spelling.
 */
const LAKE_KEYS: Readonly<Record<string, string>> = Object.fromEntries([
  'eventVersion', 'userIdentity', 'eventTime', 'eventSource', 'eventName', 'awsRegion', 'sourceIPAddress',
  'userAgent', 'errorCode', 'errorMessage', 'requestParameters', 'responseElements', 'additionalEventData',
  'requestID', 'eventID', 'readOnly', 'resources', 'eventType', 'apiVersion', 'managementEvent',
  'recipientAccountId', 'sharedEventID', 'vpcEndpointId', 'eventCategory', 'tlsDetails',
  'sessionCredentialFromConsole', 'principalId', 'accountId', 'accessKeyId', 'userName', 'sessionContext',
  'attributes', 'creationDate', 'mfaAuthenticated', 'sessionIssuer', 'webIdFederationData', 'sourceIdentity',
  'invokedBy', 'identityProvider', 'onBehalfOf', 'userId', 'identityStoreArn', 'type', 'arn',
].map((k) => [k.toLowerCase(), k]));

const MAP_FIELDS = new Set(['requestParameters', 'responseElements', 'additionalEventData']);

/** Lake returns struct columns as JSON text in some clients; decode those, keep everything else. */
function decodeValue(v: unknown): unknown {
  if (typeof v !== 'string' || !/^\s*[[{]/.test(v)) return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
}

function renameKeys(obj: Record<string, unknown>, deep: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, raw] of Object.entries(obj)) {
    const key = LAKE_KEYS[k.toLowerCase()] ?? k;
    const v = decodeValue(raw);
    out[key] = deep && !MAP_FIELDS.has(key) && isObject(v) ? renameKeys(v, true) : v;
  }
  return out;
}

/** A CloudTrail Lake row (lower-case columns, `YYYY-MM-DD HH:MM:SS.fff` UTC timestamps) → a record. */
export function fromLakeRow(row: Record<string, unknown>): Record<string, unknown> {
  const rec = renameKeys(row, true);
  // NOTE: Lake's eventTime column is a UTC timestamp without zone suffix by schema; only here is Z implied.
  const t = str(rec.eventTime);
  if (/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$/.test(t)) rec.eventTime = `${t.replace(' ', 'T')}Z`;
  return rec;
}

/** A Lake row object: lower-case column names instead of CloudTrail's camelCase. */
function isLakeRow(doc: Record<string, unknown>): boolean {
  return ('eventtime' in doc || 'eventid' in doc) && !('eventTime' in doc) && !('eventID' in doc);
}

/** GetQueryResults rows are lists of single-column maps: `[{"eventid":"…"},{"eventtime":"…"}]`. */
function mergeRow(row: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (Array.isArray(row)) for (const cell of row) if (isObject(cell)) Object.assign(out, cell);
  return out;
}

/**
 * Envelopes that carry no CloudTrail record (other EventBridge detail types, digest files) pass through
 * unchanged so that normalize() drops them: drops at the unwrap stage would not be counted.
 */
export function nonRecordDrop(doc: Record<string, unknown>): string {
  const detailType = str(doc['detail-type']);
  if (detailType !== '' && !/CloudTrail/i.test(detailType)) return 'not_cloudtrail_event';
  if ('digestStartTime' in doc && 'logFiles' in doc) return 'cloudtrail_digest';
  return '';
}

/** A LookupEvents item → its decoded CloudTrailEvent record (or the item itself when undecodable). */
function lookupRecord(item: unknown): unknown {
  if (!isObject(item)) return item;
  const rec = decodeValue(item.CloudTrailEvent);
  return isObject(rec) ? rec : item;
}

function unwrapEventBridge(doc: Record<string, unknown>): StepResult<unknown[]> {
  if (nonRecordDrop(doc) !== '') return ok([doc]);
  const detail = doc.detail;
  if (!isObject(detail)) return reject('missing_field', 'EventBridge envelope without a detail object');
  const missing = ['eventName', 'eventTime', 'userIdentity'].filter((k) => detail[k] === undefined || detail[k] === null);
  if (missing.length > 0) return reject('missing_field', `EventBridge detail lacks CloudTrail record fields: ${missing.join(', ')}`);
  return ok([detail]);
}

/**
 * Source-specific envelopes: EventBridge (`detail-type` + `detail`), CloudTrail Lake query pages and rows,
 * LookupEvents pages (`Events[].CloudTrailEvent`),
 * and digest files (passed on to be dropped). Generic framing has already split `{"Records":[…]}` and arrays.
 */
export function unwrapCloudTrail(doc: unknown): StepResult<unknown[]> {
  if (!isObject(doc)) return ok([doc]);
  if ('detail-type' in doc || ('detail' in doc && 'source' in doc && !('eventName' in doc))) return unwrapEventBridge(doc);
  if (Array.isArray(doc.QueryResultRows)) {
    const rows = doc.QueryResultRows.map((row) => fromLakeRow(mergeRow(row)));
    return ok(rows);
  }
  if (isLakeRow(doc)) return ok([fromLakeRow(doc)]);
  // LookupEvents page: each item carries the record as a JSON string; an undecodable one passes through
  // unchanged and is rejected by normalize() for its missing fields.
  if (Array.isArray(doc.Events)) return ok(doc.Events.map(lookupRecord));
  return ok([doc]);
}
