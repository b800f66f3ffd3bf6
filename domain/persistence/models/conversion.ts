import { Schema, model, models, type InferSchemaType, type Model } from 'mongoose';
import { CURRENCIES } from '../../../common/money';

/**
 * A conversion an affiliate brought. `_id` is derived from the external id, so registering the
 * same conversion twice is the same insert and only the first one happens.
 */
const conversionSchema = new Schema(
  {
    /** conv_<hash of external id> */
    _id: { type: String, required: true },
    externalId: { type: String, required: true },
    affiliateId: { type: String, required: true, index: true },
    campaignId: { type: String, required: true, index: true },
    type: { type: String, required: true },
    valueMinor: { type: Number, required: true },
    currency: { type: String, enum: CURRENCIES, required: true },
    channel: { type: String, required: true },
    customer: { type: Schema.Types.Mixed },
    products: { type: [Schema.Types.Mixed], default: [] },
    metadata: { type: Schema.Types.Mixed },
    orderNumber: { type: String },
    status: { type: String, enum: ['registered', 'refunded'], required: true },
    createdAt: { type: Date, required: true },
  },
  { collection: 'conversions', versionKey: false },
);

export type ConversionDoc = InferSchemaType<typeof conversionSchema>;
export const Conversion: Model<ConversionDoc> = (models.Conversion as Model<ConversionDoc>) ?? model<ConversionDoc>('Conversion', conversionSchema);
