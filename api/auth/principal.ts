/**
 * Who is calling. `Authorization: Bearer <token>` carries either a user's access token (a JWT) or
 * an API key (`X-API-Key` also works for keys). No credentials is anonymous; wrong credentials are
 * a 401 whatever the route. Routes then say who may use them with requireRole.
 */
import type { RequestHandler, Response } from 'express';
import type { UserRole } from '../../common/models/user';
import { HttpError } from '../errors';
import { apiKeyMatcher } from './api-keys';
import { TokenError, type TokenService, type VerifiedToken } from './tokens';

export type Principal =
  | { kind: 'user'; userId: string; email: string; name?: string; role: UserRole; token: VerifiedToken }
  /** Ops keys act as admins (issue 7 brings roles per key). */
  | { kind: 'api_key'; role: 'admin' };

const looksLikeJwt = (s: string) => /^[\w-]+\.[\w-]+\.[\w-]+$/.test(s);

export function authenticate(opts: { apiKeys: string[]; tokens: TokenService }): RequestHandler {
  const isApiKey = apiKeyMatcher(opts.apiKeys);
  return async (req, res, next) => {
    const auth = req.headers.authorization;
    const presented = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : (req.headers['x-api-key'] as string | undefined)?.trim();
    if (!presented) return next();
    if (looksLikeJwt(presented)) {
      try {
        const t = await opts.tokens.verifyAccess(presented);
        res.locals.principal = { kind: 'user', userId: t.userId, email: t.email, name: t.name, role: t.role, token: t } satisfies Principal;
        return next();
      } catch (err) {
        if (err instanceof TokenError) return next(new HttpError(401, 'unauthenticated', err.message));
        return next(err);
      }
    }
    if (!isApiKey(presented)) return next(new HttpError(401, 'unauthenticated', 'invalid API key'));
    res.locals.principal = { kind: 'api_key', role: 'admin' } satisfies Principal;
    next();
  };
}

export const principalOf = (res: Response): Principal | undefined => res.locals.principal;

/** 401 without credentials, 403 with a role not listed. */
export function requireRole(...roles: UserRole[]): RequestHandler {
  return (_req, res, next) => {
    const p = principalOf(res);
    if (!p) return next(new HttpError(401, 'unauthenticated', 'sign in or send an API key (Authorization: Bearer <token>)'));
    if (!roles.includes(p.role)) return next(new HttpError(403, 'forbidden', `needs role ${roles.join(' or ')}`));
    next();
  };
}

/** The signed-in user (customers and admins who signed in); API keys are not people. */
export function requireUser(res: Response): Extract<Principal, { kind: 'user' }> {
  const p = principalOf(res);
  if (p?.kind !== 'user') throw new HttpError(403, 'forbidden', 'this endpoint needs a signed-in user, not an API key');
  return p;
}
