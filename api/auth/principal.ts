/**
 * Who is calling. `Authorization: Bearer <token>` carries either a user's access token (a JWT) or
 * an API key (`X-API-Key` also works for keys). No credentials is anonymous; wrong credentials are
 * a 401 whatever the route. Routes then say who may use them with requireRole / requireStaff.
 */
import type { RequestHandler, Response } from 'express';
import { API_KEY_ROLES, type ApiKeyRole } from '../../domain/persistence/models/api-key';
import type { UserRole } from '../../domain/persistence/models/user';
import { HttpError } from '../errors';
import { envKeyMatcher, looksLikeStoredKey, verifyStoredKey } from './api-keys';
import { TokenError, type TokenService, type VerifiedToken } from './tokens';

export type Role = UserRole | ApiKeyRole;

export type Principal =
  | { kind: 'user'; userId: string; email: string; name?: string; role: UserRole; token: VerifiedToken }
  | { kind: 'api_key'; keyId: string; name: string; role: ApiKeyRole };

const looksLikeJwt = (s: string) => /^[\w-]+\.[\w-]+\.[\w-]+$/.test(s);

export function authenticate(opts: { apiKeys: string[]; tokens: TokenService }): RequestHandler {
  const envKey = envKeyMatcher(opts.apiKeys);
  return async (req, res, next) => {
    const auth = req.headers.authorization;
    // The auth scheme is case-insensitive (RFC 9110 §11.1): `bearer` and `BEARER` are Bearer.
    const bearer = auth ? /^bearer[ \t]+(.+)$/i.exec(auth)?.[1] : undefined;
    const presented = bearer !== undefined ? bearer.trim() : (req.headers['x-api-key'] as string | undefined)?.trim();
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
    try {
      const key = looksLikeStoredKey(presented) ? await verifyStoredKey(presented) : envKey(presented);
      if (!key) return next(new HttpError(401, 'unauthenticated', 'invalid or revoked API key'));
      res.locals.principal = { kind: 'api_key', ...key } satisfies Principal;
      next();
    } catch (err) {
      next(err);
    }
  };
}

export const principalOf = (res: Response): Principal | undefined => res.locals.principal;

/** A short name for audit trails and "acknowledged by": the user's email or the key's name. */
export const actorName = (p: Principal | undefined) => (!p ? 'anonymous' : p.kind === 'user' ? p.email : `api-key:${p.name}`);

/** 401 without credentials, 403 with a role not listed. */
export function requireRole(...roles: Role[]): RequestHandler {
  return (_req, res, next) => {
    const p = principalOf(res);
    if (!p) return next(new HttpError(401, 'unauthenticated', 'sign in or send an API key (Authorization: Bearer <token>)'));
    if (!roles.includes(p.role)) return next(new HttpError(403, 'forbidden', `needs role ${roles.join(' or ')}`, { role: p.role }));
    next();
  };
}

/** Staff roles include the ones below them: requireStaff('viewer') admits viewer, operator and admin. */
export const staffFrom = (min: ApiKeyRole): ApiKeyRole[] => API_KEY_ROLES.slice(API_KEY_ROLES.indexOf(min));
export const requireStaff = (min: ApiKeyRole) => requireRole(...staffFrom(min));

/** The signed-in user (customers and admins who signed in); API keys are not people. */
export function requireUser(res: Response): Extract<Principal, { kind: 'user' }> {
  const p = principalOf(res);
  if (p?.kind !== 'user') throw new HttpError(403, 'forbidden', 'this endpoint needs a signed-in user, not an API key');
  return p;
}
