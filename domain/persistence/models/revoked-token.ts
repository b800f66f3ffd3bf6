import { Schema, model, models, type InferSchemaType, type Model } from 'mongoose';

/**
 * A revoked or spent token id (JWT `jti`). Logout revokes; a refresh token is spent by its first
 * use (rotation). Inserting the _id is the atomic claim: two concurrent refreshes with one token
 * cannot both succeed. `expiresAt` lets the retention job drop rows whose tokens expired anyway.
 */
const revokedTokenSchema = new Schema(
  {
    _id: { type: String, required: true },
    kind: { type: String, enum: ['access', 'refresh'], required: true },
    userId: { type: String, required: true },
    reason: { type: String, enum: ['logout', 'rotated'], required: true },
    at: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { collection: 'revoked_tokens', versionKey: false },
);

export type RevokedTokenDoc = InferSchemaType<typeof revokedTokenSchema>;
export const RevokedToken: Model<RevokedTokenDoc> =
  (models.RevokedToken as Model<RevokedTokenDoc>) ?? model<RevokedTokenDoc>('RevokedToken', revokedTokenSchema);
