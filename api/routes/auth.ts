/**
 * Customer sign-up and sign-in (seed 003 §5.2–5.3): /auth/register, /login, /refresh, /logout, /me;
 * the account itself: /auth/forgot-password, /reset-password, PATCH /me, /change-password.
 */
import { z } from 'zod';
import type { Config } from '../../common/config';
import type { Logger } from '../../common/logger';
import { accountMailer } from '../auth/account-mail';
import { passwordResets, setPassword } from '../auth/password-reset';
import { User } from '../../domain/persistence/models/user';
import { requireRole, requireUser } from '../auth/principal';
import { decoyHash, hashPassword, verifyPassword } from '../auth/passwords';
import type { TokenService } from '../auth/tokens';
import { createUser, normaliseEmail } from '../auth/users';
import { HttpError, validationError } from '../errors';
import { requestLimit } from '../rate-limit';
import { apiRouter } from '../request-guards';
import { emailAddress } from '../email-address';

// An upper bound keeps hashing cost bounded (argon2 of a megabyte is a cheap DoS).
/** Registration's strength rules, shared by reset and change of password. */
export const newPassword = () => z.string().min(8, 'must be at least 8 characters').max(128);
const phone = () => z.string().regex(/^\+?[0-9 ()-]{6,20}$/, 'is not a phone number');
export const registerBody = z.object({
  email: emailAddress(),
  password: newPassword(),
  name: z.string().trim().min(1).max(120),
  phone: phone().optional(),
});
export const forgotPasswordBody = z.object({ email: emailAddress() });
export const resetPasswordBody = z.object({ token: z.string().min(1).max(200), password: newPassword() });
export const changePasswordBody = z.object({ current: z.string().min(1).max(128), new: newPassword() });
export const updateMeBody = z
  .object({ name: z.string().trim().min(1).max(120).optional(), phone: phone().nullable().optional().describe('null removes it') })
  .strict()
  .refine((b) => b.name !== undefined || b.phone !== undefined, { message: 'send name or phone', path: ['name'] });
/** What /auth/forgot-password answers, whoever asked. */
export const FORGOT_PASSWORD_ANSWER = { status: 'accepted', message: 'if an account exists for this email, a reset link is on its way' } as const;
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

/** The signed-in caller's account; 404 if it was deleted since the token was issued. */
async function signedInAccount(email: string) {
  const user = await User.findById(email).lean();
  if (!user) throw new HttpError(404, 'not_found', 'account no longer exists');
  return user;
}

export function authRouter(deps: { config: Config; tokens: TokenService; log?: Logger }) {
  const router = apiRouter();
  const mailer = accountMailer(deps.config, deps.log);
  const resets = passwordResets(deps.config, mailer);
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
    if (user.status === 'deactivated') throw new HttpError(403, 'account_deactivated', 'this account is deactivated');
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
    if (user.status === 'deactivated') throw new HttpError(401, 'invalid_refresh_token', 'account deactivated', { field: 'refresh_token' });
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
    const user = await signedInAccount(me.email);
    res.json({ user: publicUser(user) });
  });

  router.patch('/auth/me', requireRole('customer', 'admin'), async (req, res) => {
    const me = requireUser(res);
    const body = updateMeBody.safeParse(req.body ?? {});
    if (!body.success) throw validationError(body.error);
    const { name, phone: newPhone } = body.data;
    const update = {
      $set: { ...(name !== undefined ? { name } : {}), ...(typeof newPhone === 'string' ? { phone: newPhone } : {}), updatedAt: new Date() },
      ...(newPhone === null ? { $unset: { phone: 1 } } : {}),
    };
    await User.updateOne({ _id: me.email }, update);
    const user = await signedInAccount(me.email);
    res.json({ user: publicUser(user) });
  });

  /**
   * Ends every session of the account, this one included, and answers new tokens for this one: the
   * caller keeps working with the tokens in the answer; the token that made the request stops.
   */
  router.post('/auth/change-password', requireRole('customer', 'admin'), async (req, res) => {
    const me = requireUser(res);
    const body = changePasswordBody.safeParse(req.body ?? {});
    if (!body.success) throw validationError(body.error);
    const user = await signedInAccount(me.email);
    if (!(await verifyPassword(user.passwordHash, body.data.current))) throw new HttpError(400, 'invalid_password', 'the current password is wrong', { field: 'current' });
    const { sessionEpoch } = await setPassword(user._id as string, await hashPassword(body.data.new));
    mailer.sendLater({
      to: user.email,
      subject: 'Tu contraseña fue cambiada',
      text: `Hola ${user.name}:\n\nLa contraseña de tu cuenta se cambió el ${new Date().toISOString()}; se cerraron tus otras sesiones.\n\nSi no fuiste vos, pedí un restablecimiento ya mismo y escribinos.`,
    });
    res.json({ ...(await deps.tokens.issue({ ...user, sessionEpoch })), user: publicUser(user) });
  });

  router.post('/auth/forgot-password', async (req, res) => {
    const body = forgotPasswordBody.safeParse(req.body ?? {});
    if (!body.success) throw validationError(body.error);
    await resets.request(body.data.email);
    res.status(202).json(FORGOT_PASSWORD_ANSWER);
  });

  router.post('/auth/reset-password', async (req, res) => {
    const body = resetPasswordBody.safeParse(req.body ?? {});
    if (!body.success) throw validationError(body.error);
    await resets.reset(body.data.token, body.data.password);
    res.json({ status: 'password_reset', message: 'password changed; every session was ended, sign in with the new password' });
  });

  return router;
}
