import { Schema, model, models, type InferSchemaType, type Model } from 'mongoose';

/**
 * A claimed payment transition (`<paymentId>:approved`): the idempotency key of the side effects
 * that follow it (CRM tag, order confirmation). Claimed by inserting the _id, which is atomic on
 * MongoDB and FerretDB alike — unlike a conditional update on FerretDB v1, which reads and writes
 * in separate steps. `owner` (the claiming workflow) lets that workflow's retries see their claim.
 */
const paymentTransitionSchema = new Schema(
  {
    _id: { type: String, required: true },
    paymentId: { type: String, required: true },
    status: { type: String, required: true },
    owner: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'payment_transitions', versionKey: false },
);

export type PaymentTransitionDoc = InferSchemaType<typeof paymentTransitionSchema>;
export const PaymentTransition: Model<PaymentTransitionDoc> =
  (models.PaymentTransition as Model<PaymentTransitionDoc>) ?? model<PaymentTransitionDoc>('PaymentTransition', paymentTransitionSchema);
