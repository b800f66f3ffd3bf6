import { Schema, model, models, type InferSchemaType, type Model } from 'mongoose';

/**
 * A password-reset token, stored by the SHA-256 of its secret (the secret itself only travels in
 * the email), so a database reader cannot reset anyone's password. Lookups go by `_id`.
 */
const passwordResetTokenSchema = new Schema(
  {
    /** hex SHA-256 of the token */
    _id: { type: String, required: true },
    userId: { type: String, required: true },
    /** the account's _id (normalised email) */
    email: { type: String, required: true },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { collection: 'password_reset_tokens', versionKey: false },
);

/**
 * A spent reset token: inserting its `_id` (the token's hash) is the atomic "first use wins"
 * (insertOnce), so two concurrent resets with one token cannot both set a password.
 */
const passwordResetUseSchema = new Schema(
  {
    _id: { type: String, required: true },
    userId: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'password_reset_uses', versionKey: false },
);

export type PasswordResetTokenDoc = InferSchemaType<typeof passwordResetTokenSchema>;
export const PasswordResetToken: Model<PasswordResetTokenDoc> =
  (models.PasswordResetToken as Model<PasswordResetTokenDoc>) ?? model<PasswordResetTokenDoc>('PasswordResetToken', passwordResetTokenSchema);
export const PasswordResetUse: Model<any> = models.PasswordResetUse ?? model('PasswordResetUse', passwordResetUseSchema);
