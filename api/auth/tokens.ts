/**
 * Access and refresh tokens: HS256 JWTs (jose). Access tokens are short-lived and checked against
 * the revocation list on every request (logout); refresh tokens are single-use (rotation), spent by
 * inserting their jti into the same list, which only one concurrent refresh can win. Each use also
 * reads the account by _id (one indexed lookup, alongside the revocation check): a deactivated
 * account's tokens fail at once, a token of an older session generation (`sep`, renewed by a
 * password reset or change) fails, and the role is the account's current one.
 */
import { randomUUID } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import type { Config } from '../../common/config';
import { RevokedToken } from '../../domain/persistence/models/revoked-token';
import { User, type UserRole } from '../../domain/persistence/models/user';
import { isDuplicateKey } from '../../domain/persistence/write-patterns';

const ISSUER = 'pagos-flow';
const AUDIENCE = 'pagos-flow-api';

export interface TokenSubject {
  userId: string;
  email: string;
  role: UserRole;
  name?: string;
  /** The account's session generation (absent until its first password reset or change). */
  sessionEpoch?: string | null;
}

export interface VerifiedToken extends TokenSubject {
  jti: string;
  kind: 'access' | 'refresh';
  expiresAt: Date;
}

export class TokenError extends Error {}


export function createTokenService(config: Pick<Config, 'JWT_SECRET' | 'JWT_ACCESS_TTL_SECONDS' | 'JWT_REFRESH_TTL_SECONDS'>) {
  const key = new TextEncoder().encode(config.JWT_SECRET);

  async function sign(subject: TokenSubject, kind: 'access' | 'refresh', ttlSeconds: number): Promise<string> {
    return new SignJWT({ email: subject.email, role: subject.role, kind, ...(subject.name ? { name: subject.name } : {}), ...(subject.sessionEpoch ? { sep: subject.sessionEpoch } : {}) })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(subject.userId)
      .setJti(randomUUID())
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${ttlSeconds}s`)
      .sign(key);
  }

  async function verify(token: string, kind: 'access' | 'refresh'): Promise<VerifiedToken> {
    let payload;
    try {
      ({ payload } = await jwtVerify(token, key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'], requiredClaims: ['exp', 'iat', 'jti', 'sub'] }));
    } catch (err) {
      throw new TokenError(err instanceof errors.JWTExpired ? 'token expired' : 'invalid token');
    }
    if (payload.kind !== kind) throw new TokenError(`not an ${kind} token`);
    const v: VerifiedToken = {
      userId: String(payload.sub),
      email: String(payload.email),
      role: payload.role as UserRole,
      name: typeof payload.name === 'string' ? payload.name : undefined,
      jti: String(payload.jti),
      kind,
      expiresAt: new Date((payload.exp ?? 0) * 1000),
    };
    const [revoked, account] = await Promise.all([
      RevokedToken.exists({ _id: v.jti }),
      User.findById(v.email, { userId: 1, role: 1, name: 1, status: 1, sessionEpoch: 1 }).lean(),
    ]);
    if (revoked) throw new TokenError(kind === 'refresh' ? 'refresh token already used or revoked' : 'token revoked');
    if (!account || account.userId !== v.userId) throw new TokenError('account no longer exists');
    if (account.status === 'deactivated') throw new TokenError('account deactivated');
    if ((account.sessionEpoch ?? undefined) !== (typeof payload.sep === 'string' ? payload.sep : undefined)) throw new TokenError('session ended (password changed)');
    v.role = account.role as UserRole;
    v.name = account.name ?? v.name;
    v.sessionEpoch = account.sessionEpoch ?? undefined;
    return v;
  }

  /** Marks a token unusable; true if this call revoked it, false if it already was. */
  async function revoke(t: VerifiedToken, reason: 'logout' | 'rotated'): Promise<boolean> {
    try {
      await RevokedToken.collection.insertOne({ _id: t.jti, kind: t.kind, userId: t.userId, reason, at: new Date(), expiresAt: t.expiresAt } as never);
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  return {
    async issue(subject: TokenSubject) {
      const [access, refresh] = await Promise.all([sign(subject, 'access', config.JWT_ACCESS_TTL_SECONDS), sign(subject, 'refresh', config.JWT_REFRESH_TTL_SECONDS)]);
      return { access_token: access, refresh_token: refresh, token_type: 'Bearer', expires_in: config.JWT_ACCESS_TTL_SECONDS };
    },
    verifyAccess: (token: string) => verify(token, 'access'),
    verifyRefresh: (token: string) => verify(token, 'refresh'),
    revoke,
  };
}

export type TokenService = ReturnType<typeof createTokenService>;
