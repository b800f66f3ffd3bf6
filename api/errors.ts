import type { ErrorRequestHandler, RequestHandler } from 'express';
import { z } from 'zod';
import type { Logger } from '../common/logger';

/** An error the client caused or must know about; rendered as JSON with its status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** 400 naming each bad field, from a zod error. */
export function validationError(err: z.ZodError, where: 'body' | 'query' | 'params' = 'body'): HttpError {
  const issues = err.issues.map((i) => ({ field: i.path.join('.') || where, message: i.message }));
  const first = issues[0];
  return new HttpError(400, 'invalid_request', `${first.field}: ${first.message}`, { field: first.field, in: where, issues });
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, 'not_found', `no route for ${req.method} ${req.path}`));
};

/** Temporal itself unreachable (gRPC UNAVAILABLE / DEADLINE_EXCEEDED): nothing was accepted. */
function isTemporalUnavailable(err: unknown, depth = 0): boolean {
  const code = (err as { code?: number })?.code;
  if (code === 14 || code === 4 || /UNAVAILABLE|ECONNREFUSED|Deadline/i.test(String((err as Error)?.message))) return true;
  // The client wraps the gRPC error (ServiceError 'Failed to start Workflow', cause: the gRPC status).
  const cause = (err as { cause?: unknown })?.cause;
  return depth < 3 && cause !== undefined && isTemporalUnavailable(cause, depth + 1);
}

/** JSON errors everywhere: no HTML error pages, no stack traces to clients. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    let httpError: HttpError;
    if (err instanceof HttpError) {
      httpError = err;
    } else if (err instanceof z.ZodError) {
      httpError = validationError(err);
    } else if (err?.type === 'entity.parse.failed') {
      httpError = new HttpError(400, 'malformed_json', 'request body is not valid JSON', { field: 'body' });
    } else if (err?.type === 'entity.too.large') {
      httpError = new HttpError(413, 'payload_too_large', `request body exceeds ${err.limit} bytes`, { field: 'body', limit: err.limit });
    } else if (/^Mongo(Server|Network|ServerSelection|ClientClosed)?Error$/.test(err?.name ?? '') || err?.name === 'MongooseServerSelectionError') {
      // The database refused or is away: nothing was done, the client may try again.
      log.warn({ err, method: req.method, path: req.path }, 'database unavailable');
      httpError = new HttpError(503, 'temporarily_unavailable', 'the database is unavailable right now; try again', { retryAfterSeconds: 5 });
    } else if (isTemporalUnavailable(err)) {
      log.warn({ err, method: req.method, path: req.path }, 'temporal unavailable');
      httpError = new HttpError(503, 'temporarily_unavailable', 'the request could not be accepted right now; try again', { retryAfterSeconds: 5 });
    } else if (typeof err?.status === 'number' && err.status >= 400 && err.status < 500) {
      httpError = new HttpError(err.status, 'bad_request', err.expose ? err.message : 'bad request');
    } else {
      log.error({ err, method: req.method, path: req.path }, 'unhandled error');
      httpError = new HttpError(500, 'internal_error', 'internal error');
    }
    if (res.headersSent) return;
    if (typeof httpError.details?.retryAfterSeconds === 'number') res.setHeader('Retry-After', String(httpError.details.retryAfterSeconds));
    res.status(httpError.status).json({ error: { code: httpError.code, message: httpError.message, ...httpError.details } });
  };
}
