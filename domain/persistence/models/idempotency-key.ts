import { Schema, model, models, type InferSchemaType, type Model } from 'mongoose';

/**
 * An Idempotency-Key a caller sent with a request that creates something (POST /orders): `_id` is
 * a hash of the caller and the key, `fingerprint` a hash of the request it first came with, and
 * what that request created. Kept 24 h (`expiresAt`); the retention job drops expired rows.
 */
const idempotencyKeySchema = new Schema(
  {
    _id: { type: String, required: true },
    fingerprint: { type: String, required: true },
    orderNumber: { type: String, required: true },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { collection: 'idempotency_keys', versionKey: false },
);

export type IdempotencyKeyDoc = InferSchemaType<typeof idempotencyKeySchema>;
export const IdempotencyKey: Model<IdempotencyKeyDoc> =
  (models.IdempotencyKey as Model<IdempotencyKeyDoc>) ?? model<IdempotencyKeyDoc>('IdempotencyKey', idempotencyKeySchema);
