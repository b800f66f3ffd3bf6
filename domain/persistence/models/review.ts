import { Schema, model, models, type InferSchemaType, type Model } from 'mongoose';

/**
 * A verified product review. `_id` is `<sku>:<customer id>`: one review per product per customer
 * is the unique index on `_id` (insertOnce), the one atomic primitive FerretDB v1 has.
 */
const reviewSchema = new Schema(
  {
    _id: { type: String, required: true },
    reviewId: { type: String, required: true },
    sku: { type: String, required: true },
    customerId: { type: String, required: true },
    customerName: { type: String },
    rating: { type: Number, required: true, min: 1, max: 5 },
    title: { type: String },
    text: { type: String, required: true },
    /** The delivered order that made the review verified. */
    orderNumber: { type: String, required: true },
    hidden: { type: Boolean, required: true, default: false },
    hiddenBy: { type: String },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'reviews', versionKey: false },
);
reviewSchema.index({ sku: 1, createdAt: -1 });
reviewSchema.index({ reviewId: 1 }, { unique: true });

export type ReviewDoc = InferSchemaType<typeof reviewSchema>;
export const Review: Model<ReviewDoc> = (models.Review as Model<ReviewDoc>) ?? model<ReviewDoc>('Review', reviewSchema);
