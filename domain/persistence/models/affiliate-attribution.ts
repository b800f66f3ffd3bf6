import { Schema, model, models, type InferSchemaType, type Model } from 'mongoose';

/**
 * A paid order that carried an affiliate code: the conversion the commission workflow will turn
 * into a commission. One per order (the order number is the _id), so recording it is idempotent.
 */
const affiliateAttributionSchema = new Schema(
  {
    /** order number */
    _id: { type: String, required: true },
    affiliateCode: { type: String, required: true, index: true },
    orderNumber: { type: String, required: true },
    customerEmail: { type: String, required: true },
    amountMinor: { type: Number, required: true },
    currency: { type: String, required: true },
    paymentId: { type: String, required: true },
    status: { type: String, enum: ['recorded', 'converted', 'voided'], required: true },
    conversionId: { type: String },
    at: { type: Date, required: true },
  },
  { collection: 'affiliate_attributions', versionKey: false },
);

export type AffiliateAttributionDoc = InferSchemaType<typeof affiliateAttributionSchema>;
export const AffiliateAttribution: Model<AffiliateAttributionDoc> =
  (models.AffiliateAttribution as Model<AffiliateAttributionDoc>) ?? model<AffiliateAttributionDoc>('AffiliateAttribution', affiliateAttributionSchema);
