import { Schema, model, models, type InferSchemaType, type Model } from 'mongoose';

/**
 * A payment whose `external_reference` names no order we know (flagged, never refunded
 * automatically: see README "Payments nobody expects"). One per payment (the payment id is the
 * _id); its latest reported status is kept for the person who looks at it.
 */
const unmatchedPaymentSchema = new Schema(
  {
    /** payment id */
    _id: { type: String, required: true },
    externalReference: { type: String, required: true },
    status: { type: String, required: true },
    amount: { type: Number, required: true },
    currency: { type: String, required: true },
    dateLastUpdated: { type: String, required: true },
    firstSeenAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'unmatched_payments', versionKey: false },
);

export type UnmatchedPaymentDoc = InferSchemaType<typeof unmatchedPaymentSchema>;
export const UnmatchedPayment: Model<UnmatchedPaymentDoc> =
  (models.UnmatchedPayment as Model<UnmatchedPaymentDoc>) ?? model<UnmatchedPaymentDoc>('UnmatchedPayment', unmatchedPaymentSchema);
