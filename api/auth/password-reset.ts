/**
 * Password reset (seed 003 §5.3). A request always costs the same work and gets the same answer
 * whether the email has an account or not (no enumeration): a random token is drawn and hashed
 * either way; only for an active account is the hash stored and the link emailed. The token is
 * single-use: spending it is an insertOnce of its hash (write-patterns.ts), which exactly one of
 * two concurrent resets wins. A reset renews the account's session generation, so every access and
 * refresh token issued before it fails at its next use (api/auth/tokens.ts).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Config } from '../../common/config';
import { PasswordResetToken, PasswordResetUse } from '../../domain/persistence/models/password-reset';
import { User } from '../../domain/persistence/models/user';
import { insertOnce } from '../../domain/persistence/write-patterns';
import { HttpError } from '../errors';
import type { AccountMailer } from './account-mail';
import { hashPassword } from './passwords';
import { normaliseEmail } from './users';

const sha256hex = (s: string) => createHash('sha256').update(s).digest('hex');
/** 32 random bytes, base64url: 43 characters. */
export const RESET_TOKEN = /^[\w-]{43}$/;

const invalidToken = (why: string) => new HttpError(400, 'invalid_reset_token', why, { field: 'token' });

export function passwordResets(config: Pick<Config, 'PUBLIC_BASE_URL' | 'PASSWORD_RESET_TTL_MINUTES'>, mailer: AccountMailer) {
  return {
    /** Never says whether the account exists; emails a link only to an active account. */
    async request(emailInput: string): Promise<void> {
      const email = normaliseEmail(emailInput);
      const user = await User.findById(email, { userId: 1, email: 1, name: 1, status: 1 }).lean();
      const token = randomBytes(32).toString('base64url');
      const digest = sha256hex(token);
      const now = new Date();
      const expiresAt = new Date(now.getTime() + config.PASSWORD_RESET_TTL_MINUTES * 60_000);
      if (!user || user.status === 'deactivated') {
        // The same round trip to the database a real request makes, and no email.
        await PasswordResetToken.exists({ _id: digest });
        return;
      }
      await insertOnce(PasswordResetToken, { _id: digest, userId: user.userId, email: user._id as string, createdAt: now, expiresAt });
      const link = new URL('/reset-password', config.PUBLIC_BASE_URL);
      link.searchParams.set('token', token);
      mailer.sendLater({
        to: user.email,
        subject: 'Restablecer tu contraseña',
        text: `Hola ${user.name}:\n\nPara elegir una contraseña nueva abrí este enlace (vale una sola vez, durante ${config.PASSWORD_RESET_TTL_MINUTES} minutos):\n${link.toString()}\n\nSi no lo pediste, ignorá este correo: tu contraseña no cambia.`,
      });
    },

    /** Sets the password and ends every session; 400 (field `token`) for a used, expired or forged token. */
    async reset(token: string, password: string): Promise<{ email: string }> {
      if (!RESET_TOKEN.test(token)) throw invalidToken('not a reset token');
      const digest = sha256hex(token);
      const doc = await PasswordResetToken.findById(digest).lean();
      if (!doc) throw invalidToken('unknown reset token');
      if (doc.expiresAt.getTime() <= Date.now()) throw invalidToken('reset token expired');
      const user = await User.findById(doc.email).lean();
      if (!user || user.userId !== doc.userId || user.status === 'deactivated') throw invalidToken('the account of this token cannot be reset');
      // A token requested before the password last changed is superseded.
      if (user.passwordChangedAt && doc.createdAt.getTime() < user.passwordChangedAt.getTime()) throw invalidToken('reset token superseded by a later password change');
      const passwordHash = await hashPassword(password);
      if (!(await insertOnce(PasswordResetUse, { _id: digest, userId: doc.userId, at: new Date() }))) throw invalidToken('reset token already used');
      await setPassword(user._id as string, passwordHash);
      mailer.sendLater({
        to: user.email,
        subject: 'Tu contraseña fue cambiada',
        text: `Hola ${user.name}:\n\nLa contraseña de tu cuenta se cambió el ${new Date().toISOString()} y se cerraron todas tus sesiones.\n\nSi no fuiste vos, pedí un restablecimiento ya mismo y escribinos.`,
      });
      return { email: user.email };
    },
  };
}

/** The new password hash and a new session generation: every earlier token stops working. */
export async function setPassword(accountId: string, passwordHash: string): Promise<{ sessionEpoch: string }> {
  const now = new Date();
  const sessionEpoch = randomUUID();
  await User.updateOne({ _id: accountId }, { $set: { passwordHash, sessionEpoch, passwordChangedAt: now, updatedAt: now } });
  return { sessionEpoch };
}
