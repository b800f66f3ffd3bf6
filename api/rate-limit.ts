import { rateLimit } from 'express-rate-limit';
import { HttpError } from './errors';

/**
 * Per-IP request limits (express-rate-limit, in memory: one API process; a shared store is needed
 * before running several). Over the limit: 429 in our JSON error shape, with Retry-After.
 */
export function perIpLimit(opts: { name: string; limit: number; windowMs: number }) {
  return rateLimit({
    windowMs: opts.windowMs,
    limit: opts.limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    identifier: opts.name,
    handler: (req, _res, next) => {
      const info = (req as typeof req & { rateLimit?: { resetTime?: Date } }).rateLimit;
      const reset = info?.resetTime?.getTime() ?? Date.now() + opts.windowMs;
      const retryAfterSeconds = Math.max(1, Math.ceil((reset - Date.now()) / 1000));
      next(new HttpError(429, 'rate_limited', `too many requests to ${opts.name}: limit ${opts.limit} per ${opts.windowMs / 1000} s`, { retryAfterSeconds }));
    },
  });
}
