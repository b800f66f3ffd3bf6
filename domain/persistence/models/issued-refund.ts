import { Schema, model, models, type InferSchemaType, type Model } from 'mongoose';

/**
 * The refund pagos-flow asks MercadoPago for, one per payment (our refunds are full refunds under
 * the idempotency key `refund-<paymentId>`): announced before the call, its refund id added after.
 * MercadoPago reports the seller's refunds as `source.type: collector` whether they came from our
 * API call or from a person in its panel, so this record is how the payment projection tells ours
 * from theirs — also when MercadoPago's notification of our refund arrives before the call returns.
 */
const issuedRefundSchema = new Schema(
  {
    /** The payment id. */
    _id: { type: String, required: true },
    reason: { type: String, required: true },
    announcedAt: { type: Date, required: true },
    refundIds: { type: [String], default: [] },
  },
  { collection: 'issued_refunds', versionKey: false },
);

export type IssuedRefundDoc = InferSchemaType<typeof issuedRefundSchema>;
export const IssuedRefund: Model<IssuedRefundDoc> = (models.IssuedRefund as Model<IssuedRefundDoc>) ?? model<IssuedRefundDoc>('IssuedRefund', issuedRefundSchema);
