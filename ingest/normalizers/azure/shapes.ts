import { getPath, isObject, str } from '../common.ts';

/** Lifecycle phase of one Activity Log record (an operation logs Start/Accept, then Success/Failure). */
export type Phase = 'in_progress' | 'success' | 'failure' | 'denied' | 'other';

/** The facts of one Activity Log record, whichever shape it arrived in. */
export interface ActivityFacts {
  readonly shape: 'diagnostic' | 'rest';
  readonly time_raw: unknown;
  /** Upper-cased operation, e.g. `MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE`. */
  readonly operation: string;
  readonly phase: Phase;
  /** resultType / status.value as logged. */
  readonly result_raw: string;
  /** resultSignature / subStatus / properties.statusCode as logged. */
  readonly status_detail: string;
  readonly category: string;
  /** REST `caller` (upn or object id); '' in the diagnostic shape. */
  readonly caller: string;
  readonly claims: Record<string, unknown>;
  readonly authorization: Record<string, unknown>;
  readonly resource_id: string;
  readonly correlation_id: string;
  readonly event_data_id: string;
  readonly ip: string;
  readonly properties: Record<string, unknown>;
  /** Set when the identity block is unusable (e.g. a string); reported after the time check. */
  readonly identity_error: string;
}

const FORBIDDEN = /forbidden|authorizationfailed/i;

function phaseOf(result: string, detail: string): Phase {
  const r = result.toLowerCase();
  if (r === 'start' || r === 'started' || r === 'accept' || r === 'accepted') return 'in_progress';
  if (r === 'success' || r === 'succeeded') return 'success';
  if (r === 'failure' || r === 'failed') return FORBIDDEN.test(detail) ? 'denied' : 'failure';
  return 'other';
}

function obj(value: unknown): Record<string, unknown> {
  return isObject(value) ? value : {};
}

/** Value of a `{value, localizedValue}` pair (REST) or a plain string (diagnostic). */
function valueOf(v: unknown): string {
  return isObject(v) ? str(v.value) : str(v);
}

/** REST API shape: `eventTimestamp`, `caller`, `operationName{value}`, `status{value}`. */
export function isRestShape(rec: Record<string, unknown>): boolean {
  return 'eventTimestamp' in rec || isObject(rec.operationName) || isObject(rec.status);
}

/** Diagnostic-settings record (Event Hub / Storage): identity{claims, authorization}, resultType. */
export function fromDiagnostic(rec: Record<string, unknown>): ActivityFacts {
  const badIdentity = rec.identity !== undefined && rec.identity !== null && !isObject(rec.identity);
  const props = obj(rec.properties);
  const result = str(rec.resultType);
  const detail = [str(rec.resultSignature), str(props.statusCode)].filter((x) => x).join(' ');
  return {
    shape: 'diagnostic',
    time_raw: rec.time,
    operation: str(rec.operationName).toUpperCase(),
    phase: phaseOf(result, detail),
    result_raw: result,
    status_detail: detail,
    category: str(rec.category) || str(props.eventCategory),
    caller: '',
    claims: obj(getPath(rec, ['identity', 'claims'])),
    authorization: obj(getPath(rec, ['identity', 'authorization'])),
    resource_id: str(rec.resourceId),
    correlation_id: str(rec.correlationId),
    event_data_id: '',
    ip: str(rec.callerIpAddress),
    properties: props,
    identity_error: badIdentity ? `identity is a ${typeof rec.identity}, expected an object` : '',
  };
}

/** REST `eventtypes/management/values` item. */
export function fromRest(rec: Record<string, unknown>): ActivityFacts {
  const props = obj(rec.properties);
  const result = valueOf(rec.status);
  const detail = [valueOf(rec.subStatus), str(props.statusCode)].filter((x) => x).join(' ');
  return {
    shape: 'rest',
    time_raw: rec.eventTimestamp,
    operation: valueOf(rec.operationName).toUpperCase(),
    phase: phaseOf(result, detail),
    result_raw: result,
    status_detail: detail,
    category: valueOf(rec.category),
    caller: str(rec.caller),
    claims: obj(rec.claims),
    authorization: obj(rec.authorization),
    resource_id: str(rec.resourceId),
    correlation_id: str(rec.correlationId),
    event_data_id: str(rec.eventDataId),
    ip: str(getPath(rec, ['httpRequest', 'clientIpAddress'])) || str(getPath(rec, ['claims', 'ipaddr'])),
    properties: props,
    identity_error: rec.claims !== undefined && rec.claims !== null && !isObject(rec.claims) ? 'claims is not an object' : '',
  };
}
