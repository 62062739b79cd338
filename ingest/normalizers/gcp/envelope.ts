import { isObject, str } from '../common.ts';
import { drop, ok, reject, type StepResult } from '../step-result.ts';

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** Pub/Sub `data` is base64 of one LogEntry JSON. */
function decodePubSubData(data: string): StepResult<unknown> {
  const compact = data.replace(/\s+/g, '');
  if (!BASE64.test(compact)) return reject('invalid_json', 'Pub/Sub message.data is not base64');
  try {
    return ok(JSON.parse(Buffer.from(compact, 'base64').toString('utf8')) as unknown);
  } catch (e) {
    return reject('invalid_json', `Pub/Sub message.data is not base64 JSON: ${(e as Error).message}`);
  }
}

/** Logging entries that are not Cloud Audit logs (text or structured application logs). */
function nonAuditPayload(doc: Record<string, unknown>): StepResult<unknown[]> | null {
  if ('protoPayload' in doc) return null;
  if ('textPayload' in doc) return reject('unsupported_shape', 'textPayload entry: not a Cloud Audit LogEntry');
  if ('jsonPayload' in doc) return reject('unsupported_shape', 'jsonPayload entry: not a Cloud Audit LogEntry');
  return null;
}

function unwrapOne(doc: unknown, depth: number): StepResult<unknown[]> {
  if (!isObject(doc)) return ok([doc]);
  // Push subscription body: {"message":{"data":"<base64>","messageId":…},"subscription":…}
  const message = isObject(doc.message) ? doc.message : undefined;
  const data = message ? message.data : ('messageId' in doc || 'attributes' in doc) ? doc.data : undefined;
  if (data !== undefined) {
    if (typeof data !== 'string') return reject('invalid_field', 'Pub/Sub data is not a string');
    if (depth > 0) return reject('unsupported_shape', 'nested Pub/Sub envelope');
    const decoded = decodePubSubData(data);
    return decoded.kind === 'ok' ? unwrapOne(decoded.value, depth + 1) : decoded;
  }
  // entries.list response page.
  if (Array.isArray(doc.entries)) return doc.entries.length > 0 ? ok(doc.entries) : drop('empty_page');
  if (!('protoPayload' in doc) && str(doc.nextPageToken) !== '') return drop('empty_page');
  return nonAuditPayload(doc) ?? ok([doc]);
}

/** Pub/Sub push/pull envelopes and entries.list pages → LogEntries; non-audit entries are rejected. */
export function unwrapGcp(doc: unknown): StepResult<unknown[]> {
  return unwrapOne(doc, 0);
}
