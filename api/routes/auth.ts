/** Customer sign-up and sign-in (seed 003 §5.2–5.3): /auth/register, /login, /refresh, /logout, /me. */
import { z } from 'zod';
import type { Config } from '../../common/config';
import { User } from '../../domain/persistence/models/user';
import { requireRole, requireUser } from '../auth/principal';
import { decoyHash, verifyPassword } from '../auth/passwords';
import type { TokenService } from '../auth/tokens';
import { createUser, normaliseEmail } from '../auth/users';
import { HttpError, validationError } from '../errors';
import { requestLimit } from '../rate-limit';
import { apiRouter } from '../request-guards';
import { emailAddress } from '../email-address';

export const registerBody = z.object({
  email: emailAddress(),
  // An upper bound keeps hashing cost bounded (argon2 of a megabyte is a cheap DoS).
  password: z.string().min(8, 'must be at least 8 characters').max(128),
  name: z.string().trim().min(1).max(120),
  phone: z.string().regex(/^\+?[0-9 ()-]{6,20}$/, 'is not a phone number').optional(),
});
export const loginBody = z.object({ email: emailAddress(), password: z.string().min(1).max(128) });
export const refreshBody = z.object({ refresh_token: z.string().min(1).max(4096) });
export const logoutBody = z.object({ refresh_token: z.string().min(1).max(4096).optional() });

const publicUser = (u: { userId: string; email: string; name: string; role: string; phone?: string | null }) => ({
  id: u.userId,
  email: u.email,
  name: u.name,
  role: u.role,
  ...(u.phone ? { phone: u.phone } : {}),
});

export function authRouter(deps: { config: Config; tokens: TokenService }) {
  const router = apiRouter();
  router.use('/auth', requestLimit({ name: 'auth', limit: deps.config.AUTH_RATE_LIMIT_PER_MINUTE, windowMs: 60_000 }));

  router.post('/auth/register', async (req, res) => {
    const body = registerBody.safeParse(req.body ?? {});
    if (!body.success) throw validationError(body.error);
    const user = await createUser({ ...body.data, role: 'customer' });
    if (!user) throw new HttpError(409, 'email_taken', 'an account with this email exists', { field: 'email' });
    res.status(201).json({ ...(await deps.tokens.issue(user)), user: publicUser(user) });
  });

  router.post('/auth/login', async (req, res) => {
    const body = loginBody.safeParse(req.body ?? {});
    if (!body.success) throw validationError(body.error);
    const user = await User.findById(normaliseEmail(body.data.email)).lean();
    const ok = await verifyPassword(user?.passwordHash ?? (await decoyHash()), body.data.password);
    if (!user || !ok) throw new HttpError(401, 'invalid_credentials', 'wrong email or password');
    res.json({ ...(await deps.tokens.issue(user)), user: publicUser(user) });
  });

  router.post('/auth/refresh', async (req, res) => {
    const body = refreshBody.safeParse(req.body ?? {});
    if (!body.success) throw validationError(body.error);
    const old = await deps.tokens.verifyRefresh(body.data.refresh_token).catch((err) => {
      throw new HttpError(401, 'invalid_refresh_token', err.message, { field: 'refresh_token' });
    });
    // Spend it first: of two concurrent refreshes with one token, only one gets new tokens.
    if (!(await deps.tokens.revoke(old, 'rotated'))) throw new HttpError(401, 'invalid_refresh_token', 'refresh token already used', { field: 'refresh_token' });
    const user = await User.findById(old.email).lean();
    if (!user) throw new HttpError(401, 'invalid_refresh_token', 'account no longer exists', { field: 'refresh_token' });
    res.json({ ...(await deps.tokens.issue(user)), user: publicUser(user) });
  });

  router.post('/auth/logout', requireRole('customer', 'admin'), async (req, res) => {
    const me = requireUser(res);
    const body = logoutBody.safeParse(req.body ?? {});
    if (!body.success) throw validationError(body.error);
    await deps.tokens.revoke(me.token, 'logout');
    if (body.data.refresh_token) {
      const refresh = await deps.tokens.verifyRefresh(body.data.refresh_token).catch(() => undefined);
      if (refresh && refresh.userId === me.userId) await deps.tokens.revoke(refresh, 'logout');
    }
    res.status(204).end();
  });

  router.get('/auth/me', requireRole('customer', 'admin'), async (_req, res) => {
    const me = requireUser(res);
    const user = await User.findById(me.email).lean();
    if (!user) throw new HttpError(404, 'not_found', 'account no longer exists');
    res.json({ user: publicUser(user) });
  });

  return router;
}
