import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../core/errors.ts';
import { frameDocument } from '../../ingest/files/read-records.ts';
import { sha256Hex } from '../../ingest/normalizers/common.ts';
import { normalizerFor } from '../../ingest/normalizers/index.ts';
import { deadLetterOf, type InboundRecord } from '../../ingest/pipeline.ts';
import type { DeadLetter } from '../../schema/dead-letter.ts';
import { INGESTERS, requireRole } from '../plugins/auth.ts';
import type { RouteDeps } from './index.ts';

// A Fluentd-style tag suffix is accepted and ignored: the Teleport event handler posts session streams to
// `<session-url>.<session id>.log`, so `/v1/ingest/teleport.<sid>.log` is source teleport.
const Params = z.object({
  source: z.string().regex(/^[a-z0-9_]{1,40}(?:\.[A-Za-z0-9_-]{1,128}\.log)?$/, 'unknown source').transform((s) => s.split('.')[0] ?? s),
}).strict();

/** Splits a webhook body into framed records: JSON (object, array, vendor envelope), NDJSON, or text lines. */
function frameBody(source: string, body: string, ref: string, received_at: string): { records: InboundRecord[]; rejects: DeadLetter[] } {
  const normalizer = normalizerFor(source);
  if (!normalizer) throw new AppError('bad_request', `unknown source "${source}"`, { status: 400 });
  const records: InboundRecord[] = [];
  const rejects: DeadLetter[] = [];
  const push = (raw: string, input_ref: string, payload: unknown): void => {
    records.push({ source, raw, input_ref, received_at, raw_sha256: sha256Hex(raw), payload });
  };
  if (normalizer.format === 'text') {
    const assembler = normalizer.createAssembler?.();
    body.split(/\r?\n/).forEach((line, i) => {
      if (!line.trim()) return;
      if (!assembler) push(line, `${ref}:${i + 1}`, line);
      else for (const rec of assembler.push(line, `${ref}:${i + 1}`)) push(rec.raw, rec.input_ref, rec.raw);
    });
    if (assembler) for (const rec of assembler.flush()) push(rec.raw, rec.input_ref, rec.raw);
    return { records, rejects };
  }
  const trimmed = body.trim();
  let docs: { text: string; ref: string; doc: unknown }[] = [];
  try {
    docs = [{ text: trimmed, ref, doc: JSON.parse(trimmed) as unknown }];
  } catch {
    // Not one JSON document: newline-delimited JSON (each line must parse; a bad line is a dead letter).
    trimmed.split(/\r?\n/).forEach((text, i) => {
      if (text.trim() === '') return;
      const lineRef = `${ref}:${i + 1}`;
      try {
        docs.push({ text, ref: lineRef, doc: JSON.parse(text) as unknown });
      } catch (e) {
        rejects.push(deadLetterOf({ source, raw: text, input_ref: lineRef, received_at }, 'receiver', 'invalid_json', (e as Error).message));
      }
    });
  }
  for (const d of docs) {
    const doc = d.doc;
    for (const item of frameDocument(doc, d.text, d.ref, normalizer)) {
      if (item.kind === 'record') push(item.raw, item.input_ref, item.payload);
      else if (item.kind === 'drop') continue;
      else rejects.push(deadLetterOf({ source, raw: item.raw, input_ref: item.input_ref, received_at }, 'receiver', item.reason, item.detail));
    }
  }
  return { records, rejects };
}

/**
 * Webhook ingestion: `POST /v1/ingest/:source` (role ingest) takes one event, an array, a vendor envelope
 * (Okta Event Hook `data.events`, Kubernetes `EventList`, ...), NDJSON or text lines. Malformed bodies get a 400
 * and are kept as dead letters. `GET /v1/ingest/okta` answers Okta's one-time Event Hook verification.
 */
export function registerIngestRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    const guard = requireRole(deps.verify, INGESTERS);

    scope.get('/v1/ingest/:source', { onRequest: guard }, async (req) => {
      const { source } = Params.parse(req.params);
      const challenge = req.headers['x-okta-verification-challenge'];
      if (source !== 'okta' || typeof challenge !== 'string' || challenge === '' || challenge.length > 512) {
        throw new AppError('bad_request', 'GET is only the Okta Event Hook verification (x-okta-verification-challenge header)', { status: 400 });
      }
      return { verification: challenge };
    });

    scope.post('/v1/ingest/:source', { onRequest: guard }, async (req, reply) => {
      const { source } = Params.parse(req.params);
      const body = typeof req.body === 'string' ? req.body : '';
      if (!body.trim()) throw new AppError('bad_request', 'empty body', { status: 400 });
      const received_at = deps.ctx.clock.now().toISOString();
      // NOTE: req.id restarts with the process; the time keeps references of separate deliveries apart.
      const ref = `webhook:${req.principal?.token_id ?? ''}:${received_at}:${req.id}`;
      const { records, rejects } = frameBody(source, body, ref, received_at);
      if (rejects.length) await deps.pipeline.deadLetter(rejects);
      const counts = records.length ? await deps.pipeline.handle(records, 'webhook') : null;
      const dead = rejects.length + (counts?.dead_lettered ?? 0);
      const status = `webhook:${source}`;
      // Nothing usable (every record dead-lettered, none dropped as expected noise): the body is malformed.
      if ((counts?.events ?? 0) === 0 && (counts?.dropped ?? 0) === 0 && dead > 0) {
        deps.status?.report(status, { source, kind: 'webhook', error: { code: 'bad_request', message: 'delivery without a usable event' } });
        const reason = rejects[0]?.reason ?? 'rejected by the normalizer';
        return reply.status(400).send({ error: 'bad_request', message: `no usable event: ${reason} (kept as a dead letter)`, dead_lettered: dead });
      }
      deps.status?.report(status, { source, kind: 'webhook', state: 'running', success: true, batch: { records: records.length }, add: { deliveries_total: 1, events_total: counts?.events ?? 0, dead_letters_total: dead } });
      // 200, not 202: the Teleport event handler treats any other status as a failed delivery (Okta wants 200/204).
      return reply.status(200).send({ accepted: records.length, events: counts?.events ?? 0, dead_lettered: dead, dropped: counts?.dropped ?? 0 });
    });
  });
}
