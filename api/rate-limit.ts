import type { Request, Response } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { HttpError } from './errors';
import { principalOf } from './auth/principal';
import { SharedSlotStore } from './rate-limit-store';

/**
 * Request limits, per IP unless `key` says otherwise (express-rate-limit), counted in the database
 * shared by every API replica (./rate-limit-store.ts: exact across replicas, fixed windows; counted
 * per replica while the database does not answer). Over the limit: 429 in our JSON error shape, with Retry-After.
 */
export function requestLimit(opts: { name: string; limit: number; windowMs: number; key?: (req: Request, res: Response) => string; skip?: (req: Request, res: Response) => boolean }) {
  return rateLimit({
    windowMs: opts.windowMs,
    limit: opts.limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    identifier: opts.name,
    store: new SharedSlotStore(opts.name),
    // A limiter store failure never fails the request (the store falls back to counting in memory).
    passOnStoreError: true,
    ...(opts.key ? { keyGenerator: opts.key } : {}),
    ...(opts.skip ? { skip: opts.skip } : {}),
    handler: (req, _res, next) => {
      const info = (req as typeof req & { rateLimit?: { resetTime?: Date } }).rateLimit;
      const reset = info?.resetTime?.getTime() ?? Date.now() + opts.windowMs;
      const retryAfterSeconds = Math.max(1, Math.ceil((reset - Date.now()) / 1000));
      next(new HttpError(429, 'rate_limited', `too many requests to ${opts.name}: limit ${opts.limit} per ${opts.windowMs / 1000} s`, { retryAfterSeconds }));
    },
  });
}


/** The caller for per-user limits: the user or key id, else the IP (anonymous reads of the catalogue). */
export const callerKey = (req: Request, res: Response) => {
  const p = principalOf(res);
  return p ? (p.kind === 'user' ? `user:${p.userId}` : `key:${p.keyId}`) : `ip:${ipKeyGenerator(req.ip ?? '')}`;
};
