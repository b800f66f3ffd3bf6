import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { HttpError } from './errors';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * API-key authentication: `Authorization: Bearer <key>` (or `X-API-Key`). Keys are compared as
 * SHA-256 digests in constant time, so neither a key's length nor its prefix leaks through timing.
 */
export function requireApiKey(keys: string[]): RequestHandler {
  const digests = keys.map(digest);
  return (req, _res, next) => {
    const auth = req.headers.authorization;
    const presented = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : (req.headers['x-api-key'] as string | undefined);
    if (!presented) return next(new HttpError(401, 'unauthenticated', 'missing API key (Authorization: Bearer <key>)'));
    const d = digest(presented);
    if (!digests.some((k) => timingSafeEqual(k, d))) return next(new HttpError(401, 'unauthenticated', 'invalid API key'));
    next();
  };
}
