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

const Params = z.object({ source: z.string().regex(/^[a-z0-9_]{1,40}$/, 'unknown source') }).strict();

/** Splits a webhook body into framed records: JSON (object, array, vendor envelope), NDJSON, or text lines. */
function frameBody(source: string, body: string, ref: string): { records: InboundRecord[]; rejects: DeadLetter[] } {
  const normalizer = normalizerFor(source);
  if (!normalizer) throw new AppError('bad_request', `unknown source "${source}"`, { status: 400 });
  const received_at = new Date().toISOString();
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
  let docs: { text: string; ref: string }[];
  try {
    JSON.parse(trimmed);
    docs = [{ text: trimmed, ref }];
  } catch {
    // Not one JSON document: newline-delimited JSON (each line must parse).
    docs = trimmed.split(/\r?\n/).map((text, i) => ({ text, ref: `${ref}:${i + 1}` })).filter((d) => d.text.trim() !== '');
  }
  for (const d of docs) {
    let doc: unknown;
    try {
      doc = JSON.parse(d.text);
    } catch (e) {
      rejects.push(deadLetterOf({ source, raw: d.text, input_ref: d.ref, received_at }, 'receiver', 'invalid_json', (e as Error).message));
      continue;
    }
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

    scope.get('/v1/ingest/:source', { preHandler: guard }, async (req) => {
      const { source } = Params.parse(req.params);
      const challenge = req.headers['x-okta-verification-challenge'];
      if (source !== 'okta' || typeof challenge !== 'string') {
        throw new AppError('bad_request', 'GET is only the Okta Event Hook verification (x-okta-verification-challenge header)', { status: 400 });
      }
      return { verification: challenge };
    });

    scope.post('/v1/ingest/:source', { preHandler: guard }, async (req, reply) => {
      const { source } = Params.parse(req.params);
      const body = typeof req.body === 'string' ? req.body : '';
      if (!body.trim()) throw new AppError('bad_request', 'empty body', { status: 400 });
      const ref = `webhook:${req.principal?.token_id ?? ''}:${req.id}`;
      const { records, rejects } = frameBody(source, body, ref);
      if (rejects.length) await deps.pipeline.deadLetter(rejects);
      const counts = records.length ? await deps.pipeline.handle(records, 'webhook') : null;
      const dead = rejects.length + (counts?.dead_lettered ?? 0);
      if (records.length === 0 && rejects.length > 0) {
        return reply.status(400).send({ error: 'bad_request', message: `no usable event: ${rejects[0]?.reason} (kept as a dead letter)`, dead_lettered: dead });
      }
      return reply.status(202).send({ accepted: records.length, events: counts?.events ?? 0, dead_lettered: dead, dropped: counts?.dropped ?? 0 });
    });
  });
}
