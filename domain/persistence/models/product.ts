import { Schema, model, models, type InferSchemaType, type Model } from 'mongoose';
import { CURRENCIES } from '../../../common/money';

/** A catalog product, keyed by its sku. Prices are integer minor units of `currency`. */
const productSchema = new Schema(
  {
    /** sku */
    _id: { type: String, required: true },
    name: { type: String, required: true },
    description: { type: String },
    priceMinor: { type: Number, required: true, min: 0 },
    currency: { type: String, enum: CURRENCIES, required: true },
    active: { type: Boolean, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'products', versionKey: false },
);

export type ProductDoc = InferSchemaType<typeof productSchema>;
export const Product: Model<ProductDoc> = (models.Product as Model<ProductDoc>) ?? model<ProductDoc>('Product', productSchema);
