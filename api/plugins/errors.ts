import type { FastifyError, FastifyInstance } from 'fastify';
import { ZodError } from 'zod';
import { AppError } from '../../core/errors.ts';

/** Error body of every failed request. Never a stack trace. */
export interface ErrorBody { error: string; message: string }

/** Maps AppError codes, zod issues and fastify errors to JSON `{error, message}` with the right status. */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | AppError | ZodError | Error, req, reply) => {
    if (err instanceof ZodError) {
      const msg = err.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      return reply.status(400).send({ error: 'bad_request', message: msg });
    }
    if (err instanceof AppError) {
      if (err.status >= 500) req.log.error({ code: err.code }, 'request failed');
      return reply.status(err.status).send({ error: err.code, message: err.message });
    }
    const status = (err as FastifyError).statusCode ?? 500;
    if (status >= 500) {
      req.log.error({ err: { message: err.message, code: (err as FastifyError).code } }, 'request failed');
      return reply.status(500).send({ error: 'internal_error', message: 'internal error' });
    }
    const code = status === 413 ? 'payload_too_large' : status === 415 ? 'unsupported_media_type' : status === 404 ? 'not_found' : 'bad_request';
    return reply.status(status).send({ error: code, message: err.message });
  });
  app.setNotFoundHandler((req, reply) => reply.status(404).send({ error: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` }));
}
