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
    /** Image URLs (http/https), in display order. */
    images: { type: [String], default: undefined },
    /** The category's slug, and its path from the root (see ./category.ts): listing by a category includes its descendants. */
    category: { type: String },
    categoryPath: { type: [String], default: undefined },
    /** Archived (DELETE): gone from the shop and search, never sold again, kept for past orders. */
    archivedAt: { type: Date },
    /** See ProductRating. */
    rating: { type: Schema.Types.Mixed },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'products', versionKey: false },
);
// MongoDB uses these for the shop listing and the search index's refresh; FerretDB scans either way.
productSchema.index({ categoryPath: 1, active: 1 });
productSchema.index({ updatedAt: 1 });

/** Visible reviews: `sum` and `count` are exact, `average` is sum/count; `version` orders recomputations (see domain/catalog/ratings.ts). */
export interface ProductRating {
  sum: number;
  count: number;
  average: number;
  version: number;
}
export type ProductDoc = Omit<InferSchemaType<typeof productSchema>, 'rating'> & { rating?: ProductRating | null };
export const Product: Model<ProductDoc> = (models.Product as Model<ProductDoc>) ?? model<ProductDoc>('Product', productSchema);
