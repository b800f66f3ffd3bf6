import { Schema, model, models, type InferSchemaType, type Model } from 'mongoose';

/**
 * The payment projection: MercadoPago's own record (GET /v1/payments/{id}) as last seen, kept
 * monotonic by `dateLastUpdated` so a late, older notification never regresses it.
 * Money is kept as MercadoPago sends it (decimal) plus integer minor units for arithmetic.
 */
const paymentSchema = new Schema(
  {
    /** MercadoPago's payment id: the natural key as _id (see webhook-event.ts on FerretDB pushdown). */
    _id: { type: String, required: true },
    paymentId: { type: String, required: true },
    status: { type: String, required: true, index: true },
    statusDetail: { type: String },
    amount: { type: Number, required: true },
    amountMinor: { type: Number, required: true },
    amountRefunded: { type: Number, default: 0 },
    /** The money story in integer minor units: refunded (sum of the refunds), charged back, and what stays with us. */
    refundedMinor: { type: Number, default: 0 },
    chargedBackMinor: { type: Number, default: 0 },
    netMinor: { type: Number, default: 0 },
    /** Each refund once, by MercadoPago's id; `initiatedBy` tells our refunds from the panel's or MercadoPago's. */
    refunds: {
      type: [
        new Schema(
          { refundId: String, amount: Number, amountMinor: Number, dateCreated: Date, sourceType: String, status: String, initiatedBy: { type: String, enum: ['pagos-flow', 'outside'] } },
          { _id: false },
        ),
      ],
      default: [],
    },
    currency: { type: String, required: true },
    externalReference: { type: String, index: true },
    payerEmail: { type: String, index: true },
    paymentMethodId: { type: String },
    paymentTypeId: { type: String },
    liveMode: { type: Boolean },
    dateCreated: { type: Date },
    dateApproved: { type: Date },
    dateLastUpdated: { type: Date, required: true },
    /** Epoch ms of dateLastUpdated: the monotonic guard compares numbers (portable to FerretDB). */
    version: { type: Number, required: true },
    raw: { type: Schema.Types.Mixed },
    syncedAt: { type: Date, required: true, index: true },
  },
  { collection: 'payments', versionKey: false },
);

export type PaymentDoc = InferSchemaType<typeof paymentSchema>;
export const Payment: Model<PaymentDoc> = (models.Payment as Model<PaymentDoc>) ?? model<PaymentDoc>('Payment', paymentSchema);
